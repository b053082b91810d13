"""When two items are one submission (SPEC §2): the same text (exact, by hash, in the
pipeline), or a corrected version (修改稿): the same title within a few days, or
"≥ 90 % the same text" — measured here.

The 90 % rule, calibrated against what must NOT merge:

* Text compared: the title key plus the countable body lines (no sign-off, no mail
  signature), without whitespace, NFKC-folded — the text ``text_hash`` is taken of.
  Similarity is rapidfuzz ``fuzz.ratio`` (normalised Indel distance) on characters:
  Chinese has no words to tokenise, and a revision's edits are character edits.
* Dates and periods must agree (10月19日, 1至9月, 第45周, 2026年, 三季度, 本周 ...).
  Templated weekly/monthly reports ("本周（11月3日至11月9日）全区共受理群众诉求 1234
  件……") are 95 % alike, but each is about another period. A revision may update its
  figures (羊里镇: "数字有更新，以这一稿为准") but not its dates.
* Not every figure may change: with 3 or more figures at least a quarter must be kept
  (a template without dates whose every figure differs is another report).
* The subject must not be swapped. Two short 动态 on the same boilerplate ("近日，区民政局
  组织开展养老政策宣传活动。活动中，工作人员深入各村居……") are 95 % alike, but a span
  the titles replace (养老 → 救助) is each text's own subject: it occurs in one body
  and not the other, and its replacement the other way round. Title rewording a
  revision does (多措并举 → 扎实, dropping 成功) touches no such span.
* Texts shorter than ``MIN_CHARS`` never merge by similarity: one sentence 90 % alike is
  as likely two notes as one corrected note.

The pipeline bounds the search (same unit, counted, within ``revision_days``, lengths
close enough that 90 % is possible at all, at most ``MAX_CANDIDATES``, newest first) so
a poll never compares against more than a handful of bodies.

Thresholds live here, not in config/rules.toml (the rules file is the 办法's numbers; a
key ``[classification] similar_percent`` could carry ``SIMILAR`` later).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from zwxx.classify.wordcount import countable_lines

_MARKERS = re.compile(
    r"[（(【\[]?\s*(?:修改稿|修改版|修订稿|修订版|更正稿|更正|修改|终稿|定稿)\s*[）)】\]]?"
)
_TAGS = re.compile(r"[【\[「〖［『][^】\]」〗］』]{1,12}[】\]」〗］』]")
_NOISE = re.compile(r"[\s\W_]+")
_WS = re.compile(r"\s+")
_FIGURE = re.compile(r"\d+(?:\.\d+)?")
_DATE = re.compile(
    r"\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{1,2}月(?:\d{1,2}日)?|\d{1,2}日|第\d+[周期季]"
    r"|[一二三四1-4]季度|上半年|下半年|本周|上周|本月|上月"
)
MIN_TITLE = 6  # shorter titles ("工作动态") repeat without being the same item

SIMILAR = 90.0  # SPEC §2: "≥ 90 % the same text"
FIGURES_KEPT = 0.25  # share of figures a revision keeps (when it has 3 or more)
MIN_CHARS = 60  # shorter texts never merge by similarity
MAX_CANDIDATES = 30  # earlier items compared per new item, newest first
# fuzz.ratio = 2·matches / (len a + len b) <= 2·short / (short + long), so 90 % needs
# short/long >= 0.9 / 1.1.
LENGTH_RATIO = SIMILAR / (200 - SIMILAR)


def title_key(title: str) -> str:
    """A title without tags, revision markers, punctuation and spaces."""
    return _NOISE.sub("", _MARKERS.sub("", _TAGS.sub("", title)))


def revision_key(title: str) -> str:
    """The title key under which revisions are looked up ("" when too short to trust)."""
    key = title_key(title)[:200]
    return key if len(key) >= MIN_TITLE else ""


@dataclass(frozen=True)
class Comparable:
    """What the 90 % rule compares: the title key, the countable body without
    whitespace, and ``text`` = both; NFKC-folded (２０２６ = 2026)."""

    title: str
    body: str

    @property
    def text(self) -> str:
        return self.title + self.body


def comparable(title: str, body: str) -> Comparable:
    key = unicodedata.normalize("NFKC", title_key(title))
    lines = countable_lines(body.split("\n"))
    return Comparable(key, unicodedata.normalize("NFKC", _WS.sub("", "".join(lines))))


def length_bounds(chars: int) -> tuple[int, int]:
    """The 字数 range an earlier item must lie in for 90 % to be possible (a little
    wider: 字数 counts a number as one, the comparison counts its digits)."""
    return int(chars * LENGTH_RATIO * 0.9), int(chars / LENGTH_RATIO / 0.9) + 1


def kept_figures(a: str, b: str) -> tuple[int, int]:
    """(figures both texts have, figures in the text with fewer)."""
    fa, fb = Counter(_FIGURE.findall(a)), Counter(_FIGURE.findall(b))
    return sum((fa & fb).values()), min(sum(fa.values()), sum(fb.values()))


def same_dates(a: str, b: str) -> bool:
    """Both texts name the same dates and periods (as many times each)."""
    return Counter(_DATE.findall(a)) == Counter(_DATE.findall(b))


def swapped_subject(a: Comparable, b: Comparable) -> bool:
    """A span the titles replace is each text's own: in one body, not the other."""
    for i1, i2, j1, j2 in _changes(a.title, b.title):
        old, new = a.title[i1:i2], b.title[j1:j2]
        if len(old) < 2 or len(new) < 2 or _FIGURE.fullmatch(old):
            continue  # an insertion, a deletion, one character, or a figure
        if old in a.body and old not in b.body and new in b.body and new not in a.body:
            return True
    return False


def _changes(a: str, b: str) -> list[tuple[int, int, int, int]]:
    """Where two strings differ: (a start, a end, b start, b end), neighbouring edits
    merged into one span."""
    spans: list[tuple[int, int, int, int]] = []
    joined = False
    for op in Levenshtein.opcodes(a, b):
        if op.tag == "equal":
            joined = False
        elif joined:
            spans[-1] = (spans[-1][0], op.src_end, spans[-1][2], op.dest_end)
        else:
            spans.append((op.src_start, op.src_end, op.dest_start, op.dest_end))
            joined = True
    return spans


def titles_agree(a: Comparable, b: Comparable) -> bool:
    """Titles that are one title (tags, markers, punctuation aside; or ≥ 90 % alike)."""
    return a.title == b.title or fuzz.ratio(a.title, b.title, score_cutoff=SIMILAR) > 0


def same_text(a: Comparable, b: Comparable) -> float | None:
    """The similarity in percent when ``a`` and ``b`` are one item's versions under the
    rule above; None when they are two items."""
    if min(len(a.text), len(b.text)) < MIN_CHARS:
        return None
    score = fuzz.ratio(a.text, b.text, score_cutoff=SIMILAR)
    if not score or not same_dates(a.text, b.text):
        return None
    kept, figures = kept_figures(a.text, b.text)
    if figures >= 3 and kept < figures * FIGURES_KEPT:
        return None
    if swapped_subject(a, b):
        return None
    return score
