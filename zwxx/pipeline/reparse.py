"""Re-reading recorded envelopes: ``reparse`` (after an upgrade or a change of rules) and
``redecide`` (right after the clerk decided on an item in ``zwxx review``)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from zwxx.pipeline import clerk, revisions, stages
from zwxx.pipeline.context import EnvelopeContext, Job, Parsers, Summary
from zwxx.records import notes as N
from zwxx.records import rawstore, store
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    ENV_DUPLICATE,
    ENV_FAILED,
    ENV_PARSED,
    IGNORED,
    Envelope,
    Item,
)
from zwxx.types import Incoming


def reparse(job: Job, envelope: Envelope, session: Session, parsers: Parsers | None = None) -> str:
    """Parse a recorded envelope again from its raw copy and update its items in place
    (same ids, so adoptions and other events stay attached). Returns a Chinese note."""
    if envelope.source == "import":
        return "台账导入的数据无原件，跳过"
    if envelope.status == ENV_DUPLICATE:
        return f"与第 {envelope.duplicate_of} 件内容完全相同（重复收到），跳过"
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
        is_message=envelope.source == "imap",  # a mailbox hands over messages only
    )
    existing = store.items_of(session, envelope.id)
    # Revisions received later that these items carry: applied again after the re-read,
    # so re-parsing an earlier version never puts its older text back.
    later = [
        (item, other)
        for item in existing
        for other in store.duplicates_of(session, item.id)
        if revisions.revised_by(item, other)
    ]
    out = Summary()
    ctx = EnvelopeContext(job, session, incoming, out, parsers=parsers or Parsers())
    ctx.envelope, ctx.existing = envelope, existing
    stages.run(stages.PARSE_STAGES, ctx)
    for item, other in sorted(later, key=lambda pair: (pair[1].received_at, pair[1].id)):
        if item.status == COUNTED and other.status == DUPLICATE and other.duplicate_of == item.id:
            said = N.notes_of(other)  # the revision keeps what it said
            revisions.revise_in(job, session, item, other, "")
            N.set_notes(other, said)
    if envelope.status != ENV_PARSED:
        return envelope.reason or "不是报送信息"
    return f"重新解析得到 {sum(out.items.values())} 条"


def redecide(job: Job, session: Session, item: Item, parsers: Parsers | None = None) -> int:
    """Apply the clerk's decisions just recorded on ``item`` now (``zwxx review``) and
    reach what a re-parse would: the envelopes of ``item`` and of the items it may be
    the same as (same text, same title within the revision window, its duplicates) are
    parsed again from their raw copies in the order a full re-parse takes them, so a
    later copy is compared with the decided one afresh. Returns how many other items
    are now its duplicates."""
    names = job.unit_names(session) if item.manual_unit_id is not None else {}
    clerk.apply_decisions(item, job.rules, job.tz, names)
    if item.manual_status != IGNORED and item.manual_unit_id is not None:
        revisions.dedupe(job, session, item)
    session.add(item)
    session.flush()
    days = timedelta(days=job.rules.classification.revision_days)
    related = store.related_items(session, item, item.received_at - days, item.received_at + days)
    envelopes = {i.envelope_id for i in [item, *related] if i.envelope_id is not None}
    for envelope_id in sorted(envelopes):
        envelope = session.get(Envelope, envelope_id)
        if envelope is not None and envelope.status != ENV_FAILED:
            reparse(job, envelope, session, parsers)
    session.flush()
    return len(store.duplicates_of(session, item.id))
