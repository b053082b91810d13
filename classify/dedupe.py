"""When two items of one unit are one submission (SPEC §2): the same text (exact, by hash,
in the pipeline), or a corrected version (修改稿): the same title within a few days.

SPEC also names "≥ 90 % the same text". Templated items (weekly reports that differ only
in their figures) pass that bar without being one item, so that rule waits for the
classification work, where a labelled set can calibrate it.
"""

from __future__ import annotations

import re
from datetime import datetime

from config.rules import Classification

_MARKERS = re.compile(
    r"[（(【\[]?\s*(?:修改稿|修改版|修订稿|修订版|更正稿|更正|修改|终稿|定稿)\s*[）)】\]]?"
)
_TAGS = re.compile(r"[【\[「〖［『][^】\]」〗］』]{1,12}[】\]」〗］』]")
_NOISE = re.compile(r"[\s\W_]+")
MIN_TITLE = 6  # shorter titles ("工作动态") repeat without being the same item


def title_key(title: str) -> str:
    """A title without tags, revision markers, punctuation and spaces."""
    return _NOISE.sub("", _MARKERS.sub("", _TAGS.sub("", title)))


def revision_reason(
    new_title: str, new_at: datetime, old_title: str, old_at: datetime, rules: Classification
) -> str | None:
    """Why the new item is a revision of the old one (Chinese), or None."""
    days = abs((new_at - old_at).total_seconds()) / 86400
    a, b = title_key(new_title), title_key(old_title)
    if a and a == b and len(a) >= MIN_TITLE and days <= rules.revision_days:
        return f"标题相同，{days:.0f} 天内再次报送"
    return None
