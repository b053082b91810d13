"""Category (分类) of an item (SPEC §3), each decision with a Chinese reason.

Order: an explicit label in subject, file name or title (【调研】, 调研信息：, -专报-, or a
part of a file name or subject ending in a tag: "口镇经验做法-…"); "专报" anywhere there;
cue words in the title; a long text in numbered sections is research; cue words in the
lead; else the rules' default. Cue words, their priority and the length thresholds are in
the rules file. A problem cue naming problems already dealt with (news of work done:
"发现问题23处", "隐患排查整治") is not taken as a cue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zwxx.config.rules import Rules

# Bracketed labels: 【动态】 [调研] 「专报」 〖经验〗 ［问题建议］ (…) at the start.
_BRACKETED = re.compile(r"[【\[「〖［『]\s*([^】\]」〗］』]{1,12}?)\s*[】\]」〗］』]")
_PAREN_LEAD = re.compile(r"^\s*[（(]\s*([^）)]{1,8}?)\s*[）)]")
# "调研信息：…" at the start, or "-调研-" anywhere.
_PREFIX = re.compile(r"^\s*([^\s：:]{2,8})\s*[：:]")
_DASHED = re.compile(r"[-—]\s*([^-—\s]{2,8})\s*[-—]")
# Parts of a file name or subject: "口镇经验做法-三链融合.docx" -> 口镇经验做法, 三链融合.
# A tag ending a part of a file name or subject is a label from this many characters on.
SEGMENT_TAG_MIN = 3
_SEGMENT_SPLIT = re.compile(r"[-_—－\s：:]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class CategoryDecision:
    category: str
    reason: str
    explicit: bool
    # A label the content contradicts: the label is kept (still counted), and this note
    # asks the clerk to check it ("标注为动态信息，但内容（1800字、分5部分）更像调研信息，请核对").
    conflict: str = ""


def _tag_table(rules: Rules) -> dict[str, str]:
    return {tag: key for key, cat in rules.categories.items() for tag in cat.tags}


def find_label(text: str, rules: Rules, *, segments: bool = False) -> str | None:
    """The category named by an explicit label in ``text``, if any. With ``segments``
    (file names, subjects), a part of a name made of several parts that ends with a tag
    is a label too: "口镇经验做法-三链融合.docx", "区民政局调研信息_养老服务"."""
    table = _tag_table(rules)
    candidates = [m.group(1) for m in _BRACKETED.finditer(text)]
    candidates += [m.group(1) for m in _PAREN_LEAD.finditer(text)]
    candidates += [m.group(1) for m in _PREFIX.finditer(text)]
    candidates += [m.group(1) for m in _DASHED.finditer(text)]
    for raw in candidates:
        key = table.get(raw.strip())
        if key is not None:
            return key
    parts = [p for p in _SEGMENT_SPLIT.split(_EXTENSION.sub("", text)) if p]
    if segments and len(parts) > 1:
        # Only a category's name ends a part as a label (经验做法, 问题建议, 工作动态,
        # 市专报): a two-character tag there is a word of the title ("协调解决企业用地问题").
        for part in parts:
            for tag in sorted(table, key=len, reverse=True):
                if len(tag) >= SEGMENT_TAG_MIN and part.endswith(tag):
                    return table[tag]
    return None


_PLACES = (("subject", "邮件主题"), ("filename", "文件名"), ("title", "标题"))
_SECTION = re.compile(r"^\s*[一二三四五六七八九十]{1,3}[、.．]")


# News of work done counts the problems it dealt with ("发现问题23处", "排查隐患41处",
# "隐患排查整治", "协调解决用地等问题57个", "坚持问题导向"): such a mention is no cue.
# A problem stated as such ("存在管网老化等隐患") still is.
_HANDLED_BEFORE = re.compile(
    r"(?:发现|排查|检查|整改|整治|解决|解答|化解|消除|查处|处置|收集|梳理)"
    r"(?P<span>[^，。；;,.!?！？]{0,12})$"
)
_HANDLED_AFTER = re.compile(
    r"^(?:\s*[0-9０-９]|[一二三四五六七八九十百千]+[余多]?[处个项件起条宗类批]"
    r"|排查|整改|整治|清零|销号|导向|台账|清单)"
)
_STATED = re.compile(r"存在|面临|暴露|突出|亟需|亟待")


def _handled(text: str, start: int, end: int) -> bool:
    """Whether the cue at text[start:end] names problems dealt with, not raised."""
    if _HANDLED_AFTER.match(text[end:]):
        return True
    before = _HANDLED_BEFORE.search(text[max(0, start - 16) : start])
    return bool(before and not _STATED.search(before.group("span")))


def _mentions(text: str, cue: str) -> bool:
    """``cue`` occurs in ``text`` at least once other than as work done."""
    return any(not _handled(text, m.start(), m.end()) for m in re.finditer(re.escape(cue), text))


def _cue(text: str, rules: Rules) -> tuple[str, str] | None:
    """(category, cue word) of the first cue found, in the rules' priority order."""
    for key in rules.classification.cue_order:
        for cue in rules.categories[key].cues:
            if cue in text and (key != "problem" or _mentions(text, cue)):
                return key, cue
    return None


