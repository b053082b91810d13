"""Which line of a text is its title, and which words around it are no part of it.

- cover phrases (报送信息一条、请查收、转发、附件是6月份信息): a subject or a line that,
  without cover words, unit names, dates and counts, says nothing is a note to the office;
- tag runs before a title ("【动态】", "[经验]", "动态 | 寨里镇 | …", "动态信息：", "信息一则：");
- a masthead above a 简报-style document ("卫健信息 / 第15期 / 区卫生健康局编 / 2026年11月3日",
  "内部资料 注意保存").

Pure text rules: no roster, no rules file (the caller passes its category tags).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# ------------------------------------------------------------------------ cover phrases
_NUM = r"[0-9０-９一二两三四五六七八九十百零〇]+"
# Words of a note to the office: what is sent, how, to whom, and politeness.
_COVER_WORDS = (
    "请查收", "请查阅", "请审阅", "请审核", "请收阅", "请阅示", "请采用", "请审", "请收",
    "请阅", "查收", "查阅", "审阅", "审核", "收阅", "收悉", "采用", "阅示", "报送", "上报",
    "呈报", "投稿", "转发", "转来", "转给", "发送", "发来", "发给", "提交", "附上", "送上",
    "奉上", "重新发送", "重新", "重发", "补报", "补发", "再发一遍", "再发", "一遍", "政务信息",
    "信息", "稿件", "来稿", "材料", "文件", "附件", "邮件", "内容", "修改稿", "修改后", "修改",
    "更正", "以此稿为准", "此稿", "这一稿", "这稿", "一稿", "为准", "以此", "稿", "现将",
    "如下", "我单位", "本单位", "我们", "我局", "我镇", "我办", "我委", "我街道", "此为", "此",
    "谢谢", "感谢", "您好", "你好", "辛苦", "领导", "老师", "各位", "科长", "主任", "详见",
    "见", "敬请", "烦请", "麻烦", "予以", "一下", "本月", "上月", "本周", "本期", "今天",
    "昨天", "前天", "月份", "是", "为", "的", "和", "与", "及", "请", "已", "了", "共", "在",
    "中", "里", "内", "给", "您", "我", "你", "好", "下", "并", "望", "收",
)  # fmt: skip
_COVER = re.compile("|".join(sorted(map(re.escape, _COVER_WORDS), key=len, reverse=True)))
# Dates, counts and issue numbers: 2026年、6月、10月份、3日、第41周、一条、两篇、3份、第15期.
_DATES_COUNTS = re.compile(
    rf"{_NUM}\s*(?:年|月份|月|日|号)|第\s*{_NUM}\s*(?:周|期|批)|{_NUM}\s*(?:条|则|篇|份|个|件|期)"
)
# Category labels a unit puts before or as a title ("动态", "工作动态", "经验做法").
_LABEL_WORDS = (
    "工作", "重要", "典型", "政务", "综合", "信息", "动态", "经验", "做法", "调研", "专报",
    "市专报", "问题", "建议", "对策", "简讯", "快讯", "要闻", "报告", "文章", "类", "一则",
    "一条",
)  # fmt: skip
_LABEL = re.compile("|".join(sorted(map(re.escape, _LABEL_WORDS), key=len, reverse=True)))
# A unit's name by its shape (the roster is not needed to see that a subject is only
# "区民政局" + cover words): a few characters ending in an office's suffix.
_UNIT_LIKE = re.compile(
    r"^(?:莱芜区|莱芜|[\u4e00-\u9fff]{1,14}?)"
    r"(?:局|分局|委员会|委|办公室|办|镇|乡|街道|街道办事处|工业区|开发区|中心|公司|集团|社|部)$"
)
_BRACKETS = re.compile(r"[【\[「〖［『][^】\]」〗］』]{0,12}[】\]」〗］』]")
_TITLES_QUOTED = re.compile(r"《[^》]{0,40}》")
_NOT_TEXT = re.compile(r"[\s\W_a-zA-Z0-9０-９]+")


def _residue(text: str, words: re.Pattern[str]) -> tuple[str, bool]:
    """``text`` without ``words``, dates, counts, punctuation and Latin/digits; and
    whether any such word was there."""
    stripped = _DATES_COUNTS.sub("", text)
    residue = _NOT_TEXT.sub("", words.sub("", stripped))
    return residue, len(residue) < len(_NOT_TEXT.sub("", text))


def is_cover_phrase(text: str) -> bool:
    """A subject (or a line) that names no topic: without cover words, dates, counts and a
    unit's name nothing is left ("报送信息一条", "区民政局报送信息两篇", "请查收",
    "【动态】信息一则", "10月份政务信息", "转发"). "区城管局开展占道经营集中整治" has a topic."""
    text = _BRACKETS.sub("", text)
    residue, found = _residue(_LABEL.sub("", text), _COVER)
    if not residue:
        return bool(text.strip())
    # Only a unit's name left: "区民政局信息", "寨里镇报送信息"; a bare "区民政局" is a
    # unit's name, not a topic, all the same.
    return bool(_UNIT_LIKE.match(residue)) and (found or residue == _NOT_TEXT.sub("", text))


# A line addressing the office: "各位领导：", "信息科：", "您好！".
_ADDRESS = re.compile(r"^\s*(?:[^，。,.！!？?]{0,12}[：:]|(?:您好|你好)[！!，,。]?)\s*$")
# A short line that is a person's name (a signature line under a note).
_NAME_LINE = re.compile(r"^[\u4e00-\u9fff·]{2,4}$")
COVER_NOTE_MAX = 150  # a note to the office is shorter than this (countable characters)


def is_note_line(line: str) -> bool:
    """A line addressed to the office, not text of the submission: a greeting or a cover
    phrase ("各位领导：", "附件是6月份信息，请查收。", "此为修改稿，请以此稿为准。",
    "现将我局10月份政务信息报送如下：")."""
    line = line.strip()
    if not line:
        return False
    if _ADDRESS.match(line):
        return True
    text = _TITLES_QUOTED.sub("", line)
    residue, found = _residue(text, _COVER)
    if not found:
        return False
    return not residue or bool(_UNIT_LIKE.match(residue))


def is_cover_note(lines: Iterable[str]) -> bool:
    """The whole text is a note to the office and nothing else: short, every line a
    greeting or a cover phrase (or a name signing it), at least one a cover phrase.
    "附件是6月份信息，请查收。" is one; a 60-字 动态 ("近日，区民政局……") is not."""
    kept = [x.strip() for x in lines if x.strip()]
    if not kept or len(_NOT_TEXT.sub("", "".join(kept))) >= COVER_NOTE_MAX:
        return False
    notes = 0
    for line in kept:
        if is_note_line(line):
            notes += 1
            continue
        residue = _residue(_TITLES_QUOTED.sub("", line), _COVER)[0]
        if _UNIT_LIKE.match(residue):
            residue = ""
        if residue and not _NAME_LINE.match(residue):
            return False
    return notes > 0


# ---------------------------------------------------------------------------- tag runs
# A bracketed tag: 【动态】 [经验] 「专报」 〖调研〗 ［问题建议］.
_LEADING_BRACKET = re.compile(r"^\s*[【\[「〖［『][^】\]」〗］』]{1,12}[】\]」〗］』]\s*")
# A run of short parts before a bar: "动态 | 寨里镇 | 小米产业……", "动态|…", "动态丨…".
_BAR = re.compile(r"\s*[|｜丨]\s*")
BAR_PART_MAX = 12
# "动态信息：", "信息一则：", "寨里镇信息：" before the title.
_PREFIX = re.compile(r"^\s*([^\s：:，。,]{2,10})\s*[：:]\s*")


def _is_label(part: str, tags: tuple[str, ...]) -> bool:
    part = part.strip()
    if not part:
        return True
    if part in tags:
        return True
    residue, _found = _residue(_LABEL.sub("", part), _COVER)
    return not residue


def strip_tags(title: str, tags: Iterable[str] = ()) -> str:
    """The title without the tags a unit puts before it: bracketed tags, bar-separated
    runs ("动态 | 寨里镇 | 小米产业……" -> "寨里镇小米产业……": labels go, the other short
    parts are kept), and a label or cover phrase before a colon ("动态信息：",
    "信息一则：", "寨里镇信息："; a unit's name before a colon, "区城管局：开展……", stays)."""
    tags = tuple(tags)
    text = title.strip()
    while True:
        before = text
        text = _LEADING_BRACKET.sub("", text)
        parts = _BAR.split(text)
        if len(parts) > 1 and all(0 < len(p) <= BAR_PART_MAX for p in parts[:-1]):
            text = "".join(p for p in parts[:-1] if not _is_label(p, tags)) + parts[-1]
        prefix = _PREFIX.match(text)
        if prefix and text[prefix.end() :].strip():
            head = prefix.group(1)
            if _is_label(head, tags) or (is_cover_phrase(head) and not _UNIT_LIKE.match(head)):
                text = text[prefix.end() :]
        text = text.strip()
        if text == before:
            break
    return text or title.strip()


# ----------------------------------------------------------------------------- masthead
_ISSUE = re.compile(
    rf"[（(]?\s*(?:{_NUM}\s*年\s*)?(?:总\s*)?第\s*{_NUM}\s*期\s*[）)]?|[（(]\s*增刊\s*[）)]|增刊"
)
_MAST_DATE = re.compile(
    r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}\s*[-./]\s*\d{1,2}\s*[-./]\s*\d{1,2}|"
    r"[〇零一二三四五六七八九]{4}\s*年\s*[一二三四五六七八九十]{1,2}\s*月\s*[一二三四五六七八九十]{1,3}\s*日"
)
_INTERNAL = re.compile(r"内部(?:资料|刊物|参阅|材料)|注意保存|注意保密|妥善保存|请勿外传|仅供参考")
# 编印单位: "区卫生健康局编", "区委办公室 编印", "主办：区委宣传部".
_EDITOR = re.compile(
    r"(?:主办|编印|编发|承办)\s*[：:]\s*[\u4e00-\u9fff（）()]{2,30}|"
    r"[\u4e00-\u9fff（）()]{1,30}?(?:局|委|办|办公室|部|中心|政府|镇|街道|室|组|社|院|会)\s*"
    r"(?:编印|编发|主办|印发|编)(?=\s|$)"
)
# 刊名: "卫健信息", "工作简报", "城管动态", "政务信息（增刊）".
_MAST_NAME = re.compile(
    r"^[\u4e00-\u9fff]{2,10}(?:信息|简报|动态|快讯|专报|通讯|参阅|要情|周报|月报)$"
)
_RULE_LINE = re.compile(r"^[\s\-—─_=＝*★☆·•~～]+$")
MASTHEAD_MAX = 8  # lines a masthead may take


