"""字数 as Word/WPS 字数统计 counts it (SPEC §3), and the lines that do not count."""

from __future__ import annotations

import re
import unicodedata

# A non-Chinese "word": ASCII letters/digits with . % - / : joined inside or after it,
# so 38.6, 52%, 2019-04-05, 5G, PPP are one word each.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # with accents (café), not ×/÷
_WORD = re.compile(rf"[{_LATIN}][{_LATIN}.%\-/:]*")
_WORD_CHAR = re.compile(rf"[{_LATIN}]")

# Sign-off and contact lines (供稿/撰稿/联系人/电话 ...), possibly in brackets.
_SIGNOFF = re.compile(
    r"^[\s（(【\[]*(?:供稿单位|报送单位|供稿|撰稿人?|撰写|执笔|信息员|联系人|联系电话|电话|"
    r"审核|审稿|签发|编辑|责任编辑|报送人|作者)\s*[：:]"
)
# Mail-client signatures: everything from such a line on is not the submission.
_SIGNATURE = re.compile(
    r"^(?:--\s*$|发自我的|发自网易邮箱|发自(?:手机)?QQ邮箱|Sent from my|从我的.*发送|"
    r"-{3,}\s*(?:原始邮件|Original Message|转发邮件|Forwarded message))",
    re.IGNORECASE,
)


def _visible(ch: str) -> bool:
    """Not a space and not an invisible format character (zero-width space, BOM)."""
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def count_chars(text: str) -> int:
    """The Word/WPS 字数: each visible non-ASCII character is 1 (letters of a Latin word
    excepted), and each word of letters and digits is 1."""
    wide = sum(1 for ch in text if ord(ch) > 127 and _visible(ch) and not _WORD_CHAR.match(ch))
    return wide + len(_WORD.findall(text))


def count_no_spaces(text: str) -> int:
    """Characters without spaces (Word's 字符数(不计空格))."""
    return sum(1 for ch in text if _visible(ch))


# A bracketed line naming a contact or a phone number: （区审计局  韩冰  6218842）
_BRACKETED_SIGNOFF = re.compile(
    r"^[（(](?=.*(?:供稿|撰稿|报送人|联系人|电话|信息员|\d{7,}))[^（）()]{2,80}[）)]$"
)


def is_signoff(line: str) -> bool:
    line = line.strip()
    return bool(_SIGNOFF.match(line) or _BRACKETED_SIGNOFF.match(line))


def countable_lines(lines: list[str]) -> list[str]:
    """The body lines that count: no sign-off lines, nothing after a mail signature."""
    out: list[str] = []
    for line in lines:
        stripped = line.strip()
        if _SIGNATURE.match(stripped):
            break
        if stripped and not is_signoff(stripped):
            out.append(stripped)
    return out