# A labelled text this many times over its category's limit contradicts the label.
CONFLICT_LENGTH_FACTOR = 2.5


def decide(
    rules: Rules,
    *,
    subject: str = "",
    filename: str = "",
    title: str = "",
    paragraphs: list[str] | tuple[str, ...] = (),
    chars: int = 0,
) -> CategoryDecision:
    """Category from labels, cue words and structure; else the rules' default. An
    explicit label wins, flagged when the content says otherwise."""
    texts = {"subject": subject, "filename": filename, "title": title}
    labelled: CategoryDecision | None = None
    for place, label in _PLACES:
        key = find_label(texts[place], rules, segments=place != "title")
        if key is not None:
            name = rules.category_label(key)
            labelled = CategoryDecision(key, f"{label}标注为“{name}”", True)
            break
    if labelled is None:
        for place, label in _PLACES:
            if "专报" in texts[place]:
                return CategoryDecision("special", f"{label}含“专报”", True)
        return _by_content(rules, title, paragraphs, chars)[0]
    note = _conflict(rules, labelled.category, title, paragraphs, chars)
    if not note:
        return labelled
    return CategoryDecision(labelled.category, f"{labelled.reason}；{note}", True, note)


def _sections(paragraphs: list[str] | tuple[str, ...]) -> int:
    return sum(1 for p in paragraphs if _SECTION.match(p))


def _conflict(
    rules: Rules, key: str, title: str, paragraphs: list[str] | tuple[str, ...], chars: int
) -> str:
    """Why the content contradicts the label ``key``, or "". The content speaks when
    the title's cue words or a long sectioned text give another category, or when the
    text is far over the label's limit (a title cue does not contradict a short text
    labelled with the default category). 专报 is a channel, not a kind of text: any
    content may be one, so a 专报 label is never contradicted."""
    if key == "special":
        return ""
    found, strength = _by_content(rules, title, paragraphs, chars)
    limit = rules.categories[key].limit
    too_long = bool(limit) and chars > CONFLICT_LENGTH_FACTOR * limit
    other = found.category != key and strength in ("title", "structure")
    if key == rules.default_category and strength == "title" and not (limit and chars > limit):
        # A short text labelled as news is news whatever its title mentions (入户走访困难群众).
        other = False
    if not (other or too_long):
        return ""
    sections = _sections(paragraphs)
    shape = f"{chars}字" + (f"、分{sections}部分" if sections else "")
    name = rules.category_label(key)
    if other:
        return f"标注为{name}，但内容（{shape}）更像{rules.category_label(found.category)}，请核对"
    return f"标注为{name}，但内容（{shape}）远超原则上 {limit} 字，请核对分类"


def _by_content(
    rules: Rules, title: str, paragraphs: list[str] | tuple[str, ...], chars: int
) -> tuple[CategoryDecision, str]:
    """The decision from cue words and structure alone, and what gave it: "title",
    "structure", "lead" or "default"."""
    found = _cue(title, rules)
    if found is not None:
        key, cue = found
        reason = f"标题含“{cue}”，按{rules.category_label(key)}计"
        return CategoryDecision(key, reason, False), "title"
    conf = rules.classification
    sections = _sections(paragraphs)
    if chars >= conf.research_min_chars and sections >= conf.research_min_sections:
        reason = f"长文（{chars} 字）且分 {sections} 个部分，按调研信息计"
        return CategoryDecision("research", reason, False), "structure"
    lead = "".join(paragraphs)[: conf.lead_chars]
    found = _cue(lead, rules)
    if found is not None:
        key, cue = found
        reason = f"导语含“{cue}”，按{rules.category_label(key)}计"
        return CategoryDecision(key, reason, False), "lead"
    default = rules.default_category
    reason = f"未见分类标注或提示词，按{rules.category_label(default)}计"
    return CategoryDecision(default, reason, False), "default"
