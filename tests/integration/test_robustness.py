"""Hostile and unlucky input: every envelope ends recorded, and one never blocks the rest."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import run_zwxx
from tests.helpers import cli_json, docx_bytes, put
from zwxx import pipeline
from zwxx.app import load_app
from zwxx.errors import DocumentError
from zwxx.types import Incoming

GOOD = "养老服务站建设\n全区新建养老服务站5处，服务老人1200人次。\n"


def envelopes_by_path(zwxx) -> dict[str, dict]:
    return {e["path"]: e for e in cli_json(zwxx, "envelopes")}


def test_hostile_drop_files_are_recorded_and_the_poll_goes_on(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "a.txt", GOOD)
    (drop / "a.txt.json").mkdir()  # a "sidecar" that is a folder
    put(drop / "b.txt", GOOD.replace("5处", "6处"))
    put(drop / "b.txt.json", json.dumps({"unit": 5, "received_at": 12}))
    put(drop / "c.txt", GOOD.replace("5处", "7处"))
    put(drop / "c.txt.json", json.dumps({"unit": "区民政局", "received_at": "昨天"}))
    put(drop / "d.txt", GOOD.replace("5处", "8处"))
    put(drop / "d.txt.json", json.dumps({"unit": "区" * 300}))  # longer than any column
    put(drop / "e.txt", GOOD.replace("5处", "9处"))
    put(drop / "e.txt.json", json.dumps({"unit": "区民\u0000政局"}))  # NUL: PostgreSQL refuses
    os.symlink("loop.txt.json", drop / "loop.txt.json")  # a sidecar that is a symlink loop
    put(drop / "loop.txt", GOOD.replace("5处", "10处"))
    put(drop / "空.docx", b"")
    bad_name = os.fsencode(drop) + b"/\xff\xfe bad.txt"  # not UTF-8
    Path(os.fsdecode(bad_name)).write_text(GOOD.replace("5处", "11处"), encoding="utf-8")
    put(drop / "区民政局" / "good.txt", "冬季救助\n区民政局开展冬季救助，走访困难群众320户。\n")

    proc = zwxx("poll")
    assert "Traceback" not in proc.stderr and "内部错误" not in proc.stderr
    envs = envelopes_by_path(zwxx)
    assert "文件夹" in envs["a.txt"]["reason"]
    assert "“unit”应为文字" in envs["b.txt"]["reason"]
    assert "不是有效时间" in envs["c.txt"]["reason"]
    assert envs["空.docx"]["status"] == "failed" and "文件为空" in envs["空.docx"]["reason"]
    items = cli_json(zwxx, "items")
    by_attachment = {i["attachment"]: i for i in items}
    assert by_attachment["good.txt"]["counted"]
    assert by_attachment["d.txt"]["status"] == "review"  # no such unit, never guessed
    assert by_attachment["e.txt"]["unit"] is None or by_attachment["e.txt"]["unit"] == "区民政局"
    assert any("bad.txt" in (e["path"] or "") for e in envs.values())
    assert "说明文件" in envs["loop.txt"]["reason"]  # a sidecar that cannot be read: failed


def test_an_internal_error_fails_one_envelope_only(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = workdir / "drop" / "区民政局"
    put(drop / "1.txt", GOOD)
    put(drop / "2.txt", "第二条\n区民政局开展冬季救助。\n")
    put(drop / "3.txt", "第三条\n区民政局提高低保标准。\n")
    app = load_app(workdir / "zwxx.toml")
    real_build = pipeline.build

    def flaky_build(doc, *args, **kwargs):
        if doc.title == "第二条":
            raise RuntimeError("a bug in classification")
        return real_build(doc, *args, **kwargs)

    monkeypatch.setattr(pipeline, "build", flaky_build)
    summary = pipeline.poll(app.job(), app.sources())
    assert summary.envelopes == 3 and summary.failed == 1 and summary.items["counted"] == 2
    assert (workdir / "drop" / "failed").exists()  # the failed one moved there, with a reason
    reasons = list((workdir / "drop" / "failed").rglob("*.error.txt"))
    assert reasons and "内部错误" in reasons[0].read_text(encoding="utf-8")


def test_a_failed_file_sent_again_is_read_again(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drop = workdir / "drop" / "区民政局"
    data = docx_bytes("冬季救助", ["区民政局开展冬季救助，走访困难群众320户。"])
    put(drop / "a.docx", data)
    app = load_app(workdir / "zwxx.toml")
    real_extract = pipeline.extract

    def no_converter(incoming: Incoming):
        raise DocumentError("无法读取此格式：请安装 LibreOffice")

    monkeypatch.setattr(pipeline, "extract", no_converter)
    first = pipeline.poll(app.job(), app.sources())
    assert first.failed == 1
    monkeypatch.setattr(pipeline, "extract", real_extract)  # "LibreOffice installed"
    put(drop / "a.docx", data)  # the clerk drops the same file again
    second = pipeline.poll(app.job(), app.sources())
    assert second.items["counted"] == 1 and second.seen_before == 0
    env = run_zwxx("--config", str(workdir / "zwxx.toml"), "envelopes", "--json", cwd=workdir)
    (envelope,) = json.loads(env.stdout)
    assert envelope["status"] == "parsed"


def test_one_file_from_two_units_by_sidecar_is_one_item_each(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    for name, unit in (("same.txt", "区发改委"), ("same2.txt", "区民政局")):
        put(drop / name, GOOD)
        put(drop / f"{name}.json", json.dumps({"unit": unit}, ensure_ascii=False))
    zwxx("poll")
    items = cli_json(zwxx, "items")
    assert sorted(i["unit"] for i in items) == ["区发展和改革委员会", "区民政局"]
    # The second is a possible joint submission: it waits for the clerk (SPEC §2).
    assert [i["status"] for i in items] == ["counted", "review"]
    assert "联合报送" in items[1]["reason"]


def test_title_only_documents_go_to_review_and_are_not_duplicates(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区发改委"
    put(drop / "甲.txt", "关于甲的动态\n供稿：区发改委 张三\n")
    put(drop / "乙.txt", "关于乙的动态\n联系电话：6221035\n")
    zwxx("poll")
    items = cli_json(zwxx, "items")
    assert [i["status"] for i in items] == ["review", "review"]
    assert all("没有正文内容" in i["reason"] for i in items)


def test_database_unreachable_is_a_chinese_message(tmp_path: Path) -> None:
    cfg = tmp_path / "z.toml"
    cfg.write_text('[database]\nurl = "postgresql+psycopg://postgres@127.0.0.1:1/x"\n', "utf-8")
    proc = run_zwxx("--config", str(cfg), "items", cwd=tmp_path)
    assert proc.returncode == 3
    assert "无法连接或打开数据库" in proc.stderr and "Traceback" not in proc.stderr
