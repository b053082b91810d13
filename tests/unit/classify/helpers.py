"""The shipped rules and roster, and texts the classify tests share with the end-to-end
tests in tests/integration/test_classify.py."""

from __future__ import annotations

from tests.helpers import ROOT
from zwxx.config.roster import load_roster
from zwxx.config.rules import load_rules
from zwxx.types import Document

RULES = load_rules(ROOT / "config" / "rules.toml")
ROSTER = load_roster(ROOT / "config" / "units.toml", list(RULES.groups))

SECTIONED = [
    "一、基本情况",
    "正文",
    "二、存在问题",
    "三、对策建议",
    "四、下一步打算",
    "五、几点思考",
]


def conflict_document() -> Document:
    """A 动态 label on a long text in five sections (shared with the CLI test)."""
    return Document(
        name="【动态】全区民间投资运行分析.docx",
        title="全区民间投资运行分析",
        paragraphs=[p + "。" + "全区民间投资保持平稳增长，结构持续优化。" * 18 for p in SECTIONED],
    )
