"""An incoming envelope (a message or a file) into documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath

from classify.wordcount import countable_lines
from ingest.base import Incoming
from ingest.documents import Document, detect_format, is_document_name, read_document
from ingest.mime import parse_message
from zwxx.errors import DocumentError

# A body this short next to attachments is a cover note ("请查收"), not an item.
COVER_NOTE_MAX = 80


@dataclass
class Extracted:
    subject: str = ""
    sender: str | None = None
    sender_name: str = ""
    message_id: str | None = None
    documents: list[Document] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    ignored: str | None = None  # why the whole envelope is not a submission


def looks_like_message(data: bytes, name: str) -> bool:
    if PurePath(name.lower()).suffix == ".eml":
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf").lower()
    return (
        detect_format(data) == "text"
        and head.startswith(
            (b"received:", b"return-path:", b"from:", b"mime-version:", b"message-id:")
        )
        and b"\nsubject:" in head
    )


def extract(incoming: Incoming) -> Extracted:
    """Raises DocumentError when the envelope as a whole cannot be read."""
    if not looks_like_message(incoming.raw, incoming.name):
        return Extracted(
            sender=incoming.sender, documents=[read_document(incoming.raw, incoming.name)]
        )
    msg = parse_message(incoming.raw)
    out = Extracted(
        subject=msg.subject,
        sender=incoming.sender or msg.sender,
        sender_name=msg.sender_name,
        message_id=msg.message_id,
    )
    for name, data in msg.attachments:
        if not is_document_name(name):
            continue  # images, signatures, calendar files: not submissions
        try:
            out.documents.append(read_document(data, name))
        except DocumentError as exc:
            out.failures.append((name, exc.message))
    body = [line for line in msg.body.replace("\r\n", "\n").split("\n")]
    substantive = countable_lines(body)
    body_len = sum(len(line) for line in substantive)
    if out.documents or out.failures:
        if body_len > COVER_NOTE_MAX * 4:
            # A long body beside attachments is a submission of its own.
            out.documents.append(Document(name=msg.subject, title=msg.subject, paragraphs=body))
    elif body_len:
        out.documents.append(Document(name=msg.subject, title=msg.subject, paragraphs=body))
    else:
        out.ignored = "邮件既无附件也无正文，不是报送信息"
    return out
