"""Which drop-folder file is a whole message (ingest.extract.looks_like_message), and a
mailbox's envelopes are messages whatever they start with (Incoming.is_message)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from zwxx.ingest.extract import extract, looks_like_message
from zwxx.types import Incoming

BODY = "全区新建口袋公园12处，新增绿地面积3.5万平方米。"
FIELDS = {
    "From": "信息员 <xxb@example.cn>",
    "Subject": "口袋公园建设",
    "Date": "Mon, 01 Apr 2019 09:00:00 +0800",
    "Message-ID": "<a1@example.cn>",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=utf-8",
    "Received": "from mx.example.cn by mx.163.com; Mon, 01 Apr 2019 09:00:01 +0800",
    "Return-Path": "<xxb@example.cn>",
}


def message(order: list[str], lead: bytes = b"", newline: bytes = b"\n") -> bytes:
    head = newline.join(f"{k}: {FIELDS[k]}".encode() for k in order)
    return lead + head + newline + newline + BODY.encode() + newline


ORDERS = {
    "content-type first": ["Content-Type", "MIME-Version", "Subject", "From", "Message-ID"],
    "return-path and received first": ["Return-Path", "Received", "Date", "From", "Subject"],
    "subject last": ["Message-ID", "Date", "From", "Content-Type", "Subject"],
    "only subject": ["Subject"],
}


@pytest.mark.parametrize("order", ORDERS.values(), ids=ORDERS.keys())
@pytest.mark.parametrize("name", ["信息.txt", "INBOX UID 561", "noname", "a.msg"])
def test_header_fields_in_any_order_and_under_any_name_are_a_message(order, name) -> None:
    assert looks_like_message(message(order), name)
    assert looks_like_message(message(order, newline=b"\r\n"), name)


def test_mbox_from_line_and_byte_order_mark_are_skipped() -> None:
    mbox = message(
        ["Content-Type", "Subject", "From"], b"From xxb@example.cn Mon Apr  1 09:00:00 2019\n"
    )
    assert looks_like_message(mbox, "导出")
    assert looks_like_message(b"\xef\xbb\xbf" + message(["Subject", "From"]), "导出.txt")


def test_header_block_beyond_four_kilobytes() -> None:
    received = [
        f"Received: from relay{n}.example.cn by mx{n}.example.cn; {'x' * 70}" for n in range(80)
    ]
    raw = ("\n".join(received) + "\nSubject: 口袋公园建设\n\n" + BODY).encode()
    assert len(raw) > 4096 and looks_like_message(raw, "x")


TEXTS = {
    "title line": f"口袋公园建设\n{BODY}\n",
    "标题 field": f"标题：口袋公园建设\n{BODY}\n",
    "附件 line": f"附件：口袋公园建设.docx\n{BODY}\n",
    "ascii-colon chinese field": f"标题: 口袋公园建设\n\n{BODY}\n",
    "one date line then text": f"Date: 2019-04-05\n{BODY}\n",
    "a note field": f"Note: draft\n\n{BODY}\n",
    "indented start": f"  Subject: 口袋公园建设\n{BODY}\n",
    "empty": "",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=TEXTS.keys())
def test_plain_text_submissions_stay_documents(text) -> None:
    assert not looks_like_message(text.encode("utf-8"), "信息.txt")
    assert not looks_like_message(text.encode("gb18030"), "信息.txt")


def test_binary_documents_are_never_messages() -> None:
    assert not looks_like_message(b"PK\x03\x04" + b"Subject: x\n\n", "a.docx")
    assert not looks_like_message(b"%PDF-1.4\nSubject: x\n", "a.pdf")


def test_an_eml_name_is_a_message() -> None:
    assert looks_like_message(b"garbage without headers", "来信.eml")


def _incoming(raw: bytes, name: str, is_message: bool) -> Incoming:
    return Incoming("imap", raw, name, datetime(2019, 5, 1, tzinfo=UTC), is_message=is_message)


def test_a_mailbox_message_is_read_as_a_message_whatever_it_starts_with() -> None:
    raw = message(["Content-Type", "Subject", "From", "Message-ID"], b"From x Mon Apr  1 2019\n")
    for r in (raw, raw.replace(b"Subject: ", b"X-Note: a\nSubject: ")):
        got = extract(_incoming(r, "INBOX UID 561", is_message=True))
        assert (got.subject, got.sender, got.message_id) == (
            "口袋公园建设",
            "xxb@example.cn",
            "<a1@example.cn>",
        )
        assert [d.title for d in got.documents] == ["口袋公园建设"]


def test_a_text_file_is_a_document_with_its_own_title() -> None:
    got = extract(_incoming(f"附件：口袋公园建设\n{BODY}\n".encode(), "信息.txt", False))
    assert got.subject == "" and got.message_id is None and len(got.documents) == 1
