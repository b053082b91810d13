"""The main job, stage by stage. Read this module to see the whole flow:

    source -> raw copy -> seen before? -> documents -> classify -> dedupe -> record -> done

Each envelope is recorded in one transaction together with the source's checkpoint, and
only then is the source told (the drop folder moves the file to archive/): a crash between
any two steps loses nothing and counts nothing twice. Polls take a lock shared by every
process on the database, so two never interleave; an envelope that breaks a stage is
recorded as failed with its reason and the poll goes on.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from zwxx.classify import dedupe
from zwxx.classify.dedupe import revision_key
from zwxx.classify.item import Context, ItemDraft, build, length_check, signoff_text
from zwxx.classify.units import names_in
from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.errors import DocumentError, SourceUnavailable
from zwxx.ingest.extract import Extracted, extract
from zwxx.records import rawstore, store
from zwxx.records.db import process_lock, session_scope
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    ENV_FAILED,
    ENV_IGNORED,
    ENV_PARSED,
    FAILED,
    IGNORED,
    REVIEW,
    Envelope,
    Item,
)
from zwxx.types import Incoming, Source, safe_text

log = logging.getLogger(__name__)


@dataclass
class Job:
    """What every stage needs; one per poll (the unit table is read once per poll)."""

    engine: Engine
    roster: Roster
    rules: Rules
    raw_dir: Path
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    _units: tuple[dict[str, int], dict[str, str]] | None = field(default=None, repr=False)

    def units(self, session: Session) -> tuple[dict[str, int], dict[str, str]]:
        """(unit name -> id, clerk-assigned address -> unit name)."""
        if self._units is None:
            self._units = (store.unit_ids(session), store.clerk_addresses(session))
        return self._units

    def unit_names(self, session: Session) -> dict[int, str]:
        """Unit id -> name."""
        return {uid: name for name, uid in self.units(session)[0].items()}


@dataclass
class Summary:
    """What one poll did, for the Chinese summary line."""

    envelopes: int = 0
    seen_before: int = 0
    items: Counter = field(default_factory=Counter)  # by item status
    failed: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)  # sources that could not be read

    def add(self, other: Summary) -> None:
        self.envelopes += other.envelopes
        self.seen_before += other.seen_before
        self.items.update(other.items)
        self.failed += other.failed
        self.ignored += other.ignored
        self.errors += other.errors


def poll(job: Job, sources: list[Source], progress: Callable[[str], None] | None = None) -> Summary:
    """One pass over every source, never two at once (a lock shared by every process on
    the database). A source that cannot be reached, or an envelope that cannot even be
    recorded as failed, ends that source's pass with a note in ``errors``; what it
    delivered before is recorded, and the other sources still run."""
    total = Summary()
    with process_lock(job.engine, "poll"):
        for source in sources:
            try:
                for incoming in source.incoming():
                    total.add(process(job, source, incoming))
                    if progress:
                        progress(incoming.name)
            except SourceUnavailable as exc:
                total.errors.append(exc.message)
    return total


def process(job: Job, source: Source, incoming: Incoming) -> Summary:
    """Take one envelope through every stage. Bad input becomes a failed record; an
    unexpected error too (in a fresh transaction), so one envelope never blocks the
    ones after it."""
    digest = ""
    if incoming.raw:
        digest, _ = rawstore.store(job.raw_dir, incoming.raw)  # 1. raw copy before anything
    # Not fetched (too large): identified by where it is.
    identity = incoming.identity or digest
    identity = identity or rawstore.sha256(repr(sorted(incoming.provenance.items())).encode())
    result = Summary()
    try:
        with session_scope(job.engine) as session:
            status, reason = _take(job, session, incoming, digest, identity, result)
            source.in_transaction(session, incoming)
    except IntegrityError as exc:
        if not _is_duplicate_envelope(exc):
            raise
        # Another poll recorded the same envelope between our check and our commit.
        result = Summary(seen_before=1)
        status, reason = "seen", "此前已处理过相同内容"
    except Exception as exc:  # a bug or a database refusal: record it, keep going
        log.error("could not record %s: %s: %s", incoming.name, type(exc).__name__, exc)
        log.debug("details", exc_info=True)  # the traceback with --verbose
        reason = f"登记时发生内部错误（{type(exc).__name__}），原件已保存，请联系管理员"
        result = _record_failure(job, source, incoming, digest, identity, reason)
        status = ENV_FAILED
    source.after_commit(incoming, status, reason)  # 7. only after the commit
    return result


def _take(
    job: Job, session: Session, incoming: Incoming, digest: str, identity: str, out: Summary
) -> tuple[str, str | None]:
    """Stages 2-6 inside the envelope's transaction; returns (status, reason)."""
    seen = store.find_envelope(
        session, incoming.source, identity, incoming.message_id, incoming.provenance
    )
    if seen is None:
        envelope = _record(job, session, incoming, digest, identity, out)  # 3-6
        return envelope.status, envelope.reason
    if seen.status == ENV_FAILED and incoming.failure is None and incoming.raw:
        # A file that failed before and is sent again (say, after LibreOffice was
        # installed): read it again in place rather than call it "seen".
        existing = list(session.exec(select(Item).where(Item.envelope_id == seen.id)))
        _parse_into(job, session, seen, incoming, existing, out)
        out.envelopes = 1
        return seen.status, seen.reason
    out.seen_before = 1  # 2. seen before (same bytes, or a re-scanned folder)
    return "seen", "此前已处理过相同内容"


