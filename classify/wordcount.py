"""字数 as Word/WPS 字数统计 counts it (SPEC §3), and the lines that do not count."""

from __future__ import annotations

import re
import unicodedata

# A non-Chinese "word": Latin letters (accented ones too: café, Düsseldorf, and a letter
# followed by combining accents) and digits with . % - / : joined inside or after it,
# so 38.6, 52%, 2019-04-05, 5G, COVID-19, PPP are one word each.
_LATIN = "A-Za-z0-9\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"  # not ×/÷
_MARKS = "\u0300-\u036f"  # combining accents belong to the letter before them
_WORD = re.compile(rf"[{_LATIN}][{_LATIN}{_MARKS}.%\-/:]*")

# Mail-client signatures: everything from such a line on is not the submission.
_SIGNATURE = re.compile(
    r"^(?:--\s*$|发自我的|发自网易邮箱|发自(?:手机)?QQ邮箱|Sent from my|从我的.*发送|"
    r"Get Outlook for|获取\s*Outlook\s*for|Begin forwarded message|"
    r"-{3,}\s*(?:原始邮件|Original Message|转发邮件|Forwarded message))",
    re.IGNORECASE,
)


def _visible(ch: str) -> bool:
    """Not a space and not an invisible format character (zero-width space, BOM)."""
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def count_chars(text: str) -> int:
    """The Word/WPS 字数: each visible non-ASCII character outside a Latin word is 1,
    and each word of letters and digits is 1."""
    text = unicodedata.normalize("NFC", text)  # u + U+0308 is the one letter ü
    words = _WORD.findall(text)
    rest = _WORD.sub(" ", text)
    return sum(1 for ch in rest if ord(ch) > 127 and _visible(ch)) + len(words)


def count_no_spaces(text: str) -> int:
    """Characters without spaces (Word's 字符数(不计空格))."""
    return sum(1 for ch in unicodedata.normalize("NFC", text) if _visible(ch))


# ------------------------------------------------------------ sign-off and contacts
# A line that only attributes the text or gives contacts does not count (SPEC §3):
#   撰稿人：刘洋  联系电话：0634-6881236        labelled fields
#   高庄街道  李红梅  电话：6521338               names, then labelled fields
#   值班电话：6555736 / 调研组成员：刘建国 张珺 孙晓燕
#   羊里镇人民政府 供稿 / （区发改委 供稿）       a unit with 供稿
#   （区发改委调研组） (区民政局) 【羊里镇党政办】 a unit alone in brackets
#   区工信局 罗军 6212875                        a unit with a phone number
# and, at the end of the text only, the 落款: 区科技局 / 牛泉镇  吴敏 / 2026年10月9日.
# Commas make a sentence: between names only after a label (联系人：王明，手机：…).
# Matching is on the NFKC form: full-width colons, brackets, digits become half-width.
_COLON = r"\s*[:∶]"
_LABEL = re.compile(
    r"(?:(?:联系|值班|办公|固定|移动|咨询|服务|举报|投诉|监督|传真)?(?:电话|热线)|"
    r"手机(?:号码?)?|传真|座机|联系方式|联系人|电子邮箱|邮箱|\b(?:e-?mail|tel|phone|fax)|成员|"
    r"审核人?|审稿人?|核稿人?|签发人?|撰稿人?|撰写人?|执笔人?|作者(?:单位)?|"
    r"供稿单位|报送单位|供稿人?|报送人|信息员|责任编辑|编辑|校对|摄影|摄)" + _COLON,
    re.IGNORECASE,
)
_UNIT_SUFFIX = (
    r"(?:局|委|委员会|管委会|办|办公室|办事处|镇|乡|街道|组|专班|中心|政府|公司|集团|站|所|院|"
    r"馆|工会|协会|商会|联合会|妇联|团委|社|队|处|科|部|室|厅|校|中学|小学|社区|村|区|县|支行|"
    r"文旅|城建)"
)
_UNIT = re.compile(rf"^[\u4e00-\u9fff]{{1,20}}?{_UNIT_SUFFIX}(?P<kw>供稿|提供|报送|撰稿|执笔)?$")
# Words that make a run ending like a unit's name a phrase of a sentence (以上数据来源于区统计局).
_NOT_NAME = re.compile(
    r"[的了是在于均将把被据已这那其如请]|以上|上述|根据|按照|通过|来源|来自|图为"
)
_KEYWORD = re.compile(r"^(?:供稿|提供|报送|撰稿|执笔|整理)$")
_PERSON = re.compile(r"^(?:[\u4e00-\u9fff·]{1,4}等?|[A-Za-z][A-Za-z.\-]+)$")
_PHONE = re.compile(r"^(?:转|分机)?\+?[\d\-—–‐.]*\d{3,}[\d\-—–‐.]*$")
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$", re.ASCII)
_DATE = re.compile(r"^\d{2,4}(?:年\d{1,2}月(?:\d{1,2}日)?|[-./]\d{1,2}[-./]\d{1,2})$")
_SEPARATORS = re.compile(r"[\s、,;/|]+")
_BRACKET = r"()\[\]【】〔〕〖〗<>《》"
_BRACKETED = re.compile(rf"^(?:\s*[(\[【〔〖][^{_BRACKET}]*[)\]】〕〗])+\s*$")
_SENTENCE_END = re.compile(r"[。!?]|\.\.\.")  # NFKC makes … three dots
_CLAUSE = re.compile(r"[,;]")  # (NFKC of ，；) between names only after a label
MAX_SIGNOFF = 100  # a longer line is text, whatever it starts with
MAX_FIELD = 20  # other words than names and numbers in a labelled value: a sentence


