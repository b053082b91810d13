"""A message (RFC 822 bytes) into subject, sender, body text and attachments.

Standard library for now. Chinese mail declares gb2312 but holds GBK, so every legacy
Chinese charset is decoded as its superset GB18030; the parsing issue deepens this.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses

from zwxx.errors import DocumentError

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-gbk": "gb18030",
    "big5": "big5hkscs",
}
_RFC2047_LEGACY = re.compile(rb"=\?(gb2312|gbk|cp936|euc-cn|x-gbk)\?", re.IGNORECASE)


@dataclass
class ParsedMessage:
    subject: str = ""
    sender_name: str = ""
    sender: str | None = None  # lower-case address
    message_id: str | None = None
    body: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)


def charset_of(part: Message) -> str:
    cs = (part.get_content_charset() or "utf-8").lower()
    return _SUPERSETS.get(cs, cs)


def decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(charset_of(part))
    except (LookupError, UnicodeDecodeError):
        for fallback in ("utf-8", "gb18030"):
            try:
                return payload.decode(fallback)
            except UnicodeDecodeError:
                continue
        return payload.decode("utf-8", errors="replace")


def html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style).*?</\1>", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</h\d>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def parse_message(raw: bytes) -> ParsedMessage:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    raw = _RFC2047_LEGACY.sub(b"=?gb18030?", raw)
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # the parser is lenient; this is truly broken input
        raise DocumentError(f"邮件无法解析（{type(exc).__name__}）") from None
    assert isinstance(msg, EmailMessage)
    out = ParsedMessage(subject=str(msg.get("Subject", "") or "").strip())
    senders = getaddresses([str(msg.get("From", "") or "")])
    if senders and senders[0][1]:
        out.sender_name, out.sender = senders[0][0], senders[0][1].lower()
    mid = msg.get("Message-ID")
    out.message_id = str(mid).strip() if mid else None
    plain: list[str] = []
    htmls: list[str] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        filename = part.get_filename()
        disposition = part.get_content_disposition()
        if filename or disposition == "attachment":
            out.attachments.append((filename or "附件", part.get_payload(decode=True) or b""))
        elif part.get_content_type() == "text/plain":
            plain.append(decode_part(part))
        elif part.get_content_type() == "text/html":
            htmls.append(html_to_text(decode_part(part)))
    out.body = "\n".join(plain) if plain else "\n".join(htmls)
    return out
