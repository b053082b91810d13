"""When two items of one unit are one submission (SPEC §2): the same text (exact, by hash,
in the pipeline), or a corrected version (修改稿): the same title within a few days.

SPEC also names "≥ 90 % the same text". Templated items (weekly reports that differ only
in their figures) pass that bar without being one item, so that rule waits for the
classification work, where a labelled set can calibrate it.
"""

from __future__ import annotations

import re

_MARKERS = re.compile(
    r"[（(【\[]?\s*(?:修改稿|修改版|修订稿|修订版|更正稿|更正|修改|终稿|定稿)\s*[）)】\]]?"
)
_TAGS = re.compile(r"[【\[「〖［『][^】\]」〗］』]{1,12}[】\]」〗］』]")
_NOISE = re.compile(r"[\s\W_]+")
MIN_TITLE = 6  # shorter titles ("工作动态") repeat without being the same item


def title_key(title: str) -> str:
    """A title without tags, revision markers, punctuation and spaces."""
    return _NOISE.sub("", _MARKERS.sub("", _TAGS.sub("", title)))


def revision_key(title: str) -> str:
    """The title key under which revisions are looked up ("" when too short to trust)."""
    key = title_key(title)[:200]
    return key if len(key) >= MIN_TITLE else ""
