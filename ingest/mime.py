"""A message (RFC 822 bytes) into subject, sender, body text and attachments — CJK-safe.

Chinese mail is messy: GB2312 declared but GBK written, raw 8-bit GBK in headers and
file names, RFC 2231 names in gbk, bogus charsets (``charset=y``), TNEF winmail.dat from
Outlook, forwarded messages. Every text here is decoded by ``decode_bytes``: the declared
charset mapped to its superset (gb2312/gbk → GB18030, big5 → Big5-HKSCS) or, for the
UTF-16 names old clients use (unicodebig, unicode, ucs-2 …), to UTF-16 in the byte order
of its BOM or name, then UTF-8, then GB18030, then charset-normalizer's guess, then UTF-8
with replacement. Nothing here raises for bad input except DocumentError for bytes that
are not a message at all.

Why the standard library and not mail-parser for decoding: mail-parser (a requested
dependency) decodes with the declared charset, so GBK text declared as GB2312 comes out
with U+FFFD or mojibake, and raw 8-bit headers are lost; measured on the corpus in
``benchmarks/mailparser_compare.py`` (see README, 设计说明).
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import html
import logging
import re
from dataclasses import dataclass, field
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses

from zwxx.errors import DocumentError

log = logging.getLogger(__name__)

_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "x-gbk": "gb18030",
    "x-euc-cn": "gb18030",
    "csgb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "big5": "big5hkscs",
    "x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
}
# UTF-16 under the names mail clients give it: Java/old Outlook "UnicodeBig" and
# "UnicodeLittle" (with or without "Unmarked"), Windows "unicode" (code page 1200,
# little-endian) and "unicodeFFFE" (1201, big-endian), UCS-2 (order unknown).
_UTF16_NAMES = {
    "unicodebig": "utf-16-be",
    "unicodebigunmarked": "utf-16-be",
    "unicodefffe": "utf-16-be",
    "utf16be": "utf-16-be",
    "unicodelittle": "utf-16-le",
    "unicodelittleunmarked": "utf-16-le",
    "unicode": "utf-16-le",
    "utf16le": "utf-16-le",
    "utf16": "utf-16",
    "ucs2": "utf-16",
    "iso10646ucs2": "utf-16",
    "csunicode": "utf-16",
    "ucs2be": "utf-16-be",
    "ucs2le": "utf-16-le",
}
_UTF16_BOMS = {b"\xfe\xff": "utf-16-be", b"\xff\xfe": "utf-16-le"}
# What decoded text is made of, to tell the right byte order from the wrong one (in the
# wrong order 中 U+4E2D reads as U+2D4E, a line break as U+0A00).
_PLAUSIBLE = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u024f\u2000-\u206f\u2100-\u218f\u2460-\u24ff"
    "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
)
MAX_PARTS = 500  # a message with more parts than this is not a submission
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_BARE_B64 = re.compile(r"^[A-Za-z0-9+/]{8,}={0,2}$")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class _RawHeaders(email.policy.Compat32):
    """compat32, but header values come back as received (raw 8-bit bytes kept as
    surrogate escapes) instead of being replaced by U+FFFD, so we can decode them."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


_POLICY = _RawHeaders()


@dataclass
class ParsedMessage:
    subject: str = ""
    sender_name: str = ""
    sender: str | None = None  # lower-case address
    message_id: str | None = None
    body: str = ""
    attachments: list[tuple[str, bytes]] = field(default_factory=list)
    forwarded: bool = False  # the submission came wrapped in a forwarded message
    defects: list[str] = field(default_factory=list)


# ------------------------------------------------------------------------ decoding
def superset(charset: str | None) -> str | None:
    if not charset:
        return None
    cs = charset.strip().strip('"').lower()
    return _SUPERSETS.get(cs) or _UTF16_NAMES.get(re.sub(r"[-_\s]", "", cs), cs)


def is_utf16(charset: str | None) -> bool:
    return superset(charset) in ("utf-16", "utf-16-be", "utf-16-le")


def _plausible(text: str) -> int:
    """How many characters read as text. ASCII in the wrong byte order reads as U+xx00
    ("a" U+0061 as U+6100, a space as U+2000): such a character is no evidence (一 U+4E00
    and the ideographic space U+3000 excepted)."""
    return sum(
        1
        for ch in _PLAUSIBLE.findall(text)
        if ord(ch) & 0xFF or ch in "\u4e00\u3000" or not 0x09 <= ord(ch) >> 8 <= 0x7E
    )