def _tokens(text: str) -> list[str]:
    return [t for t in _SEPARATORS.split(re.sub(rf"[{_BRACKET}]", " ", text)) if t]


def _kind(token: str) -> str | None:
    """unit / keyword / phone / name (a person, or a short word), None for anything else."""
    if _PHONE.match(token) or _EMAIL.match(token) or _DATE.match(token):
        return "phone"
    if _KEYWORD.match(token):
        return "keyword"
    unit = _UNIT.match(token)
    if unit and not _NOT_NAME.search(token):
        return "keyword" if unit["kw"] else "unit"
    return "name" if _PERSON.match(token) else None


def _attribution(text: str, bracketed: bool) -> bool:
    """``text`` (NFKC, without its brackets) is names, units, numbers and labelled
    fields only, with something that makes it a sign-off."""
    labels = list(_LABEL.finditer(text))
    head = text[: labels[0].start()] if labels else text
    kinds = [_kind(t) for t in _tokens(head)]
    if None in kinds or _CLAUSE.search(head):
        return False  # the label is inside a sentence: 市民可拨打服务电话：12345
    for index, label in enumerate(labels):
        end = labels[index + 1].start() if index + 1 < len(labels) else len(text)
        value = text[label.end() : end]
        other = [t for t in _tokens(value) if _kind(t) is None]
        if other and (len("".join(other)) > MAX_FIELD or _CLAUSE.search(value)):
            return False  # more than names and numbers: 联系人：张三，负责全区项目调度……
    if labels:
        return True
    if "keyword" in kinds:
        return True
    return "unit" in kinds and (bracketed or "phone" in kinds)


def is_signoff(line: str) -> bool:
    """A line that only attributes the text or gives contacts (SPEC §3)."""
    text = unicodedata.normalize("NFKC", line).strip()
    if not text or len(text) > MAX_SIGNOFF:
        return False
    if _SENTENCE_END.search(text.rstrip("。.")):
        return False  # a sentence, even if it names a unit or a phone number
    text = text.rstrip("。.")
    if _BRACKETED.match(text):
        groups = re.findall(rf"[(\[【〔〖]([^{_BRACKET}]*)[)\]】〕〗]", text)
        groups = [g.strip() for g in groups if g.strip()]
        return bool(groups) and all(_attribution(g, bracketed=True) for g in groups)
    return _attribution(text, bracketed=False)


_NUMBERED = re.compile(r"^[(]?(?:[一二三四五六七八九十]+|\d+)[、.)]")


# A rule drawn above a signature block (——————, ------, ______).
_RULE = re.compile(r"^[-—─━_=~＿﹏]{3,}$")


def _closing(line: str) -> str | None:
    """ "unit" for a 落款 line naming a unit, maybe with people (牛泉镇  吴敏), "date" for
    a date line (2026年10月9日), "rule" for a rule drawn above a signature, None for
    anything else."""
    if _RULE.match(line.replace(" ", "")):
        return "rule"
    text = unicodedata.normalize("NFKC", line).strip().rstrip("。.")
    if len(text) > 40 or _CLAUSE.search(text) or _SENTENCE_END.search(text):
        return None
    if _DATE.match(text.replace(" ", "")):
        return "date"
    if _NUMBERED.match(text):
        return None  # a heading of a list: 三、区财政局
    kinds = [_kind(t) for t in _tokens(text)]
    return "unit" if "unit" in kinds and set(kinds) <= {"unit", "name"} else None


# A forwarded message's header block (Outlook's HTML loses the rule above it):
# two or more such lines in a row, one of them naming a sender or recipient.
_HEADER_FIELD = re.compile(
    r"^(?:From|Sent|Date|To|Cc|Subject|发件人|发送时间|发送日期|发件时间|日期|时间|收件人|抄送|主题)"
    r"\s*[:：]",
    re.IGNORECASE,
)
_HEADER_PARTY = re.compile(r"^(?:From|To|发件人|收件人)\s*[:：]", re.IGNORECASE)


def _header_block(lines: list[str]) -> set[int]:
    """Indexes of the lines of forwarded-message header blocks in ``lines``."""
    found: set[int] = set()
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and _HEADER_FIELD.match(lines[end]):
            end += 1
        block = lines[start:end]
        if len(block) >= 2 and any(_HEADER_PARTY.match(x) for x in block):
            found.update(range(start, end))
        start = max(end, start + 1)
    return found


def countable_lines(lines: list[str]) -> list[str]:
    """The body lines that count: no sign-off lines, no forwarded-message header block,
    nothing after a mail signature, and no 落款 at the end (a unit's name on its own
    line, people's names, a date)."""
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if _SIGNATURE.match(stripped):
            break
        if stripped:
            kept.append(stripped)
    headers = _header_block(kept)
    out = [x for i, x in enumerate(kept) if i not in headers and not is_signoff(x)]
    end, closing = len(out), []
    while end and (kind := _closing(out[end - 1])):
        closing.append(kind)
        end -= 1
    if "unit" in closing:
        del out[end:]  # (a date alone at the end is no 落款: it may be the text's own)
    return out