def _mast_kind(line: str) -> str | None:
    """ "name" (a 刊名 alone), "mast" (期号, 编印单位, date, 内部资料, a rule), or None."""
    text = line.strip()
    if not text or len(text) > 60:
        return None
    if _RULE_LINE.match(text):
        return "mast"
    rest = _ISSUE.sub(" ", text)
    had_issue = rest != text
    rest = _INTERNAL.sub(" ", _MAST_DATE.sub(" ", rest))
    rest = _EDITOR.sub(" ", rest)
    pieces = [p for p in re.split(r"[\s\t，,、/|]+", rest) if p and not _RULE_LINE.match(p)]
    if not pieces:
        return "mast"
    if len(pieces) == 1 and _MAST_NAME.match(pieces[0]):
        return "mast" if (had_issue or rest.strip() != text) else "name"
    return None


def skip_masthead(paragraphs: list[str]) -> int:
    """How many leading paragraphs are a masthead (0 if none). A 刊名 alone ("卫健信息")
    is one only with 期号/编印单位/date lines next to it: a text may be titled "城管动态"."""
    kinds: list[str] = []
    for text in paragraphs[:MASTHEAD_MAX]:
        if not text.strip():
            kinds.append("blank")
            continue
        kind = _mast_kind(text)
        if kind is None:
            break
        kinds.append(kind)
    while kinds and kinds[-1] == "blank":
        kinds.pop()
    if "mast" not in kinds:
        return 0
    return len(kinds)
