"""Small helpers shared by the unit and the integration tests (no fixtures, no servers).

Building inputs (documents, mails, files in a drop folder) and reading the CLI's JSON
output; anything that starts a server lives in tests/servers/ and tests/conftest.py.
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import zipfile
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import sqlalchemy as sa

from zwxx.config.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
TZ = ZoneInfo("Asia/Shanghai")
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")


# ----------------------------------------------------------------------- making inputs
def docx_bytes(title: str | None, paragraphs: list[str], heading: bool = True) -> bytes:
    document = docx.Document()
    if title is not None:
        if heading:
            document.add_heading(title, level=1)
        else:
            document.add_paragraph(title)
    for text in paragraphs:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def put(path: Path, data: bytes | str, encoding: str = "utf-8", when: float | None = None) -> Path:
    """Write a file (creating its folder); optionally set its mtime (epoch seconds)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode(encoding) if isinstance(data, str) else data)
    if when is not None:
        os.utime(path, (when, when))
    return path


def eml_bytes(subject: str, body: str, attachments: list[tuple[str, bytes]]) -> bytes:
    msg = EmailMessage()
    msg["From"] = "王小明 <wxm_info@example.com>"
    msg["To"] = "lcqzwxx@163.com"
    msg["Subject"] = subject
    msg["Date"] = "Fri, 05 Apr 2019 09:30:00 +0800"
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    msg.set_content(body)
    for name, data in attachments:
        msg.add_attachment(data, maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1], filename=name)
    return msg.as_bytes()


def at(text: str) -> float:
    """An Asia/Shanghai wall-clock time as epoch seconds."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ).timestamp()


PLACE = "ZWXXPLACEHOLDER"


@functools.cache
def _template() -> bytes:
    document = docx.Document()
    document.add_heading(f"标题{PLACE}", level=1)
    document.add_paragraph(f"正文{PLACE}：全区各项工作稳步推进，完成情况良好。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@functools.cache
def numbered_docx(n: int) -> bytes:
    """A .docx whose title and body are unique to ``n`` (template with a placeholder)."""
    label = f"第{n:03d}号（{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{n * 7919 % 1000:03d}）"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_template())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(PLACE.encode(), label.encode())
            dst.writestr(info, data)
    return out.getvalue()


# ---------------------------------------------------------------------- reading results
def cli_json(zwxx, *args: str) -> list[dict]:
    return json.loads(zwxx(*args, "--json").stdout)


def by_attachment(items: list[dict]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for item in items:
        assert item["attachment"] not in out, f"two items for {item['attachment']}"
        out[item["attachment"]] = item
    return out


def today() -> set[str]:
    """Today's date folder (a set: a test may straddle midnight in Asia/Shanghai)."""
    return {datetime.now(TZ).strftime("%Y-%m-%d")}


def stored(drop: Path, where: str) -> dict[str, list[Path]]:
    """Files under drop/<where>/<date>/, keyed by their path below the date folder."""
    out: dict[str, list[Path]] = {}
    base = drop / where
    if not base.is_dir():
        return out
    for day in base.iterdir():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", day.name), day
        for path in day.rglob("*"):
            if path.is_file():
                out.setdefault(path.relative_to(day).as_posix(), []).append(path)
    return out


def left_in_drop(drop: Path) -> list[str]:
    """Files still waiting in the drop folder (outside archive/ and failed/)."""
    return sorted(
        p.relative_to(drop).as_posix()
        for p in drop.rglob("*")
        if p.is_file() and p.relative_to(drop).parts[0] not in ("archive", "failed")
    )


def body_of(workdir: Path, item_id: int) -> str:
    """An item's stored body, read straight from the work directory's database."""
    engine = sa.create_engine(load_settings(workdir / "zwxx.toml").database.url)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text("SELECT body FROM item WHERE id = :i"), {"i": item_id}
            ).scalar()
    finally:
        engine.dispose()