def _is_duplicate_envelope(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "uq_envelope" in text or ("unique" in text and "envelope." in text)


def _record_failure(
    job: Job, source: Source, incoming: Incoming, digest: str, identity: str, reason: str
) -> Summary:
    """The envelope as ``failed`` with ``reason``, with the source's checkpoint. If even
    that cannot be written, stop this source's pass: it is retried next time."""
    try:
        with session_scope(job.engine) as session:
            if store.find_envelope(session, incoming.source, identity) is None:
                envelope = _new_envelope(incoming, digest, identity)
                envelope.status, envelope.reason = ENV_FAILED, reason
                session.add(envelope)
            source.in_transaction(session, incoming)
    except Exception as exc:
        log.exception("could not record %s even as failed", incoming.name)
        raise SourceUnavailable(
            f"“{incoming.name}”无法登记（{type(exc).__name__}），本来源本次收取到此为止，"
            "下次将重试；若反复出现请联系管理员"
        ) from None
    return Summary(envelopes=1, failed=1)


def _clip(text: str | None, limit: int) -> str | None:
    return safe_text(text)[:limit] or None if text else None


def _new_envelope(incoming: Incoming, digest: str, identity: str) -> Envelope:
    """An envelope with every text cleaned and cut to its column (untrusted input)."""
    prov = dict(incoming.provenance)
    for key, limit in (("path", 4000), ("mailbox", 254), ("folder", 254)):
        if key in prov:
            prov[key] = _clip(prov[key], limit)
    return Envelope(
        source=incoming.source,
        sha256=digest,
        identity=identity,
        size=len(incoming.raw),
        received_at=incoming.received_at,
        sender=_clip(incoming.sender, 254),
        message_id=_clip(incoming.message_id, 998),
        folder_unit=_clip(incoming.folder_unit, 100),
        sidecar_unit=_clip(incoming.sidecar_unit, 100),
        **prov,
    )


def _record(
    job: Job, session: Session, incoming: Incoming, digest: str, identity: str, out: Summary
) -> Envelope:
    envelope = _new_envelope(incoming, digest, identity)
    session.add(envelope)
    out.envelopes = 1
    _parse_into(job, session, envelope, incoming, [], out)
    return envelope


def _parse_into(
    job: Job,
    session: Session,
    envelope: Envelope,
    incoming: Incoming,
    existing: list[Item],
    out: Summary,
) -> None:
    """Stages 3-6 for one envelope: documents, classification, dedupe, items. Items in
    ``existing`` (when re-parsing) are updated in place, matched by attachment name
    (and text when names repeat), else by position; any left over are set aside:
    ignored, or back to review when the clerk had decided on them."""
    left = list(existing)
    reason = incoming.failure
    extracted = Extracted()
    if reason is None:
        try:
            extracted = extract(incoming)  # 3. documents
        except DocumentError as exc:
            reason = exc.message
        except Exception as exc:  # an unexpected parser bug must not stop the poll
            log.exception("unexpected error while reading %s", incoming.name)
            reason = f"读取时发生内部错误（{type(exc).__name__}），原件已保存，请联系管理员"
    if reason is not None:
        envelope.status, envelope.reason = ENV_FAILED, reason
        out.failed = 1
    else:
        envelope.subject = _clip(extracted.subject, 2000)
        envelope.sender = _clip(extracted.sender or incoming.sender, 254)
        envelope.message_id = _clip(extracted.message_id, 998) or envelope.message_id
        if extracted.ignored:
            envelope.status, envelope.reason = ENV_IGNORED, extracted.ignored
            out.ignored = 1
        else:
            envelope.status, envelope.reason = ENV_PARSED, None
            session.flush()
            for item in _items(job, session, envelope, extracted, incoming, left):
                out.items[item.status] += 1
    for gone in left:
        _gone(job, session, gone)


GONE = "重新解析后此部分已不存在"


def _gone(job: Job, session: Session, item: Item) -> None:
    """An item a re-parse no longer finds. Without a decision of the clerk's it is set
    aside; with one, it goes back to the clerk naming that decision (never silently)."""
    item.duplicate_of = None
    decided = []
    if item.manual_status == IGNORED:
        decided.append("确认不计")
    if item.manual_unit_id is not None:
        name = job.unit_names(session).get(item.manual_unit_id, f"单位 {item.manual_unit_id}")
        decided.append(f"指定为{name}")
    if item.manual_category in job.rules.categories:
        decided.append(f"分类指定为{job.rules.category_label(item.manual_category)}")
    if not decided:
        item.status, item.reason = IGNORED, GONE
        return
    said = "、".join(decided)
    # The clerk's "ignore" stands (asking again would never end), named in the reason;
    # any other decision goes back to the clerk.
    when = _decided(item, job.tz)
    if item.manual_status == IGNORED:
        item.status, item.reason = IGNORED, f"{GONE}；信息科此前已作出决定：{said}{when}"
        return
    item.status = REVIEW
    item.reason = f"{GONE}，但信息科此前已对其作出决定：{said}{when}，请核对"


def _match(existing: list[Item], keys: list[tuple[str | None, str | None]]) -> list[Item | None]:
    """For each new part (attachment name, text hash), the existing item it continues:
    the same name (and the same text when the name repeats), else the same position.
    Taken items are removed from ``existing``."""
    found: list[Item | None] = [None] * len(keys)
    names = Counter(name for name, _hash in keys)
    for n, (name, digest) in enumerate(keys):
        same = [i for i in existing if i.attachment == name]
        if names[name] > 1 or len(same) > 1:
            same = [i for i in same if digest and i.text_hash == digest]
        if len(same) == 1:
            found[n] = same[0]
            existing.remove(same[0])
    for n in range(len(keys)):
        if found[n] is None:
            by_part = [i for i in existing if i.part == n]
            if by_part:
                found[n] = by_part[0]
                existing.remove(by_part[0])
    return found


def _items(
    job: Job,
    session: Session,
    envelope: Envelope,
    extracted: Extracted,
    incoming: Incoming,
    existing: list[Item],
) -> list[Item]:
    _ids, clerk = job.units(session)
    ctx = Context(
        subject=extracted.subject,
        sender=extracted.sender or incoming.sender,
        sender_name=extracted.sender_name,
        folder_unit=incoming.folder_unit,
        sidecar_unit=incoming.sidecar_unit,
    )
    items = []
    drafts = [build(doc, ctx, job.roster, job.rules, clerk) for doc in extracted.documents]
    keys = [(d.attachment, d.text_hash) for d in drafts]
    keys += [(name, None) for name, _reason in extracted.failures]
    matched = _match(existing, keys)
    for part, draft in enumerate(drafts):  # 4. classify (above)
        item = matched[part] or Item(
            envelope_id=envelope.id,
            part=part,
            category=draft.category,
            received_at=incoming.received_at,
        )
        item.part = part
        _apply(job, session, item, draft, ctx)
        _dedupe(job, session, item)  # 5. dedupe (a new item is not in the session yet)
        session.add(item)  # 6. record
        items.append(item)
    for offset, (name, reason) in enumerate(extracted.failures, start=len(extracted.documents)):
        item = matched[offset] or Item(
            envelope_id=envelope.id,
            part=offset,
            category=job.rules.default_category,
            received_at=incoming.received_at,
        )
        item.part = offset
        item.title, item.attachment, item.status, item.reason = name, name, FAILED, reason
        item.unit_id = None
        session.add(item)
        items.append(item)
    return items


STRANGER = "发件人不是登记的报送单位，正文也未提及任何单位，不计数"


def _apply(job: Job, session: Session, item: Item, d: ItemDraft, ctx: Context) -> None:
    """Set what classification decides on ``item`` (new, or re-parsed in place), then
    the clerk's decisions on top (they survive every re-parse)."""
    ids, _clerk = job.units(session)
    unit_id = ids.get(d.attribution.unit) if d.attribution.unit else None
    review = d.review or ("没有正文内容（只有标题或落款），请核对" if d.chars == 0 else None)
    item.unit_id = unit_id
    item.status = COUNTED if unit_id is not None and not review else REVIEW
    item.reason = safe_text("；".join(r for r in (review, d.attribution.reason, d.limit_note) if r))
    item.attribution = d.attribution.method
    item.candidates = "、".join(d.attribution.candidates)
    item.duplicate_of = None
    item.title_key = revision_key(d.title)
    for name in (*_TEXT_FIELDS, "attachment"):
        setattr(item, name, getattr(d, name))
    if item.status == REVIEW and d.attribution.method == "none" and not item.candidates:
        # Nothing named a unit where attribution looks: offer those the body names.
        named = names_in(f"{ctx.sender_name}\n{d.body}", job.roster)
        item.candidates = "、".join(u.name for u in named[:5])
        if not review and not named and _stranger(d, ctx):
            item.status, item.reason = IGNORED, STRANGER
    _manual(job, session, item)


def _stranger(d: ItemDraft, ctx: Context) -> bool:
    """Mail from an address no unit registered, naming no unit anywhere (SPEC §2: not
    an item; the caller has looked for unit names in the body and the sender's name).
    Any clue keeps it in review instead: an OA folder or sidecar, or a sign-off naming
    a writer (供稿/撰稿人/信息员……) — the shape of a submission whose unit the clerk
    can tell. A bare 联系人/电话 line is no such clue: advertisements carry one too."""
    if not ctx.sender or ctx.folder_unit or ctx.sidecar_unit:
        return False  # a file in the OA folder came through the OA: a unit sent it
    return not _WRITER.search(signoff_text(d.body.split("\n")))


_WRITER = re.compile(r"供稿|撰稿|撰写|执笔|信息员|报送单位|报送人|审核|审稿|签发|作者")


def _with_limit_note(reason: str, note: str) -> str:
    """``reason`` with its length note (if any) replaced by ``note``."""
    kept = [r for r in reason.split("；") if r and not _LIMIT_NOTE.fullmatch(r)]
    return "；".join([*kept, note] if note else kept)


# The length note, and the label-vs-content note of classify.category (both are about the
# category: a category the clerk sets replaces them).
_LIMIT_NOTE = re.compile(
    r"字数 \d+，超过.+原则上 \d+ 字的要求，照常计数|标注为[^；]+，但内容[^；]+请核对(?:分类)?"
)


def _decided(item: Item, tz: ZoneInfo) -> str:
    """（经办人，date）of the clerk's decision, the date in the office's timezone."""
    who = f"{item.decided_by}，" if item.decided_by else ""
    when = item.decided_at.astimezone(tz).strftime("%Y-%m-%d") if item.decided_at else ""
    return f"（{who}{when}）" if who or when else ""


def _manual(job: Job, session: Session, item: Item) -> None:
    """Apply the clerk's decisions (zwxx review) on top of the automatic ones: a
    category (with its own length limit), ignore, or a unit (counted from then on,
    whatever the attribution said; still a duplicate if the unit sent it before)."""
    rules = job.rules
    if item.manual_category in rules.categories and item.status != FAILED:
        item.category = item.manual_category
        item.category_reason = (
            f"信息科指定为{rules.category_label(item.category)}{_decided(item, job.tz)}"
        )
        item.over_limit, note = length_check(rules, item.category, item.chars)
        item.reason = _with_limit_note(item.reason, note)
    if item.manual_status == IGNORED:
        item.status, item.duplicate_of = IGNORED, None
        said = f"：{item.manual_reason}" if item.manual_reason else ""
        item.reason = f"信息科确认不计{said}{_decided(item, job.tz)}"
    elif item.manual_unit_id is not None and item.status != FAILED:
        name = job.unit_names(session).get(item.manual_unit_id, f"单位 {item.manual_unit_id}")
        item.unit_id, item.status, item.duplicate_of = item.manual_unit_id, COUNTED, None
        item.attribution, item.candidates = "clerk", ""
        _over, note = length_check(rules, item.category, item.chars)
        item.reason = "；".join(
            r for r in (f"信息科指定为{name}{_decided(item, job.tz)}", note) if r
        )


def redecide(job: Job, session: Session, item: Item) -> int:
    """Apply the clerk's decisions just recorded on ``item`` now (``zwxx review``) and
    reach what a re-parse would: the envelopes of ``item`` and of the items it may be
    the same as (same text, same title within the revision window, its duplicates) are
    parsed again from their raw copies in the order a full re-parse takes them, so a
    later copy is compared with the decided one afresh. Returns how many other items
    are now its duplicates."""
    _manual(job, session, item)
    if item.manual_status != IGNORED and item.manual_unit_id is not None:
        _dedupe(job, session, item)
    session.add(item)
    session.flush()
    days = timedelta(days=job.rules.classification.revision_days)
    related = store.related_items(session, item, item.received_at - days, item.received_at + days)
    envelopes = {i.envelope_id for i in [item, *related] if i.envelope_id is not None}
    for envelope_id in sorted(envelopes):
        envelope = session.get(Envelope, envelope_id)
        if envelope is not None and envelope.status != ENV_FAILED:
            reparse(job, envelope, session)
    session.flush()
    return len(store.duplicates_of(session, item.id))


def _dedupe(job: Job, session: Session, item: Item) -> None:
    """The same item again is a duplicate; a corrected version (修改稿: same title, or
    ≥ 90 % the same text, within the revision window) replaces the earlier one's text
    and counts once, in the month the first version arrived. The same text from
    another unit waits for the clerk: a joint submission (联合报送) counts for each
    unit only once confirmed."""
    if item.status not in (COUNTED, REVIEW) or not item.chars:
        return  # no text, nothing to compare: empty items are never "the same"
    first = store.find_same_text(session, item.unit_id, item.text_hash, before=item.id)
    if first is not None:
        item.status = DUPLICATE
        item.duplicate_of = first.id
        if first.manual_status == IGNORED:  # the clerk's "ignore" covers its copies
            item.reason = f"与第 {first.id} 条内容相同，该条已由信息科确认不计，本条一并不计"
        else:
            item.reason = f"与第 {first.id} 条内容相同（重复报送），只计一次"
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
    if earlier is not None and _crosses_month(job, earlier, item):
        if item.manual_unit_id is not None:
            return  # the clerk counted it for the unit: an item of its own month
        month = earlier.received_at.astimezone(job.tz).month
        item.status = REVIEW
        item.reason = "；".join(
            r
            for r in (
                f"与第 {earlier.id} 条（{month}月）标题相同的修改稿，但分类不同且跨月，请确认",
                item.reason,
            )
            if r
        )
        item.candidates = job.unit_names(session).get(item.unit_id, "")
        return
    if earlier is not None:
        _revise(job, session, earlier, item, how)
        return
    if item.manual_unit_id is None:  # the clerk assigned it: a joint submission confirmed
        _joint(job, session, item, since)


def _similar_earlier(session: Session, item: Item, since) -> tuple[Item | None, float]:
    """The unit's earlier counted item ≥ 90 % the same (classify.dedupe), if any."""
    candidates = store.revision_candidates(
        session,
        item.unit_id,
        since,
        dedupe.length_bounds(item.chars),
        item.id,
        dedupe.MAX_CANDIDATES,
    )
    if not candidates:
        return None, 0.0
    mine = dedupe.comparable(item.title, item.body)
    best: tuple[Item | None, float] = (None, 0.0)
    for other in candidates:
        score = dedupe.same_text(mine, dedupe.comparable(other.title, other.body))
        if score and score > best[1]:
            best = (other, score)
    return best


def _revised_note(item: Item) -> str:
    return f"内容已按第 {item.envelope_id} 件收到的修改稿更新"


def _revised_by(earlier: Item, item: Item) -> bool:
    """``earlier`` carries ``item``'s text because ``item`` is its revision."""
    return (
        earlier.id != item.id
        and (earlier.title, earlier.body) == (item.title, item.body)
        and _revised_note(item) in earlier.reason.split("；")
    )


def _crosses_month(job: Job, earlier: Item, item: Item) -> bool:
    """A revision received in a later month under another category: rewriting the
    earlier item would change a month already reported."""
    a, b = earlier.received_at.astimezone(job.tz), item.received_at.astimezone(job.tz)
    return (b.year, b.month) > (a.year, a.month) and item.category != earlier.category


def _carrier(session: Session, earlier: Item) -> Item:
    """The version ``earlier`` now carries: its own, or a revision's."""
    for other in store.duplicates_of(session, earlier.id):
        if _revised_by(earlier, other):
            return other
    return earlier


def _revise(job: Job, session: Session, earlier: Item, item: Item, how: str) -> None:
    """``item`` is a corrected version of ``earlier``: the earlier item carries it, unless
    ``item`` is a version received before (the earlier item keeps its own ``text_hash``,
    its revisions theirs) or older than the one it carries: never go back."""
    carrier = _carrier(session, earlier)
    versions = {earlier.text_hash}
    versions |= {d.text_hash for d in store.duplicates_of(session, earlier.id) if d.id != item.id}
    if carrier is not item and (
        item.text_hash in versions or item.received_at < carrier.received_at
    ):
        item.status, item.duplicate_of = DUPLICATE, earlier.id
        item.reason = f"第 {earlier.id} 条已有更新的版本（{how}），本条为旧稿，只计一次"
        return
    for name in _REVISED_FIELDS:
        setattr(earlier, name, getattr(item, name))
    if earlier.manual_category in job.rules.categories:  # the clerk's category stays
        earlier.category = earlier.manual_category
        label = job.rules.category_label(earlier.category)
        earlier.category_reason = f"信息科指定为{label}{_decided(earlier, job.tz)}"
    earlier.over_limit, limit_note = length_check(job.rules, earlier.category, earlier.chars)
    note = _revised_note(item)
    kept = _with_limit_note(earlier.reason, "").split("；")
    earlier.reason = "；".join(dict.fromkeys(r for r in (*kept, note, limit_note) if r))
    item.status, item.duplicate_of = DUPLICATE, earlier.id
    item.reason = f"修改稿（{how}）：内容已更新到第 {earlier.id} 条，只计一次"


def _joint(job: Job, session: Session, item: Item, since) -> None:
    """A joint submission (联合报送) waits for the clerk: the same text (the same body of
    at least ``dedupe.MIN_CHARS`` 字 whatever the titles, or a shorter one under the same
    title, or ≥ 90 % the same under the same title) already came from another unit, or
    the sign-off names this unit and others. A short body under another title (a
    short 动态 two units happen to word alike) is not flagged."""
    mine = dedupe.comparable(item.title, item.body)
    other, how = None, "内容相同"
    for candidate in store.same_text_elsewhere(session, item.unit_id, item.text_hash, item.id):
        long_enough = item.chars >= dedupe.MIN_CHARS
        if long_enough or dedupe.titles_agree(
            mine, dedupe.comparable(candidate.title, candidate.body)
        ):
            other = candidate
            break
    if other is None:
        for candidate in store.same_title_elsewhere(
            session, item.unit_id, item.title_key, since, item.id
        ):
            score = dedupe.same_text(mine, dedupe.comparable(candidate.title, candidate.body))
            if score:
                other, how = candidate, f"内容 {score:.0f}% 相同"
                break
    names = job.unit_names(session)
    mine_name = names.get(item.unit_id, "")
    if other is not None:
        theirs = [names.get(other.unit_id, "")]
        joint = f"与第 {other.id} 条（{theirs[0]}）{how}，可能为联合报送，请确认"
    else:  # the first of a joint submission says so in its sign-off (供稿单位：甲、乙)
        signed = names_in(signoff_text(item.body.split("\n")), job.roster)
        theirs = [u.name for u in signed]
        if len(theirs) < 2 or mine_name not in theirs:
            return
        joint = f"落款为多个单位（{'、'.join(theirs)}），可能为联合报送，请确认"
    item.status = REVIEW
    item.reason = "；".join(r for r in (joint, item.reason) if r)
    item.candidates = "、".join(dict.fromkeys(n for n in (mine_name, *theirs) if n))


# What classification derives from a document's text (an ItemDraft and an Item share them).
_TEXT_FIELDS = (
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
_REVISED_FIELDS = (*(f for f in _TEXT_FIELDS if f != "text_hash"), "title_key")


# ------------------------------------------------------------------------------ reparse
def reparse(job: Job, envelope: Envelope, session: Session) -> str:
    """Parse a recorded envelope again from its raw copy and update its items in place
    (same ids, so adoptions and other events stay attached). Returns a Chinese note."""
    if envelope.source == "import":
        return "台账导入的数据无原件，跳过"
    if not envelope.sha256:
        return f"未下载原件（{envelope.reason or '无内容'}），跳过"
    path = rawstore.raw_path(job.raw_dir, envelope.sha256)
    if not path.is_file():
        return f"原件 {path} 不存在，无法重新解析"
    incoming = Incoming(
        source=envelope.source,
        raw=path.read_bytes(),
        name=envelope.path.rsplit("/", 1)[-1] if envelope.path else (envelope.subject or ""),
        received_at=envelope.received_at,
        folder_unit=envelope.folder_unit,
        sidecar_unit=envelope.sidecar_unit,
        sender=envelope.sender if envelope.source == "dropfolder" else None,
    )
    existing = list(session.exec(select(Item).where(Item.envelope_id == envelope.id)))
    # Revisions received later that these items carry: applied again after the re-read,
    # so re-parsing an earlier version never puts its older text back.
    later = [
        (item, other)
        for item in existing
        for other in store.duplicates_of(session, item.id)
        if _revised_by(item, other)
    ]
    out = Summary()
    _parse_into(job, session, envelope, incoming, existing, out)
    for item, other in sorted(later, key=lambda pair: (pair[1].received_at, pair[1].id)):
        if item.status == COUNTED and other.status == DUPLICATE and other.duplicate_of == item.id:
            said = other.reason
            _revise(job, session, item, other, "")
            other.reason = said
    if envelope.status != ENV_PARSED:
        return envelope.reason or "不是报送信息"
    return f"重新解析得到 {sum(out.items.values())} 条"
