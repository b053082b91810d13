"""The types every stage passes on, and the text helpers every layer may use.

    Incoming   one message or file from a source, with where it came from (ingest -> pipeline)
    Source     the seam a mailbox or a drop folder implements
    Document   one document's text: title, paragraphs, Word's own 字数 (ingest -> classify)

This module sits at the bottom with ``zwxx.errors``: it imports no other zwxx module.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session


@dataclass
class Incoming:
    """One message or file from a source, with where it came from."""

    source: str  # imap | dropfolder
    raw: bytes
    name: str  # file name (drop folder) or a label for logs
    received_at: datetime  # aware; the office's receipt time, never the Date header
    folder_unit: str | None = None  # unit named by the OA sub-folder
    sidecar_unit: str | None = None  # unit named by the OA sidecar .json
    sender: str | None = None  # from a sidecar; a message's own From is read by mime
    provenance: dict[str, Any] = field(default_factory=dict)  # path | mailbox/folder/uid...
    message_id: str | None = None  # known before parsing (IMAP), to recognise re-scans
    failure: str | None = None  # set when the source could not take it (e.g. too large)
    # What makes it this envelope and no other, so a re-scan (after a crash) is known:
    # a message's (mailbox, folder, UIDVALIDITY, UID), a file's path, inode, mtime and
    # bytes. None: the bytes' sha256.
    identity: str | None = None
    # What makes two envelopes copies of each other (the same mail delivered twice, the
    # same file dropped again): the bytes, and a drop-folder file's unit. None: the bytes.
    content_key: str | None = None
    # A mailbox hands over messages, always; a drop-folder file is sniffed when read.
    is_message: bool = False


def safe_text(text: str | None) -> str:
    """Text any database stores: no NUL (PostgreSQL refuses it), no lone surrogates."""
    if not text:
        return ""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


class Source(Protocol):
    """A place submissions arrive. Yields envelopes; told when each is recorded."""

    name: str

    def incoming(self) -> Iterator[Incoming]: ...

    def in_transaction(self, session: Session, item: Incoming) -> None:
        """Called inside the transaction that records ``item`` (e.g. a checkpoint)."""

    def after_commit(self, item: Incoming, status: str, reason: str | None) -> None:
        """Called once ``item`` is durably recorded (e.g. move the file to archive/)."""


@dataclass
class Document:
    name: str  # file name as received (never used as a path); "a.zip/b.docx" in archives
    title: str
    paragraphs: list[str]  # body paragraphs, title excluded
    doc_chars: int | None = None  # Word's own 字数 from docProps/app.xml
    review: str | None = None  # set when the text cannot be trusted (e.g. a scanned PDF)
    source_format: str | None = None  # what detect_format saw: docx, ole2, pdf, ...


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (BOM or not), UTF-16 with BOM, else GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")
