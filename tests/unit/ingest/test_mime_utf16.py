"""UTF-16 under the charset names old Outlook and Java mailers give it (issue 12, item 8):
``unicodebig``, ``unicode``, ``unicodelittle``, ``utf-16be``/``utf-16le`` without a BOM,
``ucs-2`` — in a text/plain body, an HTML body, a subject and an attachment's name."""

from __future__ import annotations

import base64
from urllib.parse import quote_from_bytes

import pytest

from tests.unit.ingest.helpers import mail
from zwxx.ingest.extract import extract
from zwxx.ingest.mime import decode_bytes, parse_message, superset
from zwxx.types import Incoming

TEXT = (
    "【动态】区民政局推进居家养老服务\r\n"
    "今年以来，区民政局新建社区养老服务站12处，服务老年人3.6万人次，同比增长21.5%。\r\n"
    "（区民政局 供稿）"
)
BOM = {"utf-16-be": b"\xfe\xff", "utf-16-le": b"\xff\xfe"}


def b64_lines(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def utf16_mail(charset: str, order: str, *, bom: bool, subtype: str = "plain") -> bytes:
    text = TEXT if subtype == "plain" else f"<p>{TEXT.replace(chr(13) + chr(10), '</p><p>')}</p>"
    data = (BOM[order] if bom else b"") + text.encode(order)
    return mail(
        [b"Subject: s", b"Content-Transfer-Encoding: base64"],
        b64_lines(data),
        f"text/{subtype}; charset={charset}".encode(),
    )


@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize(
    ("charset", "order"),
    [
        ("unicodebig", "utf-16-be"),  # Java / old Outlook
        ("UnicodeBig", "utf-16-be"),
        ("unicodeFFFE", "utf-16-be"),  # Windows code page 1201
        ("utf-16be", "utf-16-be"),
        ("unicode", "utf-16-le"),  # Windows code page 1200
        ("unicodelittle", "utf-16-le"),
        ("utf-16le", "utf-16-le"),
        ("ucs-2", "utf-16-le"),  # no byte order in the name: the one that reads as text
        ("ucs-2", "utf-16-be"),
        ("utf-16", "utf-16-be"),
        ('"UNICODEBIG"', "utf-16-be"),
    ],
)
def test_utf16_body_is_read(charset: str, order: str, bom: bool) -> None:
    body = parse_message(utf16_mail(charset, order, bom=bom)).body
    assert body == TEXT.replace("\r\n", "\n")  # no BOM left at the start, no mojibake


def test_a_bom_wins_over_the_name() -> None:
    """Labelled big-endian, written little-endian with a BOM: the BOM is right."""
    data = BOM["utf-16-le"] + TEXT.encode("utf-16-le")
    assert decode_bytes(data, "unicodebig") == TEXT


@pytest.mark.parametrize(
    "text",
    [
        TEXT,
        "Report 12 items.\r\nhello world 2026",  # ASCII read the wrong way round is CJK
        "　　进一步加强养老服务。",  # 一 U+4E00 and the ideographic space end in 00
    ],
)
@pytest.mark.parametrize(
    ("charset", "order"),
    [("unicode", "utf-16-be"), ("unicodebig", "utf-16-le"), ("ucs-2", "utf-16-be")],
)
def test_the_byte_order_the_text_is_in_wins_over_a_wrong_name(
    text: str, charset: str, order: str
) -> None:
    assert decode_bytes(text.encode(order), charset) == text


def test_html_body_in_unicodebig() -> None:
    body = parse_message(utf16_mail("unicodebig", "utf-16-be", bom=False, subtype="html")).body
    assert body == TEXT.replace("\r\n", "\n")


def test_subject_and_file_name_in_unicodebig() -> None:
    title = "区民政局工作动态"
    encoded = base64.b64encode(title.encode("utf-16-be")).decode()
    name = quote_from_bytes("养老服务.docx".encode("utf-16-be"))
    part = (
        b"--b\r\nContent-Type: text/plain; charset=unicodebig\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + b64_lines(TEXT.encode("utf-16-be"))
        + b"--b\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Transfer-Encoding: base64\r\n"
        b"Content-Disposition: attachment; filename*=unicodebig''"
        + name.encode()
        + b"\r\n\r\n"
        + b64_lines(b"PK\x03\x04")
        + b"--b--"
    )
    raw = mail(
        [f"Subject: =?unicodebig?B?{encoded}?=".encode()], part, b'multipart/mixed; boundary="b"'
    )
    msg = parse_message(raw)
    assert msg.subject == title
    assert msg.body == TEXT.replace("\r\n", "\n")
    assert [n for n, _ in msg.attachments] == ["养老服务.docx"]


def test_a_utf16_body_is_no_hint_for_raw_8bit_headers() -> None:
    """A raw GBK subject beside a unicodebig body is still read as GBK."""
    raw = mail(
        [b"Subject: " + "区民政局工作动态".encode("gbk"), b"Content-Transfer-Encoding: base64"],
        b64_lines(TEXT.encode("utf-16-be")),
        b"text/plain; charset=unicodebig",
    )
    msg = parse_message(raw)
    assert msg.subject == "区民政局工作动态"
    assert msg.body == TEXT.replace("\r\n", "\n")


def test_text_that_is_not_utf16_falls_back() -> None:
    """A wrong label (GBK bytes called unicodebig) still decodes as what the bytes are."""
    text = "今年以来，区发改委完成投资38.6亿元。"
    assert decode_bytes(text.encode("gbk"), "unicodebig") == text
    assert decode_bytes(text.encode("utf-8"), "ucs-2") == text
    assert decode_bytes(TEXT.encode("utf-16-be") + b"\n", "unicodebig") == TEXT  # stray byte


def test_names_map_to_python_codecs() -> None:
    assert superset("unicodebig") == "utf-16-be"
    assert superset("UnicodeLittleUnmarked") == "utf-16-le"
    assert superset("UTF_16BE") == "utf-16-be"
    assert superset("gb2312") == "gb18030"  # the existing mapping is unchanged
    assert superset("utf-8") == "utf-8"


def test_unicodebig_submission_is_counted_from_its_text() -> None:
    from datetime import UTC, datetime

    raw = utf16_mail("unicodebig", "utf-16-be", bom=False)
    out = extract(Incoming("dropfolder", raw, "x.eml", datetime(2026, 10, 9, tzinfo=UTC)))
    text = "\n".join(p for d in out.documents for p in [d.title, *d.paragraphs])
    assert "区民政局新建社区养老服务站12处" in text