def _decode_utf16(data: bytes, declared: str) -> str | None:
    """UTF-16 in the order its BOM says, else in the order the name says if that reads
    as text, else in the other (a name without an order: the one that reads better);
    None when neither reads as text (the label is wrong: the bytes are UTF-8, GBK …)."""
    bom = _UTF16_BOMS.get(data[:2])
    if bom:
        try:
            return data[2:].decode(bom)
        except UnicodeDecodeError:
            return None
    if b"\x00" not in data and max(data, default=0) > 0x7F:
        try:  # multi-byte UTF-8 under a UTF-16 label (UTF-16 text is next to never valid UTF-8)
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    if len(data) % 2:
        data = data[:-1]  # a stray last byte (a newline some gateway added)
    readings = []
    for codec in ("utf-16-be", "utf-16-le"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        plausible = _plausible(text)
        if plausible >= 0.8 * len(text):  # (ties: big-endian, RFC 2781's default)
            readings.append((codec == declared, plausible, codec == "utf-16-be", text))
    return max(readings)[3] if readings else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode ``data`` as well as it can be; never raises."""
    declared = superset(charset)
    if is_utf16(declared):
        text = _decode_utf16(data, declared or "")
        if text is not None:
            return text
    elif declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            pass
    for candidate in ("utf-8", "gb18030"):
        try:
            return data.decode(candidate)
        except UnicodeDecodeError:
            continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is not None:
            return str(best)
    except Exception:
        log.debug("charset detection failed", exc_info=True)
    return data.decode("utf-8", errors="replace")


def _raw8bit(text: str, hint: str | None) -> str:
    """A header that arrived as raw 8-bit bytes (surrogate-escaped by the parser),
    decoded with the message's own charset first (Big5 bytes are often valid GB18030)."""
    if not _SURROGATES.search(text):
        return text
    data = text.encode("ascii", "surrogateescape")
    try:  # UTF-8 first: GBK or Big5 bytes are almost never valid UTF-8, the reverse is
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return decode_bytes(data, hint)


def decode_header_value(value: object, hint: str | None = None) -> str:
    """RFC 2047 words (in any legacy charset), raw 8-bit bytes, or plain text."""
    if value is None:
        return ""
    text = _raw8bit(str(value), hint)
    if "=?" not in text:
        return " ".join(text.split())
    try:
        chunks = decode_header(text)
    except Exception:
        return " ".join(text.split())
    out = []
    for chunk, charset in chunks:
        out.append(decode_bytes(chunk, charset) if isinstance(chunk, bytes) else chunk)
    return " ".join("".join(out).split())


def _bare_base64(name: str) -> str:
    """Some clients put a file name as bare base64 (no =?…?= around it)."""
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    candidate = stem if dot else name
    if not _BARE_B64.match(candidate) or len(candidate) % 4:
        return name
    try:
        decoded = decode_bytes(base64.b64decode(candidate, validate=True))
    except (binascii.Error, ValueError):
        return name
    if not _CJK.search(decoded) or "\ufffd" in decoded:
        return name
    return decoded + (f".{ext}" if dot else "")


def filename_of(part: Message, hint: str | None = None) -> str | None:
    """The attachment's name from RFC 2231, RFC 2047 (also inside quotes), raw 8-bit
    bytes or bare base64 — in Content-Disposition, else Content-Type's name."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = part.get_param(param, header=header)
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1)
            charset, _lang, text = value
            raw = bytes(text, "raw-unicode-escape") if isinstance(text, str) else text
            name = decode_bytes(raw, charset)
        else:
            name = decode_header_value(email.utils.unquote(value), hint)
        name = _bare_base64(name.strip())
        if name:
            return name.replace("\x00", "")
    return None


# ------------------------------------------------------------------------ structure
def html_to_text(markup: str) -> str:
    """HTML mail body to text with its paragraphs kept."""
    markup = re.sub(r"(?is)<(script|style|head|title)\b.*?</\1\s*>", "", markup)
    markup = re.sub(r"(?is)<!--.*?-->", "", markup)
    markup = re.sub(r"(?i)<br\s*/?>", "\n", markup)
    markup = re.sub(r"(?i)</?(p|div|tr|li|h\d|table|blockquote)\b[^>]*>", "\n", markup)
    text = html.unescape(re.sub(r"<[^>]*>", "", markup)).replace("\xa0", " ")
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def decode_part(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "surrogateescape")
    return decode_bytes(payload, part.get_content_charset())


def _payload_bytes(part: Message) -> bytes:
    """A leaf part's decoded body; b"" when it has none."""
    payload = part.get_payload(decode=True)  # bytes or None for a part that is not multipart
    return payload if isinstance(payload, bytes) else b""


def read_tnef(data: bytes, out: ParsedMessage) -> tuple[list[str], list[str]]:
    """Attachments (and body) carried in an Outlook winmail.dat."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data, do_checksum=False)
    except Exception as exc:
        out.defects.append(f"winmail.dat 无法解析（{type(exc).__name__}）")
        return [], []
    for att in tnef.attachments:
        raw_name = att.long_filename() or att.name or b"attachment"
        name = raw_name if isinstance(raw_name, str) else decode_bytes(raw_name)
        out.attachments.append((name.replace("\x00", "").strip(), att.data or b""))
    plain = [decode_bytes(tnef.body)] if isinstance(getattr(tnef, "body", None), bytes) else []
    htmls = []
    if isinstance(getattr(tnef, "htmlbody", None), bytes):
        htmls.append(html_to_text(decode_bytes(tnef.htmlbody)))
    return plain, htmls


def _walk(msg: Message, out: ParsedMessage, hint: str | None, plain: list, htmls: list) -> None:
    parts = 0
    for part in msg.walk():
        parts += 1
        if parts > MAX_PARTS:
            out.defects.append(f"邮件部件超过 {MAX_PARTS} 个，其余部分未读取")
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            out.forwarded = True  # walk() continues into the enclosed message itself
            continue
        if part.is_multipart():
            continue
        name = filename_of(part, hint)
        disposition = part.get_content_disposition()
        if ctype == "application/ms-tnef" or (name or "").lower() == "winmail.dat":
            p, h = read_tnef(_payload_bytes(part), out)
            plain += p
            htmls += h
        elif name or disposition == "attachment":
            out.attachments.append((name or "附件", _payload_bytes(part)))
        elif ctype == "text/plain" or part.get_content_maintype() == "multipart":
            # (a "multipart" that is not one has lost its boundary: read it as text)
            plain.append(decode_part(part))
        elif ctype == "text/html":
            htmls.append(html_to_text(decode_part(part)))


def parse_message(raw: bytes) -> ParsedMessage:
    """Parse a message; raises DocumentError only when ``raw`` is not a message."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise DocumentError("邮件内容为空")
    try:
        msg = email.message_from_bytes(raw, policy=_POLICY)
    except Exception as exc:
        raise DocumentError(f"邮件无法解析（{type(exc).__name__}）") from None
    # (8-bit header bytes are never UTF-16: a UTF-16 part's charset is no hint for them)
    hint = next((superset(c) for c in msg.get_charsets() if c and not is_utf16(c)), None)
    out = ParsedMessage(subject=decode_header_value(msg.get("Subject"), hint))
    senders = getaddresses([decode_header_value(msg.get("From"), hint)])
    if senders and "@" in senders[0][1]:
        out.sender_name, out.sender = senders[0][0].strip(), senders[0][1].strip().lower()
    message_id = msg.get("Message-ID")
    out.message_id = " ".join(str(message_id).split()) if message_id else None
    plain: list[str] = []
    htmls: list[str] = []
    _walk(msg, out, hint, plain, htmls)
    # Prefer the plain text; a client that sent HTML only still gets its paragraphs.
    text = "\n".join(t for t in plain if t.strip()) or "\n".join(htmls)
    out.body = text.replace("\r\n", "\n").replace("\r", "\n")
    out.defects += [type(d).__name__ for d in getattr(msg, "defects", [])]
    return out


# ------------------------------------------------------------------ forwarded text
_FORWARD_MARK = re.compile(
    r"^\s*(?:-{2,}\s*(?:原始邮件|转发邮件信息|Original Message|Forwarded message)\s*-{2,}"
    r"|[-_]{5,}\s*$|Begin forwarded message:)",
    re.IGNORECASE,
)
_FORWARD_HEADER = re.compile(
    r"^\s*(?:From|Sent|Date|To|Cc|Bcc|Subject|Reply-To|发件人|发送时间|发送日期|发件时间|日期|"
    r"时间|收件人|抄送|密送|主题)\s*[:：]",
    re.IGNORECASE,
)
FORWARD_NOTE_MAX = 80  # a note above the forwarded text longer than this is a reply


def unwrap_forward(lines: list[str]) -> list[str]:
    """The forwarded text of an inline forward (its header block removed), if the body
    is a short note followed by one; otherwise the lines unchanged."""
    for index, line in enumerate(lines):
        if not _FORWARD_MARK.match(line):
            continue
        rest = lines[index + 1 :]
        following = next((x for x in rest if x.strip()), "")
        if not _FORWARD_HEADER.match(following):
            continue  # a separator line, not a forwarded message's header block
        if len("".join(x.strip() for x in lines[:index])) > FORWARD_NOTE_MAX:
            return lines  # a reply above a quoted original: the reply is the text
        while rest and (not rest[0].strip() or _FORWARD_HEADER.match(rest[0])):
            rest = rest[1:]
        return rest
    return lines
