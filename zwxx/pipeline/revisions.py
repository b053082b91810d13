"""Duplicates, revisions (修改稿) and joint submissions (联合报送).

The same item again is a duplicate; a corrected version (same title, or ≥ 90 % the same
text, within the revision window) replaces the earlier one's text and counts once, in the
month the first version arrived; the same text from another unit waits for the clerk.

``dedupe`` asks the database who came before; the decisions themselves (``revise``,
``crosses_month``, ``revised_by``, ``signed_jointly``, ``mark_joint``) are plain
functions on items, testable without one."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from zwxx.classify import dedupe as similarity
from zwxx.classify.item import length_note, signoff_text
from zwxx.classify.units import names_in
from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.pipeline.clerk import assign_category
from zwxx.pipeline.context import Job
from zwxx.records import notes as N
from zwxx.records import store
from zwxx.records.models import COUNTED, DUPLICATE, IGNORED, REVIEW, Item
from zwxx.records.notes import Note

# What classification derives from a document's text (an ItemDraft and an Item share them).
TEXT_FIELDS = (
    "title",
    "body",
    "category",
    "category_reason",
    "chars",
    "chars_no_spaces",
    "doc_chars",
    "over_limit",
    "author",
    "text_hash",
)
# A revision (修改稿) hands these on to the earlier item it replaces; the earlier item
# keeps its own ``text_hash``, so a re-send of its own (older) text is a duplicate of it.
REVISED_FIELDS = (*(f for f in TEXT_FIELDS if f != "text_hash"), "title_key")


def dedupe(job: Job, session: Session, item: Item) -> None:
    """Duplicate, revision or joint submission? Sets ``item`` (and the earlier item a
    revision replaces). A joint submission counts for each unit only once confirmed."""
    if item.status not in (COUNTED, REVIEW) or not item.chars:
        return  # no text, nothing to compare: empty items are never "the same"
    first = store.find_same_text(session, item.unit_id, item.text_hash, before=item.id)
    if first is not None:
        mark_duplicate(item, first)
        return
    if item.status != COUNTED:
        return
    days = job.rules.classification.revision_days
    since = item.received_at - timedelta(days=days)
    earlier = store.same_title_since(session, item.unit_id, item.title_key, since, item.id)
    how = f"{days} 天内标题相同"
    if earlier is None:
        earlier, score = _similar_earlier(session, item, since)
        how = f"{days} 天内内容 {score:.0f}% 相同"
    if earlier is not None and crosses_month(earlier, item, job.tz):
        if item.manual_unit_id is not None:
            return  # the clerk counted it for the unit: an item of its own month
        hold_across_months(item, earlier, job.tz, job.unit_names(session).get(item.unit_id, ""))
        return
    if earlier is not None:
        revise_in(job, session, earlier, item, how)
        return
    if item.manual_unit_id is None:  # the clerk assigned it: a joint submission confirmed
        _joint(job, session, item, since)


def mark_duplicate(item: Item, first: Item) -> None:
    """``item`` is ``first`` again (the same text from the same unit): counted once."""
    item.status = DUPLICATE
    item.duplicate_of = first.id
    ignored = first.manual_status == IGNORED  # the clerk's "ignore" covers its copies
    if ignored:
        text = f"与第 {first.id} 条内容相同，该条已由信息科确认不计，本条一并不计"
    else:
        text = f"与第 {first.id} 条内容相同（重复报送），只计一次"
    N.set_notes(item, [Note("duplicate_of", text, {"item": first.id, "clerk_ignored": ignored})])


def crosses_month(earlier: Item, item: Item, tz: ZoneInfo) -> bool:
    """A revision received in a later month under another category: rewriting the
    earlier item would change a month already reported."""
    a, b = earlier.received_at.astimezone(tz), item.received_at.astimezone(tz)
    return (b.year, b.month) > (a.year, a.month) and item.category != earlier.category


def hold_across_months(item: Item, earlier: Item, tz: ZoneInfo, unit: str) -> None:
    """A revision that would rewrite a closed month under another category: to the clerk."""
    month = earlier.received_at.astimezone(tz).month
    item.status = REVIEW
    text = f"与第 {earlier.id} 条（{month}月）标题相同的修改稿，但分类不同且跨月，请确认"
    data = {"item": earlier.id, "month": month}
    N.add_note(item, Note("revision_crosses_month", text, data), first=True)
    item.candidates = unit


def _similar_earlier(session: Session, item: Item, since: datetime) -> tuple[Item | None, float]:
    """The unit's earlier counted item ≥ 90 % the same (classify.dedupe), if any."""
    candidates = store.revision_candidates(
        session,
        item.unit_id,
        since,
        similarity.length_bounds(item.chars),
        item.id,
        similarity.MAX_CANDIDATES,
    )
    if not candidates:
        return None, 0.0
    mine = similarity.comparable(item.title, item.body)
    best: tuple[Item | None, float] = (None, 0.0)
    for other in candidates:
        score = similarity.same_text(mine, similarity.comparable(other.title, other.body))
        if score and score > best[1]:
            best = (other, score)
    return best


