"""The stages of one envelope, in order. Each is ``stage(ctx: EnvelopeContext) -> None``;
the runner (zwxx.pipeline.runner) loops over ``STAGES`` inside one transaction, which
also advances the source's checkpoint, and tells the source only after the commit:

    source ─▶ raw copy (runner, before the transaction)
    STAGES
      seen_before        this message (mailbox, folder, UIDVALIDITY, UID) or file recorded
                         before? stop ("seen"); a failed one sent again is read again in place
      new_envelope       the envelope row (provenance cleaned and clipped)
      copy_of            the same bytes as an earlier envelope (a mail delivered twice, a
                         file dropped again)? the row is a ``duplicate`` pointing at it; stop
      PARSE_STAGES       (also what ``reparse`` runs on a recorded envelope)
        read_documents   the message or file -> documents; failed / ignored envelope
        classify         each document -> a draft: category, 字数, unit, author
        match_parts      a re-parse updates the items it had, same ids (by name, else position)
        each_item        ITEM_STAGES for each draft, one after the other:
          from_draft       the item's fields and notes from its draft
          follow_up        attribution follow-up: candidates, unknown sender (attribution.py)
          clerk_decisions  the clerk's manual_* decisions on top (clerk.py)
          dedupe           duplicate, revision (修改稿), joint submission (revisions.py)
          record           session.add
        record_failures  attachments that could not be read: failed items
        tally            the items by status, for the poll's summary
        set_aside_gone   parts a re-parse no longer finds (clerk.set_aside)
    commit, then the source is told (the drop folder moves the file to archive/)
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable

from zwxx.classify.dedupe import revision_key
from zwxx.classify.item import Context
from zwxx.errors import DocumentError
from zwxx.pipeline import attribution, clerk, revisions
from zwxx.pipeline.context import EnvelopeContext, clip
from zwxx.records import notes as N
from zwxx.records.models import (
    COUNTED,
    ENV_DUPLICATE,
    ENV_FAILED,
    ENV_IGNORED,
    ENV_NEW,
    ENV_PARSED,
    FAILED,
    REVIEW,
    Envelope,
    Item,
)
from zwxx.records.store import find_envelope, find_moved_message, first_with_content, items_of

log = logging.getLogger(__name__)

Stage = Callable[[EnvelopeContext], None]
SEEN = "此前已处理过相同内容"
COPY = "与第 {} 件收件内容完全相同（同一邮件或文件重复收到），不重复计数"


# ------------------------------------------------------------------ envelope stages
def seen_before(ctx: EnvelopeContext) -> None:
    """This very message or file recorded before (a re-scan, a crash before the file
    moved to archive/, a rebuilt folder giving its messages again): stop, "seen". One
    that failed and is sent again is read again in place."""
    incoming, session = ctx.incoming, ctx.session
    seen = find_envelope(session, incoming.source, ctx.identity, incoming.provenance)
    if seen is None:
        seen = find_moved_message(session, incoming.provenance, ctx.digest, incoming.message_id)
        if seen is not None:  # the message now lives under the new UIDVALIDITY
            _now_at(seen, ctx)
    if seen is None and incoming.source == "dropfolder" and ctx.content_key:
        # A file that failed went to failed/; given back, it is that file again.
        failed = first_with_content(session, incoming.source, ctx.content_key, failed=True)
        if (
            failed is not None
            and first_with_content(session, incoming.source, ctx.content_key) is None
        ):
            seen = failed
            _now_at(seen, ctx)
    if seen is None:
        return
    if seen.status == ENV_FAILED and incoming.failure is None and incoming.raw:
        # A file that failed before and is sent again (say, after LibreOffice was
        # installed): read it again in place rather than call it "seen".
        ctx.envelope = seen
        ctx.existing = items_of(session, seen.id)
        ctx.out.envelopes = 1
        return
    ctx.out.seen_before = 1  # this message or file again
    ctx.result, ctx.stop = ("seen", SEEN), True


def _now_at(envelope: Envelope, ctx: EnvelopeContext) -> None:
    """The envelope now stands for the message or file as it is found this time (its
    new UID, the file given back), so a re-scan after a crash finds it by identity."""
    envelope.identity = ctx.identity
    for key in ("uidvalidity", "uid", "path"):
        if key in ctx.incoming.provenance:
            setattr(envelope, key, ctx.incoming.provenance[key])


def new_envelope(ctx: EnvelopeContext) -> None:
    if ctx.envelope is None:
        ctx.envelope = envelope_row(ctx.incoming, ctx.digest, ctx.identity, ctx.content_key)
        ctx.session.add(ctx.envelope)
        ctx.out.envelopes = 1


def copy_of(ctx: EnvelopeContext) -> None:
    """The same bytes as an earlier envelope (one mail delivered twice, a file dropped
    again): recorded as a copy pointing at the first one, with no items of its own, so
    every message and file has its row and nothing is counted twice."""
    envelope = ctx.env
    if envelope.status != ENV_NEW or ctx.incoming.failure or not ctx.content_key:
        return  # read again in place, or not fetched
    ctx.session.flush()  # its id: the first is an earlier one
    first = first_with_content(
        ctx.session, ctx.incoming.source, ctx.content_key, before=envelope.id
    )
    if first is None:
        return
    envelope.status, envelope.duplicate_of = ENV_DUPLICATE, first.id
    envelope.reason = COPY.format(first.id)
    # The same bytes: the same subject, sender and Message-ID, without reading them again.
    envelope.subject = first.subject
    envelope.sender = first.sender or envelope.sender
    envelope.message_id = first.message_id or envelope.message_id
    ctx.out.copies = 1
    ctx.result, ctx.stop = (ENV_DUPLICATE, envelope.reason), True


def envelope_row(incoming, digest: str, identity: str, content_key: str | None = None) -> Envelope:
    """An envelope with every text cleaned and cut to its column (untrusted input)."""
    prov = dict(incoming.provenance)
    for key, limit in (("path", 4000), ("mailbox", 254), ("folder", 254)):
        if key in prov:
            prov[key] = clip(prov[key], limit)
    return Envelope(
        source=incoming.source,
        sha256=digest,
        identity=identity,
        content_key=content_key or None,
        size=len(incoming.raw),
        received_at=incoming.received_at,
        sender=clip(incoming.sender, 254),
        message_id=clip(incoming.message_id, 998),
        folder_unit=clip(incoming.folder_unit, 100),
        sidecar_unit=clip(incoming.sidecar_unit, 100),
        **prov,
    )


def read_documents(ctx: EnvelopeContext) -> None:
    envelope, incoming = ctx.env, ctx.incoming
    reason = incoming.failure
    if reason is None:
        try:
            ctx.extracted = ctx.parsers.read(incoming)
        except DocumentError as exc:
            reason = exc.message
        except Exception as exc:  # an unexpected parser bug must not stop the poll
            log.exception("unexpected error while reading %s", incoming.name)
            reason = f"读取时发生内部错误（{type(exc).__name__}），原件已保存，请联系管理员"
    if reason is not None:
        envelope.status, envelope.reason = ENV_FAILED, reason
        ctx.out.failed = 1
        return
    extracted = ctx.extracted
    envelope.subject = clip(extracted.subject, 2000)
    envelope.sender = clip(extracted.sender or incoming.sender, 254)
    envelope.message_id = clip(extracted.message_id, 998) or envelope.message_id
    if extracted.ignored:
        envelope.status, envelope.reason = ENV_IGNORED, extracted.ignored
        ctx.out.ignored = 1
        return
    envelope.status, envelope.reason = ENV_PARSED, None
    ctx.session.flush()


def classify(ctx: EnvelopeContext) -> None:
    if not ctx.parsed:
        return
    job, extracted, incoming = ctx.job, ctx.extracted, ctx.incoming
    _ids, clerk_addresses = job.units(ctx.session)
    ctx.context = Context(
        subject=extracted.subject,
        sender=extracted.sender or incoming.sender,
        sender_name=extracted.sender_name,
        folder_unit=incoming.folder_unit,
        sidecar_unit=incoming.sidecar_unit,
        note=extracted.note,
        documents=len(extracted.documents),
    )
    ctx.drafts = [
        ctx.parsers.build(doc, ctx.context, job.roster, job.rules, clerk_addresses)
        for doc in extracted.documents
    ]


def match_parts(ctx: EnvelopeContext) -> None:
    if not ctx.parsed:
        return
    keys: list[tuple[str | None, str | None]] = [(d.attachment, d.text_hash) for d in ctx.drafts]
    keys += [(name, None) for name, _reason in ctx.extracted.failures]
    ctx.matched = match(ctx.existing, keys)


def match(existing: list[Item], keys: list[tuple[str | None, str | None]]) -> list[Item | None]:
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


def _part(ctx: EnvelopeContext, part: int, category: str) -> Item:
    """The item of part ``part``: the one a re-parse matched to it, else a new one."""
    item = ctx.matched[part] or Item(
        envelope_id=ctx.env.id, part=part, category=category, received_at=ctx.incoming.received_at
    )
    item.part = part
    return item


def each_item(ctx: EnvelopeContext) -> None:
    """ITEM_STAGES for each draft in turn (a part is recorded before the next is compared)."""
    if not ctx.parsed:
        return
    for part, draft in enumerate(ctx.drafts):
        item = _part(ctx, part, draft.category)
        ctx.item, ctx.draft = item, draft
        for stage in ITEM_STAGES:
            stage(ctx)
    ctx.item = ctx.draft = None


def record_failures(ctx: EnvelopeContext) -> None:
    if not ctx.parsed:
        return
    start = len(ctx.extracted.documents)
    for offset, (name, reason) in enumerate(ctx.extracted.failures, start=start):
        item = _part(ctx, offset, ctx.job.rules.default_category)
        item.title, item.attachment, item.status = name, name, FAILED
        N.set_notes(item, [N.Note("unreadable", reason)])
        item.unit_id = None
        ctx.session.add(item)
        ctx.items.append(item)


def tally(ctx: EnvelopeContext) -> None:
    for item in ctx.items:
        ctx.out.items[item.status] += 1


def set_aside_gone(ctx: EnvelopeContext) -> None:
    for gone in ctx.existing:  # what matching left over
        clerk.set_aside(gone, ctx.job.rules, ctx.job.tz, _names(ctx, gone))


# ------------------------------------------------------------------ item stages
def from_draft(ctx: EnvelopeContext) -> None:
    """What classification decides, on a new item or one re-parsed in place."""
    item, d = ctx.part
    ids, _clerk = ctx.job.units(ctx.session)
    unit_id = ids.get(d.attribution.unit) if d.attribution.unit else None
    item.unit_id = unit_id
    item.status = COUNTED if unit_id is not None and not attribution.own_review(d) else REVIEW
    N.set_notes(item, d.notes())
    item.attribution = d.attribution.method
    item.candidates = "、".join(d.attribution.candidates)
    item.duplicate_of = None
    item.title_key = revision_key(d.title)
    for name in (*revisions.TEXT_FIELDS, "attachment"):
        setattr(item, name, getattr(d, name))


def follow_up(ctx: EnvelopeContext) -> None:
    item, draft = ctx.part
    attribution.follow_up(item, draft, ctx.context, ctx.job.roster)


def clerk_decisions(ctx: EnvelopeContext) -> None:
    item, _draft = ctx.part
    clerk.apply_decisions(item, ctx.job.rules, ctx.job.tz, _names(ctx, item))


def dedupe(ctx: EnvelopeContext) -> None:
    item, _draft = ctx.part
    revisions.dedupe(ctx.job, ctx.session, item)  # a new item is not in the session yet


def record(ctx: EnvelopeContext) -> None:
    item, _draft = ctx.part
    ctx.session.add(item)
    ctx.items.append(item)


def _names(ctx: EnvelopeContext, item: Item) -> dict[int | None, str]:
    """Unit id -> name, read only when the clerk named a unit for ``item``."""
    return ctx.job.unit_names(ctx.session) if item.manual_unit_id is not None else {}


ITEM_STAGES: tuple[Stage, ...] = (from_draft, follow_up, clerk_decisions, dedupe, record)
PARSE_STAGES: tuple[Stage, ...] = (
    read_documents,
    classify,
    match_parts,
    each_item,
    record_failures,
    tally,
    set_aside_gone,
)
STAGES: tuple[Stage, ...] = (seen_before, new_envelope, copy_of, *PARSE_STAGES)


def run(stages: tuple[Stage, ...], ctx: EnvelopeContext) -> None:
    """Each stage in turn, until one says stop."""
    for stage in stages:
        stage(ctx)
        if ctx.stop:
            return
