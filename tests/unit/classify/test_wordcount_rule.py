"""字数 on unlucky text: invisible characters, accented words, dashes and ellipses."""

from __future__ import annotations

import pytest

from zwxx.classify.wordcount import count_chars, count_no_spaces


@pytest.mark.parametrize(
    ("text", "chars"),
    [
        ("今年完成投资38.6亿元，增长52%。PPP项目3个。", 20),  # SPEC §3
        ("2019-04-05 5G v2.0 https://x.cn/a", 4),
        ("“加快”——……·℃×Ⅲ", 12),  # —— and …… are two characters each, as in Word
        ("\ufeff正文\u200b内容", 4),  # BOM and zero-width space are invisible
        ("café au lait", 3),  # accented letters belong to their word
        ("正文　内容", 4),  # the ideographic space is a space
    ],
)
def test_wordcount_rule(text: str, chars: int) -> None:
    assert count_chars(text) == chars
    assert count_no_spaces("\ufeff a b\u3000") == 2
