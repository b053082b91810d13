"""An incoming envelope (a message or a file) into documents (SPEC §2: what is an item).

- each attached document is one item;
- a message without documents whose body holds the text is one item;
- a short body beside attachments ("请查收", signatures) is a cover note, not an item;
- a body that is only a cover note, with nothing attached, is no item (ignored);
- a body-only submission is titled by its own heading line; a subject that is a cover
  phrase ("报送信息一条") is never the title when the body has one;
- a forwarded submission (attached as message/rfc822, or forwarded inline) is taken
  from inside; the unit stays the one that forwarded it (its sender).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import compat32
from pathlib import PurePath

from zwxx.classify.titles import (
    is_cover_note,
    is_cover_phrase,
    is_note_line,
    skip_masthead,
    strip_tags,
)
from zwxx.classify.wordcount import countable_lines, is_signoff
from zwxx.errors import DocumentError
from zwxx.ingest.documents import (
    MAX_TITLE,
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
COVER_NOTE_IGNORED = "只有附言，没有附件或正文信息，不计"
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
    note: str = ""  # the cover note beside attachments ("这是我镇本月第二篇专报，请查收")


# Header fields only a message has (RFC 5322 / 2045); a text submission has none of them.
_MESSAGE_FIELDS = frozenset(
    ("from", "subject", "date", "message-id", "received", "mime-version", "content-type")
)
_SNIFF_BYTES = 256 * 1024  # enough for any real header block


def looks_like_message(data: bytes, name: str) -> bool:
    """Whether a drop-folder file is a whole message (a mailbox hands over messages only,
    see ``Incoming.is_message``): an ``.eml`` name, or a header block the standard parser
    reads, in any order and under any name (a byte-order mark and an mbox ``From `` line
    before it are skipped), holding a field only a message has (From, Subject, Date,
    Message-ID, Received, MIME-Version, Content-Type). The block must end at a blank line
    (or the end) unless it holds two such fields: a text whose first line is
    "Date: 2019-04-05" is still a document; "标题" or "附件：" lines are never headers."""
    if PurePath(name.lower()).suffix == ".eml":
        return True
    head = data[:_SNIFF_BYTES]
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    if detect_format(head) != "text":
        return False
    try:
        # Parses up to the first line that is no header field; a leading "From " line
        # is taken as the mbox separator (unixfrom), not a field.
        parsed = BytesParser(policy=compat32).parsebytes(head, headersonly=True)
    except Exception:  # nothing a parser can read as headers
        return False
    found = {key.lower() for key in parsed} & _MESSAGE_FIELDS
    if not found:
        return False
    broken = any(
        type(d).__name__ in ("MissingHeaderBodySeparatorDefect", "MisplacedEnvelopeHeaderDefect")
        for d in parsed.defects
    )
    return len(found) >= 2 or not broken


def clean_subject(subject: str) -> str:
    """Without Re:/Fw:/转发: prefixes."""
    return _REPLY_PREFIX.sub("", subject).strip()


def _norm(text: str) -> str:
    return _NON_TEXT.sub("", text)


# A heading line starts no section ("一、基本情况", "（二）", "1.") and ends no sentence.
_SECTION_LINE = re.compile(
    r"^\s*(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十\d]{1,3}[）)]|\d{1,2}[、.．])"
)
_SENTENCE_END = ("。", "；", ";", "！", "!", "？", "?", "，", ",", "：", ":", "…", "、")
LEAD_LINES = 8  # notes to the office and a masthead stand within the first lines


def _heading_line(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= MAX_TITLE
        and not text.endswith(_SENTENCE_END)
        and not _SECTION_LINE.match(text)
        and not is_signoff(text)
    )


def _text_start(lines: list[str]) -> int:
    """Where the text starts: after greetings and notes to the office ("各位领导：",
    "附件是6月份信息，请查收。", "此为修改稿，请以此稿为准。") and a masthead."""
    n = 0
    while True:
        while n < min(len(lines), LEAD_LINES) and (not lines[n].strip() or is_note_line(lines[n])):
            n += 1
        skipped = skip_masthead(lines[n:]) if n < LEAD_LINES else 0
        if not skipped:
            return n
        n += skipped


def _body_document(subject: str, lines: list[str], reply: bool = False) -> Document:
    """The body as a document. Its own heading line is the title (the text starts after
    greetings, notes to the office and a masthead); a first line repeating the subject
    is dropped and the subject is the title. A subject that is a cover phrase
    ("报送信息一条", "区民政局报送信息", "请查收") is never the title when the body has a
    heading; without one the subject (else "邮件正文") is the title. In a reply the
    subject is the mail answered, so the body's own title line wins."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[0].strip():
        kept.pop(0)
    if reply:
        start = next((n for n, x in enumerate(kept) if x.strip() and not _GREETING.match(x)), 0)
        title, body = split_title(kept[start:], "")
        if title and not (_norm(title) and _norm(title) in _norm(subject)):
            return Document(name=subject or "邮件正文", title=title, paragraphs=body)
    if subject and not is_cover_phrase(strip_tags(subject)):
        # The title repeating the subject is dropped, and with it a short note to the
        # office above it ("此为修改稿，请以此稿为准。"): the note is no part of the text.
        lead = [n for n, line in enumerate(kept[:LEAD_LINES]) if line.strip()][:3]
        for n in lead:
            line = _norm(kept[n])
            if len(line) >= min(6, len(_norm(subject))) and line in _norm(subject):
                if all(len(x.strip()) <= NOTE_MAX for x in kept[:n]):
                    return Document(name=subject, title=subject, paragraphs=kept[n + 1 :])
                break
    rest = kept[_text_start(kept) :]
    first = next((n for n, x in enumerate(rest) if x.strip()), None)
    if first is not None and not _heading_line(rest[first]):
        first = _heading_under_notes(rest, first)
    if first is not None and _heading_line(rest[first]) and countable_lines(rest[first + 1 :]):
        title = rest[first].strip()
        return Document(name=subject or "邮件正文", title=title, paragraphs=rest[first + 1 :])
    return Document(name=subject or "邮件正文", title=subject or "邮件正文", paragraphs=rest)


