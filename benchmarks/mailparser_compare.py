"""How mail-parser (a requested dependency) and zwxx's parser decode Chinese mail.

Run: .venv/bin/python benchmarks/mailparser_compare.py
Prints, per mail, the U+FFFD count and whether the expected text came out, for the
shared corpus and for generated mails in the forms Chinese units really send
(GB2312 declared but GBK written, raw 8-bit GBK headers, RFC 2231 gbk file names).
"""

from __future__ import annotations

import base64
import logging
import sys
from pathlib import Path
from urllib.parse import quote_from_bytes

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mailparser  # noqa: E402

from zwxx.ingest.mime import parse_message  # noqa: E402

logging.disable(logging.CRITICAL)  # mail-parser logs every defect
CORPUS = ROOT.parent / "shared" / "corpus" / "mail"
GBK_ONLY = "朱镕基 陶喆 王堃"


def generated() -> list[tuple[str, bytes, str]]:
    """(label, raw, text that must appear in subject/body/attachment names)."""
    subj = base64.b64encode(("【动态】" + GBK_ONLY).encode("gbk")).decode()
    gb2312 = (
        f"From: a@b.cn\r\nSubject: =?gb2312?B?{subj}?=\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=gb2312\r\n\r\n"
    ).encode() + GBK_ONLY.encode("gbk")
    raw8 = (
        b"From: a@b.cn\r\nSubject: "
        + "区民政局工作动态".encode("gbk")
        + b"\r\nContent-Type: text/plain; charset=gbk\r\n\r\n"
        + "正文".encode("gbk")
    )
    name = quote_from_bytes("王堃报送.docx".encode("gbk")).encode()
    rfc2231 = (
        b"From: a@b.cn\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; "
        b'boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b\r\n'
        b"Content-Type: application/octet-stream\r\nContent-Disposition: attachment; "
        b"filename*=gb2312''" + name + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        b"UEsDBA==\r\n--b--\r\n"
    )
    return [
        ("gbk-declared-gb2312", gb2312, GBK_ONLY),
        ("raw-8bit-gbk-subject", raw8, "区民政局工作动态"),
        ("rfc2231-gb2312-name", rfc2231, "王堃报送.docx"),
    ]


def via_mailparser(raw: bytes) -> str:
    try:
        mail = mailparser.parse_from_bytes(raw)
    except Exception as exc:
        return f"<exception {type(exc).__name__}>"
    names = " ".join(a.get("filename") or "" for a in mail.attachments)
    return f"{mail.subject}\n{mail.body}\n{names}"


def via_zwxx(raw: bytes) -> str:
    try:
        msg = parse_message(raw)
    except Exception as exc:
        return f"<exception {type(exc).__name__}>"
    return f"{msg.subject}\n{msg.body}\n{' '.join(n for n, _ in msg.attachments)}"


def main() -> None:
    rows = []
    for path in sorted(CORPUS.rglob("*")) if CORPUS.is_dir() else []:
        if path.is_file() and path.suffix != ".tnef":
            rows.append((str(path.relative_to(CORPUS)), path.read_bytes(), None))
    rows += generated()
    print(f"{'mail':58} {'mail-parser':>16} {'zwxx':>16}")
    totals = {"mp": [0, 0, 0], "zw": [0, 0, 0]}  # fffd, expected found, exceptions
    for label, raw, expected in rows:
        cells = []
        for key, fn in (("mp", via_mailparser), ("zw", via_zwxx)):
            text = fn(raw)
            bad = text.count("\ufffd")
            ok = expected is None or expected in text
            totals[key][0] += bad
            totals[key][1] += bool(expected) and ok
            totals[key][2] += text.startswith("<exception")
            cells.append(f"fffd={bad:<3}{'' if expected is None else (' ok' if ok else ' WRONG')}")
        print(f"{label[:58]:58} {cells[0]:>16} {cells[1]:>16}")
    n_expected = sum(1 for *_, e in rows if e)
    for key, name in (("mp", "mail-parser"), ("zw", "zwxx")):
        fffd, found, exc = totals[key]
        print(
            f"{name:12} U+FFFD total {fffd:4}  expected text {found}/{n_expected}  exceptions {exc}"
        )


if __name__ == "__main__":
    main()
