"""An incoming envelope (a message or a file) into documents (SPEC §2: what is an item).

- each attached document is one item;
- a message without documents whose body holds the text is one item;
- a short body beside attachments ("请查收", signatures) is a cover note, not an item;
- a forwarded submission (attached as message/rfc822, or forwarded inline) is taken
  from inside; the unit stays the one that forwarded it (its sender).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

from classify.wordcount import countable_lines
from ingest.base import Incoming
from ingest.documents import (
    Document,
    detect_format,
    is_document_name,
    read_documents,
    split_title,
)
from ingest.mime import ParsedMessage, parse_message, read_tnef, unwrap_forward
from zwxx.errors import DocumentError

# A body with fewer countable characters than this next to attachments is a cover note.
COVER_NOTE_MAX = 150
_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
_AUTO_REPLY = re.compile(r"^\s*(?:自动回复|auto(?:matic)?\s*reply|out of office|休假)", re.I)
_NON_TEXT = re.compile(r"\s+|[，。、；：？！“”‘’（）《》【】,.;:?!()\"'\-—…]")


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
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lower()
    return (
        detect_format(data) == "text"
        and head.startswith(
            (
                b"received:",
                b"return-path:",
                b"from:",
                b"mime-version:",
                b"message-id:",
                b"delivered-to:",
                b"x-",
                b"date:",
                b"to:",
                b"subject:",
            )
        )
        and b"\nsubject:" in b"\n" + head
        and b"\nfrom:" in b"\n" + head
    )


def clean_subject(subject: str) -> str:
    """Without Re:/Fw:/转发: prefixes."""
    return _REPLY_PREFIX.sub("", subject).strip()


def _norm(text: str) -> str:
    return _NON_TEXT.sub("", text)


def _body_document(subject: str, lines: list[str]) -> Document:
    """The body as a document titled by the subject (a first line repeating the subject
    is dropped); without a subject, the body's own first short line is the title."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[0].strip():
        kept.pop(0)
    if kept and subject and _norm(kept[0]) and _norm(kept[0]) in _norm(subject):
        kept.pop(0)
    if subject:
        return Document(name=subject, title=subject, paragraphs=kept)
    title, body = split_title(kept, "邮件正文")
    return Document(name="邮件正文", title=title, paragraphs=body)


def _read_attachments(pairs: list[tuple[str, bytes]], out: Extracted) -> None:
    for name, data in pairs:
        if data[:4] == _TNEF_SIGNATURE:
            continue  # handled by the mail parser
        if not is_document_name(name):
            continue  # images, signatures, calendar files: not submissions
        try:
            out.documents.extend(read_documents(data, name))
        except DocumentError as exc:
            out.failures.append((name, exc.message))


def _from_message(msg: ParsedMessage, incoming: Incoming) -> Extracted:
    out = Extracted(
        subject=msg.subject,
        sender=incoming.sender or msg.sender,
        sender_name=msg.sender_name,
        message_id=msg.message_id,
    )
    if _AUTO_REPLY.match(msg.subject):
        out.ignored = f"自动回复邮件（主题“{msg.subject}”），不是报送信息"
        return out
    _read_attachments(msg.attachments, out)
    body = unwrap_forward(msg.body.split("\n"))
    substantive = "".join(countable_lines(body))
    title = clean_subject(msg.subject)
    if out.documents or out.failures:
        # Beside attachments the body is a cover note, unless it is long and is not
        # a copy of an attached document (units often paste the text in as well).
        if len(substantive) >= COVER_NOTE_MAX:
            text = _norm(substantive)
            copies = any(
                text in _norm("".join(d.paragraphs)) or _norm("".join(d.paragraphs)) in text
                for d in out.documents
            )
            if not copies:
                out.documents.append(_body_document(title, body))
    elif substantive:
        out.documents.append(_body_document(title, body))
    else:
        out.ignored = "邮件没有附件，正文也没有内容（仅有附言或签名），不是报送信息"
    return out


def extract(incoming: Incoming) -> Extracted:
    """Raises DocumentError when the envelope as a whole cannot be read."""
    if incoming.raw[:4] == _TNEF_SIGNATURE:  # a bare winmail.dat dropped as a file
        msg = ParsedMessage()
        plain, htmls = read_tnef(incoming.raw, msg)
        msg.body = "\n".join(plain or htmls)
        if not msg.attachments and not msg.body.strip():
            raise DocumentError("winmail.dat 中没有可读取的附件或正文")
        return _from_message(msg, incoming)
    if not looks_like_message(incoming.raw, incoming.name):
        return Extracted(
            sender=incoming.sender, documents=read_documents(incoming.raw, incoming.name)
        )
    return _from_message(parse_message(incoming.raw), incoming)