# Words of a note about the mail itself ("一篇正文，一篇附件。", "请审阅。"), not of a text.
_ABOUT_MAIL = re.compile(r"附件|正文|查收|审阅|审核|报送|上报|投稿|此稿|修改稿|领导|老师|您好|收悉")


def _heading_under_notes(lines: list[str], first: int) -> int:
    """The heading line under short notes about the mail that the note rules did not
    know ("一篇正文，一篇附件。"); ``first`` when there is none. Only short sentences that
    speak of the mail may stand above it: a text's own opening sentence never does."""
    above: list[str] = []
    for n in range(first, min(len(lines), first + LEAD_LINES)):
        text = lines[n].strip()
        if not text:
            continue
        if above and _heading_line(text) and countable_lines(lines[n + 1 :]):
            return n
        if len(text) > NOTE_MAX or not _ABOUT_MAIL.search(text) or _heading_line(text):
            return first
        above.append(text)
    return first


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
    lines = countable_lines(body)  # stripped, without empty lines
    substantive = "".join(lines)
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
        else:
            out.note = "\n".join(lines)
    elif is_cover_note(lines):
        # A note with nothing attached ("附件是6月份信息，请查收。"): no item (SPEC §2).
        out.ignored = COVER_NOTE_IGNORED
    elif substantive:
        out.documents.append(_body_document(title, body, reply))
    else:
        out.ignored = "邮件没有附件，正文也没有内容（仅有附言或签名），不是报送信息"
    return out


def extract(incoming: Incoming) -> Extracted:
    """Raises DocumentError when the envelope as a whole cannot be read."""
    if not incoming.is_message and incoming.raw[:4] == _TNEF_SIGNATURE:  # a bare winmail.dat
        msg = ParsedMessage()
        plain, htmls = read_tnef(incoming.raw, msg)
        msg.body = "\n".join(plain or htmls)
        if not msg.attachments and not msg.body.strip():
            raise DocumentError("winmail.dat 中没有可读取的附件或正文")
        return _from_message(msg, incoming)
    # A mailbox hands over messages, always; a drop-folder file is sniffed.
    if not (incoming.is_message or looks_like_message(incoming.raw, incoming.name)):
        return Extracted(
            sender=incoming.sender, documents=read_documents(incoming.raw, incoming.name)
        )
    return _from_message(parse_message(incoming.raw), incoming, _header_fields(incoming.raw))
