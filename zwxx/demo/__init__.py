"""Built-in sample data for ``make demo``: realistic submissions written as real files.

``samples.toml`` holds the texts; ``materialize`` writes them into an OA drop folder as
.docx (python-docx), GB18030 .txt and .eml files, with sidecars and receipt times, byte
for byte the same on every run — so a second demo run shows that nothing is counted twice.
"""

from __future__ import annotations

import io
import json
import os
import tomllib
import zipfile
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from zwxx.config.settings import DEFAULT_ROSTER

DEMO_MONTH = "2026-10"
DEMO_WEEKLY = "2026-10-26T09:00"  # a Monday: the weekly reminder of the demo
DEMO_DIGEST = "2026-11-01T09:00"  # the 1st: the digest of October
SAMPLES = Path(__file__).resolve().parent / "samples.toml"
_FIXED_ZIP_TIME = (2026, 10, 1, 0, 0, 0)


def demo_settings(folder: Path) -> Path:
    """Write the demo's settings file (SQLite, drop folder, raw store, outbox and a roster
    with made-up contacts under ``folder``). No SMTP server or SMS gateway is set, so every
    notification goes to the outbox folder."""
    folder.mkdir(parents=True, exist_ok=True)
    demo_roster(folder / "units.toml")
    path = folder / "demo.toml"
    path.write_text(
        "# 演示用设置（make demo 自动生成）\n"
        'timezone = "Asia/Shanghai"\n\n'
        '[database]\nurl = "sqlite:///zwxx-demo.db"\n\n'
        '[dropfolder]\npath = "drop"\nsettle_seconds = 0\n\n'
        '[storage]\nraw_dir = "raw"\nnotify_dir = "notify"\n\n'
        '[roster]\npath = "units.toml"\n\n'
        '[leaders]\nemails = ["leader@laiwu-demo.cn"]\nphones = ["13706340000"]\n\n'
        '[outbox]\npath = "outbox"\n',
        encoding="utf-8",
    )
    return path


def demo_roster(target: Path) -> None:
    """The default roster with made-up e-mail addresses and phone numbers, as the office
    would fill them in; every seventh unit is left without any, to show how the digest
    lists units that cannot be reached."""
    text = DEFAULT_ROSTER.read_text(encoding="utf-8")
    parts = text.split("[[unit]]")
    for index in range(1, len(parts)):
        if index % 7 == 0:
            continue
        block = parts[index]
        block = block.replace("emails = []", f'emails = ["unit{index:02d}@laiwu-demo.cn"]', 1)
        block = block.replace('officer_phone = ""', f'officer_phone = "1380634{index:04d}"', 1)
        parts[index] = block.replace('head_phone = ""', f'head_phone = "1390634{index:04d}"', 1)
    target.write_text("[[unit]]".join(parts), encoding="utf-8")


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.strip().split("\n\n") if p.strip()]


def _lines(sample: dict) -> list[str]:
    lines = _paragraphs(sample.get("body", ""))
    if sample.get("signoff"):
        lines.append(sample["signoff"])
    return lines


def _docx(title: str, lines: list[str]) -> bytes:
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    head = document.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.add_run(title).bold = True
    for line in lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return stable_zip(buf.getvalue())


def stable_zip(data: bytes) -> bytes:
    """Same bytes on every run: fixed entry times (python-docx stamps 'now')."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, _FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return buf.getvalue()


def _txt(title: str, lines: list[str]) -> bytes:
    return ("\r\n\r\n".join([title, *lines]) + "\r\n").encode("gb18030")


def _eml(sample: dict, index: int, when: datetime) -> bytes:
    msg = EmailMessage()
    msg["From"] = sample["sender"]
    msg["To"] = "lcqzwxx@163.com"
    msg["Subject"] = sample["subject"]
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = f"<demo-{index:03d}@zwxx.demo>"
    if sample.get("attachments"):
        msg.set_content(sample.get("cover", "请查收。"))
        for att in sample["attachments"]:
            msg.add_attachment(
                _docx(att["title"], _lines(att)),
                maintype="application",
                subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                filename=att["name"],
            )
        msg.set_boundary(f"==demo-{index:03d}==")  # the default boundary is random
    else:
        msg.set_content("\n\n".join([sample.get("title", ""), *_lines(sample)]).strip())
    return msg.as_bytes()


def materialize(drop: Path | None, tz: ZoneInfo) -> int:
    """Write every sample into ``drop``; return how many files were written."""
    if drop is None:
        raise ValueError("demo settings have no drop folder")
    samples = tomllib.loads(SAMPLES.read_text(encoding="utf-8"))["sample"]
    for index, sample in enumerate(samples, start=1):
        when = datetime.fromisoformat(sample["received_at"]).astimezone(tz)
        target = drop / sample["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        kind = sample["format"]
        if kind == "docx":
            data = _docx(sample["title"], _lines(sample))
        elif kind == "txt":
            data = _txt(sample["title"], _lines(sample))
        else:
            data = _eml(sample, index, when)
        target.write_bytes(data)
        stamp = when.timestamp()
        if sample.get("sidecar_unit"):
            side = target.with_name(target.name + ".json")
            meta = {"unit": sample["sidecar_unit"], "received_at": when.isoformat()}
            side.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
            os.utime(side, (stamp, stamp))
        os.utime(target, (stamp, stamp))
    return len(samples)
