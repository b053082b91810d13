"""Category (分类) of an item: explicit labels first, then the rules' default.

Issue-level note: cue words and structure (SPEC §3) come later; every decision already
carries a Chinese reason the clerk can read.
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


@dataclass(frozen=True)
class CategoryDecision:
    category: str
    reason: str
    explicit: bool


def _tag_table(rules: Rules) -> dict[str, str]:
    return {tag: key for key, cat in rules.categories.items() for tag in cat.tags}


def find_label(text: str, rules: Rules) -> str | None:
    """The category named by an explicit label in ``text``, if any."""
    table = _tag_table(rules)
    candidates = [m.group(1) for m in _BRACKETED.finditer(text)]
    candidates += [m.group(1) for m in _PAREN_LEAD.finditer(text)]
    candidates += [m.group(1) for m in _PREFIX.finditer(text)]
    candidates += [m.group(1) for m in _DASHED.finditer(text)]
    for raw in candidates:
        key = table.get(raw.strip())
        if key is not None:
            return key
    return None


_PLACES = (("subject", "邮件主题"), ("filename", "文件名"), ("title", "标题"))


def decide(
    rules: Rules, *, subject: str = "", filename: str = "", title: str = ""
) -> CategoryDecision:
    """Category from the labels in subject, file name and title, else the default."""
    texts = {"subject": subject, "filename": filename, "title": title}
    for place, label in _PLACES:
        key = find_label(texts[place], rules)
        if key is not None:
            name = rules.category_label(key)
            return CategoryDecision(key, f"{label}标注为“{name}”", True)
    for place, label in _PLACES:
        if "专报" in texts[place]:
            return CategoryDecision("special", f"{label}含“专报”", True)
    default = rules.default_category
    return CategoryDecision(default, f"未见分类标注，按{rules.category_label(default)}计", False)
