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
from email.parser import BytesParser
from email.policy import compat32
from pathlib import PurePath

from zwxx.classify.wordcount import countable_lines
from zwxx.errors import DocumentError
from zwxx.ingest.documents import (
    detect_format,
    is_document_name,
    read_documents,
    split_title,
)
from zwxx.ingest.mime import (
    _FORWARD_HEADER,
    _FORWARD_MARK,
    ParsedMessage,
    parse_message,
    read_tnef,
    unwrap_forward,
)
from zwxx.types import Document, Incoming

# A body with fewer countable characters than this next to attachments is a cover note.
COVER_NOTE_MAX = 150
# A line above the title of a body-only submission this short is a note to the office.
NOTE_MAX = 60
_TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"
_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fw|fwd|aw|wg|回复|答复|转发)\s*[:：]\s*)+", re.IGNORECASE)
# A reply (not a forward): its subject is the office's mail it answers ("回复：关于报送10月
# 份政务信息的提醒"), not the title of the text the unit wrote above the quote.
_GREETING = re.compile(r"^\s*(?:[^，。,.]{0,12}[：:]|(?:您好|你好)[！!，,。]?)\s*$")
_REPLY_ONLY = re.compile(r"^\s*(?:re|aw|回复|答复)\s*[:：]", re.IGNORECASE)
# Auto-replies by their phrasing ("自动回复：…", "休假中", "外出，…", "不在办公室",
# "Out of Office", "Auto-Reply"), not by a word a real title may start with
# ("休假制度落实情况调研" is a submission).
_AUTO_REPLY = re.compile(
    r"^\s*(?:(?:\[|【)?(?:自动回复|自动答复|系统自动回复)|auto(?:matic)?[\s-]*reply|"
    r"auto[\s-]*response|out of (?:the )?office|休假中|(?:正在|目前)?休假[，,:：\s]|"
    r"外出(?:中|学习|培训|开会|公干)?[，,:：\s]|"
    r"(?:我|本人)?(?:目前|暂时|现)?(?:不在办公室|不在(?:单位|岗)[，,:：\s]))",
    re.I,
)
# Delivery failures (DSN): the mail system's notices, not units' mail.
_BOUNCE_SENDER = re.compile(r"^(?:mailer-daemon|postmaster|mail-daemon)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"^\s*(?:系统退信|邮件退信|退信|投递失败|邮件投递失败|无法投递|Undeliver|"
    r"Delivery Status Notification|Delivery (?:has )?failed|Mail delivery failed|"
    r"Returned mail|Delivery Failure)",
    re.I,
)
# Read receipts (MDN) the office asked for: "已读：关于报送……".
_RECEIPT_SUBJECT = re.compile(r"^\s*(?:已读|阅读回执|已阅读|Read)\s*[:：]", re.I)
# Mailing lists and marketing (网易、QQ 邮箱的推广邮件): list headers, bulk precedence,
# or the providers' own promotion senders.
_NEWSLETTER_SENDER = re.compile(
    r"^(?:newsletter|edm|marketing|promotion)[^@]*@|@(?:service\.netease\.com|"
    r"newsletter\.[\w.-]+|edm\.[\w.-]+)$|^10000@qq\.com$",
    re.I,
)
# A quoted original below a reply: "在 2026年10月9日 …写道：", "On … wrote:", "> …".
_WROTE = re.compile(r"^\s*(?:在\s*.{4,60}写道|On\s.{4,120}wrote)\s*[:：]\s*$", re.I)
_QUOTED = re.compile(r"^\s*>")
REPLY_NOTE_IGNORED = "回复邮件，只有简短答复，没有报送内容"
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


def _body_document(subject: str, lines: list[str], reply: bool = False) -> Document:
    """The body as a document titled by the subject (a first line repeating the subject
    is dropped); without a subject, the body's own first short line is the title. In a
    reply the subject is the mail answered, so the body's own title line wins."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[0].strip():
        kept.pop(0)
    if reply:
        start = next((n for n, x in enumerate(kept) if x.strip() and not _GREETING.match(x)), 0)
        title, body = split_title(kept[start:], "")
        if title and not (_norm(title) and _norm(title) in _norm(subject)):
            return Document(name=subject or "邮件正文", title=title, paragraphs=body)
    # The title repeating the subject is dropped, and with it a short note to the office
    # above it ("此为修改稿，请以此稿为准。"): the note is no part of the text.
    lead = [n for n, line in enumerate(kept[:8]) if line.strip()][:3]
    for n in lead:
        line = _norm(kept[n])
        if subject and len(line) >= min(6, len(_norm(subject))) and line in _norm(subject):
            if all(len(x.strip()) <= NOTE_MAX for x in kept[:n]):
                del kept[: n + 1]
            break
    if subject:
        return Document(name=subject, title=subject, paragraphs=kept)
    title, body = split_title(kept, "邮件正文")
    return Document(name="邮件正文", title=title, paragraphs=body)


def _reply_text(lines: list[str]) -> list[str]:
    """A reply's own text: the lines above the quoted original (the office's mail it
    answers, which is no part of the unit's submission)."""
    for index, line in enumerate(lines):
        if _WROTE.match(line) or _QUOTED.match(line):
            return lines[:index]
        if _FORWARD_MARK.match(line):
            following = next((x for x in lines[index + 1 :] if x.strip()), "")
            if _FORWARD_HEADER.match(following):
                return lines[:index]
        elif _FORWARD_HEADER.match(line) and index + 1 < len(lines):
            # A header block without a separator line (Outlook: "发件人: …" then "发送时间: …").
            following = next((x for x in lines[index + 1 :] if x.strip()), "")
            if re.match(r"^\s*(?:发件人|From)\s*[:：]", line) and _FORWARD_HEADER.match(following):
                return lines[:index]
    return lines


def _short_reply(lines: list[str]) -> bool:
    """A reply note ("收到，我们抓紧报送。"), not a text: short, or one short paragraph
    with no title line above it."""
    kept = [x.strip() for x in countable_lines(lines) if x.strip()]
    size = len(_norm("".join(kept)))
    return size < NOTE_MAX or (len(kept) == 1 and size < COVER_NOTE_MAX)


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


def _header_fields(raw: bytes) -> dict[str, str]:
    """The top-level headers that mark machine mail, lower-case names (first value)."""
    try:
        head = BytesParser(policy=compat32).parsebytes(raw.lstrip(b"\xef\xbb\xbf"), True)
    except Exception:  # an unreadable header block: nothing to go on
        return {}
    out: dict[str, str] = {}
    for name in (
        "content-type",
        "auto-submitted",
        "x-autoreply",
        "x-autorespond",
        "precedence",
        "list-id",
        "list-unsubscribe",
    ):
        value = head.get(name)
        if value is not None:
            out[name] = " ".join(str(value).split()).lower()
    return out


def _not_a_submission(msg: ParsedMessage, headers: dict[str, str]) -> str | None:
    """Why the message is machine mail (bounce, auto-reply, newsletter), if it is."""
    sender = msg.sender or ""
    subject = msg.subject.strip()
    kind = headers.get("content-type", "")
    report = kind.startswith("multipart/report")
    if (report and "disposition-notification" in kind) or _RECEIPT_SUBJECT.match(subject):
        return f"已读回执（主题“{subject}”），不是报送信息"
    if report or _BOUNCE_SENDER.match(sender) or _BOUNCE_SUBJECT.match(subject):
        what = "退信通知（投递状态报告）" if report else f"退信通知（发件人 {sender or '未知'}）"
        return f"{what}，主题“{subject}”，不是报送信息"
    auto = headers.get("auto-submitted", "no").split(";")[0].strip()
    if (
        _AUTO_REPLY.match(subject)
        or auto == "auto-replied"
        or headers.get("x-autoreply") in ("yes", "true")
        or "x-autorespond" in headers
    ):
        return f"自动回复邮件（主题“{subject}”），不是报送信息"
    if "list-id" in headers or "list-unsubscribe" in headers:
        return f"邮件列表或订阅邮件（主题“{subject}”，带退订信息），不是报送信息"
    if headers.get("precedence") in ("bulk", "list", "junk") or _NEWSLETTER_SENDER.search(sender):
        return f"群发推广邮件（发件人 {sender}，主题“{subject}”），不是报送信息"
    return None


def _from_message(
    msg: ParsedMessage, incoming: Incoming, headers: dict[str, str] | None = None
) -> Extracted:
    out = Extracted(
        subject=msg.subject,
        sender=incoming.sender or msg.sender,
        sender_name=msg.sender_name,
        message_id=msg.message_id,
    )
    out.ignored = _not_a_submission(msg, headers or {})
    if out.ignored:
        return out
    _read_attachments(msg.attachments, out)
    title = clean_subject(msg.subject)
    reply = bool(_REPLY_ONLY.match(msg.subject))
    if reply:
        # A reply quotes the office's mail below the unit's text: the quote is never the
        # submission (a forward's enclosed text is: its unit is the forwarder).
        body = _reply_text(msg.body.split("\n"))
        if not (out.documents or out.failures) and _short_reply(body):
            out.ignored = REPLY_NOTE_IGNORED
            return out
    else:
        body = unwrap_forward(msg.body.split("\n"))
    substantive = "".join(countable_lines(body))
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
                out.documents.append(_body_document(title, body, reply))
    elif substantive:
        out.documents.append(_body_document(title, body, reply))
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
    return _from_message(parse_message(incoming.raw), incoming, _header_fields(incoming.raw))
