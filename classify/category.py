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

from config.rules import Rules

# Bracketed labels: 【动态】 [调研] 「专报」 〖经验〗 ［问题建议］ (…) at the start.
_BRACKETED = re.compile(r"[【\[「〖［『]\s*([^】\]」〗］』]{1,12}?)\s*[】\]」〗］』]")
_PAREN_LEAD = re.compile(r"^\s*[（(]\s*([^）)]{1,8}?)\s*[）)]")
# "调研信息：…" at the start, or "-调研-" anywhere.
_PREFIX = re.compile(r"^\s*([^\s：:]{2,8})\s*[：:]")
_DASHED = re.compile(r"[-—]\s*([^-—\s]{2,8})\s*[-—]")
# Parts of a file name or subject: "口镇经验做法-三链融合.docx" -> 口镇经验做法, 三链融合.
_SEGMENT_SPLIT = re.compile(r"[-_—－\s：:]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


@dataclass(frozen=True)
class CategoryDecision:
    category: str
    reason: str
    explicit: bool


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
        for part in parts:
            for tag in sorted(table, key=len, reverse=True):
                if len(tag) >= 2 and part.endswith(tag):
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


def decide(
    rules: Rules,
    *,
    subject: str = "",
    filename: str = "",
    title: str = "",
    paragraphs: list[str] | tuple[str, ...] = (),
    chars: int = 0,
) -> CategoryDecision:
    """Category from labels, cue words and structure; else the rules' default."""
    texts = {"subject": subject, "filename": filename, "title": title}
    for place, label in _PLACES:
        key = find_label(texts[place], rules, segments=place != "title")
        if key is not None:
            name = rules.category_label(key)
            return CategoryDecision(key, f"{label}标注为“{name}”", True)
    for place, label in _PLACES:
        if "专报" in texts[place]:
            return CategoryDecision("special", f"{label}含“专报”", True)
    found = _cue(title, rules)
    if found is not None:
        key, cue = found
        return CategoryDecision(key, f"标题含“{cue}”，按{rules.category_label(key)}计", False)
    conf = rules.classification
    sections = sum(1 for p in paragraphs if _SECTION.match(p))
    if chars >= conf.research_min_chars and sections >= conf.research_min_sections:
        return CategoryDecision(
            "research", f"长文（{chars} 字）且分 {sections} 个部分，按调研信息计", False
        )
    lead = "".join(paragraphs)[: conf.lead_chars]
    found = _cue(lead, rules)
    if found is not None:
        key, cue = found
        return CategoryDecision(key, f"导语含“{cue}”，按{rules.category_label(key)}计", False)
    default = rules.default_category
    return CategoryDecision(
        default, f"未见分类标注或提示词，按{rules.category_label(default)}计", False
    )
