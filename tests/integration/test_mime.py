"""Chinese mail end to end: what ``zwxx poll`` stores is storable anywhere, and
``zwxx reparse`` shows better text for old items. Parsing itself is unit-tested in
tests/unit/ingest/test_mime.py."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa

from tests.unit.ingest.helpers import GBK_ONLY, b64, mail
from zwxx.config.settings import load_settings


def test_nul_and_surrogates_reach_postgresql_safely(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区民政局"
    drop.mkdir()
    # (a text file with a NUL byte is binary by content; NUL arrives in mail instead)
    (drop / "a.txt").write_bytes("养老服务\n全区新建养老服务站5处。\n".encode())
    subject = b"Subject: " + "区民政局\x00动态".encode()
    raw = mail([subject], "正文\x00内容，区民政局供稿。".encode())
    (workdir / "drop" / "m.eml").write_bytes(raw)
    zwxx("poll")
    items = json.loads(zwxx("items", "--json").stdout)
    assert len(items) == 2 and all(i["counted"] for i in items)
    assert all("\x00" not in i["title"] for i in items)


def test_reparse_shows_improved_text_for_old_items(workdir: Path, zwxx) -> None:
    subject = f"=?gb2312?B?{b64('【动态】区民政局' + GBK_ONLY, 'gbk')}?="
    body = ("区民政局开展走访慰问，" + GBK_ONLY + "等同志参加。").encode("gbk")
    raw = mail([b"Subject: " + subject.encode()], body, b"text/plain; charset=gb2312")
    (workdir / "drop" / "m.eml").write_bytes(raw)
    zwxx("poll")
    (item,) = json.loads(zwxx("items", "--json").stdout)
    # What an earlier parser stored: GBK read as GB2312 with replacement characters.
    engine = sa.create_engine(load_settings(workdir / "zwxx.toml").database.url)
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE item SET title = :t, body = :b WHERE id = :i"),
            {"t": "区民政局朱\ufffd基", "b": "\ufffd\ufffd", "i": item["id"]},
        )
    engine.dispose()
    assert "\ufffd" in json.loads(zwxx("items", "--json").stdout)[0]["title"]
    zwxx("reparse")
    (fixed,) = json.loads(zwxx("items", "--json").stdout)
    assert fixed["id"] == item["id"] and fixed["title"] == "区民政局" + GBK_ONLY
    assert "\ufffd" not in fixed["title"] and fixed["counted"]