def revised_by(earlier: Item, item: Item) -> bool:
    """``earlier`` carries ``item``'s text because ``item`` is its revision."""
    return (
        earlier.id != item.id
        and (earlier.title, earlier.body) == (item.title, item.body)
        and N.has_note(earlier, "revised_by", envelope=item.envelope_id)
    )


def revise_in(job: Job, session: Session, earlier: Item, item: Item, how: str) -> None:
    """``revise`` with what the database knows: the version ``earlier`` carries now and
    the texts of its other versions."""
    copies = store.duplicates_of(session, earlier.id)
    # the version ``earlier`` now carries: its own, or a revision's
    carrier = next((other for other in copies if revised_by(earlier, other)), earlier)
    versions = {earlier.text_hash} | {d.text_hash for d in copies if d.id != item.id}
    revise(earlier, item, carrier, versions, how, job.rules, job.tz)


def revise(
    earlier: Item,
    item: Item,
    carrier: Item,
    versions: set[str],
    how: str,
    rules: Rules,
    tz: ZoneInfo,
) -> None:
    """``item`` is a corrected version of ``earlier``: the earlier item carries it, unless
    ``item`` is a version received before (``versions``: the text hashes of the earlier
    item and its other revisions) or older than the one it carries (``carrier``): never
    go back."""
    if carrier is not item and (
        item.text_hash in versions or item.received_at < carrier.received_at
    ):
        item.status, item.duplicate_of = DUPLICATE, earlier.id
        text = f"第 {earlier.id} 条已有更新的版本（{how}），本条为旧稿，只计一次"
        N.set_notes(item, [Note("older_version_of", text, {"item": earlier.id, "how": how})])
        return
    for name in REVISED_FIELDS:
        setattr(earlier, name, getattr(item, name))
    chosen = earlier.manual_category
    if chosen is not None and chosen in rules.categories:  # the clerk's category stays
        assign_category(earlier, chosen, rules, tz)
    over = length_note(rules, earlier.category, earlier.chars)
    earlier.over_limit = over is not None
    kept = [n for n in N.notes_of(earlier) if n.code not in N.CATEGORY_CODES]
    notes: dict[str, Note] = {}  # by text: a note said twice is kept once
    for note in (*kept, N.revised_by(item.envelope_id, item.id), over):
        if note is not None and note.text:
            notes.setdefault(note.text, note)
    N.set_notes(earlier, list(notes.values()))
    item.status, item.duplicate_of = DUPLICATE, earlier.id
    text = f"修改稿（{how}）：内容已更新到第 {earlier.id} 条，只计一次"
    N.set_notes(item, [Note("revision_of", text, {"item": earlier.id, "how": how})])


def _joint(job: Job, session: Session, item: Item, since: datetime) -> None:
    """A joint submission (联合报送) waits for the clerk: the same text (the same body of
    at least ``similarity.MIN_CHARS`` 字 whatever the titles, or a shorter one under the
    same title, or ≥ 90 % the same under the same title) already came from another unit,
    or the sign-off names this unit and others. A short body under another title (a
    short 动态 two units happen to word alike) is not flagged."""
    mine = similarity.comparable(item.title, item.body)
    other, how = None, "内容相同"
    for candidate in store.same_text_elsewhere(session, item.unit_id, item.text_hash, item.id):
        long_enough = item.chars >= similarity.MIN_CHARS
        if long_enough or similarity.titles_agree(
            mine, similarity.comparable(candidate.title, candidate.body)
        ):
            other = candidate
            break
    if other is None:
        for candidate in store.same_title_elsewhere(
            session, item.unit_id, item.title_key, since, item.id
        ):
            score = similarity.same_text(
                mine, similarity.comparable(candidate.title, candidate.body)
            )
            if score:
                other, how = candidate, f"内容 {score:.0f}% 相同"
                break
    names = job.unit_names(session)
    mine_name = names.get(item.unit_id, "")
    if other is not None:
        mark_joint(item, mine_name, [names.get(other.unit_id, "")], other.id, how)
        return
    theirs = signed_jointly(item.body, mine_name, job.roster)
    if theirs:
        mark_joint(item, mine_name, theirs, None, "")


def signed_jointly(body: str, mine: str, roster: Roster) -> list[str]:
    """The units a sign-off names when it names this unit (``mine``) and others
    (供稿单位：甲、乙): the first of a joint submission says so; else []."""
    signed = [u.name for u in names_in(signoff_text(body.split("\n")), roster)]
    return signed if len(signed) >= 2 and mine in signed else []


def mark_joint(item: Item, mine: str, theirs: list[str], other_id: int | None, how: str) -> None:
    """``item`` may be a joint submission with ``theirs`` (the units; ``other_id`` the
    item of theirs with the same text, or None when the sign-off names them): to the
    clerk, every unit a candidate."""
    if other_id is not None:
        text = f"与第 {other_id} 条（{theirs[0]}）{how}，可能为联合报送，请确认"
    else:
        text = f"落款为多个单位（{'、'.join(theirs)}），可能为联合报送，请确认"
    item.status = REVIEW
    data = {"item": other_id, "units": list(theirs), "how": how}
    N.add_note(item, Note("joint", text, data), first=True)
    item.candidates = "、".join(dict.fromkeys(n for n in (mine, *theirs) if n))
