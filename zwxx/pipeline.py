"""The main job, stage by stage. Read this module to see the whole flow:

    source -> raw copy -> seen before? -> documents -> classify -> dedupe -> record -> done

Each envelope is recorded in one transaction together with the source's checkpoint, and
only then is the source told (the drop folder moves the file to archive/). A crash at any
point therefore loses nothing and counts nothing twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from classify.item import Context, ItemDraft, build
from config.roster import Roster
from config.rules import Rules
from ingest import rawstore
from ingest.base import Incoming, Source
from ingest.extract import Extracted, extract
from records import store
from records.db import session_scope
from records.models import (
    COUNTED,
    DUPLICATE,
    ENV_FAILED,
    ENV_IGNORED,
    ENV_PARSED,
    FAILED,
    REVIEW,
    Envelope,
    Item,
)
from zwxx.errors import DocumentError

log = logging.getLogger(__name__)


@dataclass
class Job:
    """What every stage needs."""

    engine: Engine
    roster: Roster
    rules: Rules
    raw_dir: Path


@dataclass
class Summary:
    """What one poll did, for the Chinese summary line."""

    envelopes: int = 0
    seen_before: int = 0
    items: Counter = field(default_factory=Counter)  # by item status
    failed: int = 0
    ignored: int = 0

    def add(self, other: Summary) -> None:
        self.envelopes += other.envelopes
        self.seen_before += other.seen_before
        self.items.update(other.items)
        self.failed += other.failed
        self.ignored += other.ignored


def poll(job: Job, sources: list[Source], progress: Callable[[str], None] | None = None) -> Summary:
    """One pass over every source."""
    total = Summary()
    for source in sources:
        for incoming in source.incoming():
            total.add(process(job, source, incoming))
            if progress:
                progress(incoming.name)
    return total


def process(job: Job, source: Source, incoming: Incoming) -> Summary:
    """Take one envelope through every stage; never raises for bad input."""
    digest, _ = rawstore.store(job.raw_dir, incoming.raw)  # 1. raw copy before anything
    result = Summary()
    try:
        with session_scope(job.engine) as session:
            if store.find_envelope(session, incoming.source, digest):  # 2. seen before
                result.seen_before = 1
                status, reason = "seen", "此前已处理过相同内容"
            else:
                envelope = _record(job, session, incoming, digest, result)  # 3-6
                source.in_transaction(session, incoming)
                status, reason = envelope.status, envelope.reason
    except IntegrityError:
        # Another poll recorded the same envelope between our check and our commit.
        result = Summary(seen_before=1)
        status, reason = "seen", "此前已处理过相同内容"
    source.after_commit(incoming, status, reason)  # 7. only after the commit
    return result


def _record(job: Job, session: Session, incoming: Incoming, digest: str, out: Summary) -> Envelope:
    envelope = Envelope(
        source=incoming.source,
        sha256=digest,
        size=len(incoming.raw),
        received_at=incoming.received_at,
        sender=incoming.sender,
        subject=None,
        **incoming.provenance,
    )
    out.envelopes = 1
    try:
        extracted = extract(incoming)  # 3. documents
    except DocumentError as exc:
        envelope.status, envelope.reason = ENV_FAILED, exc.message
        out.failed = 1
        session.add(envelope)
        return envelope
    except Exception as exc:  # an unexpected parser bug must not stop the poll
        log.exception("unexpected error while reading %s", incoming.name)
        envelope.status = ENV_FAILED
        envelope.reason = f"读取时发生内部错误（{type(exc).__name__}），原件已保存，请联系管理员"
        out.failed = 1
        session.add(envelope)
        return envelope
    envelope.subject = extracted.subject or None
    envelope.sender = extracted.sender
    envelope.message_id = extracted.message_id
    if extracted.ignored:
        envelope.status, envelope.reason = ENV_IGNORED, extracted.ignored
        out.ignored = 1
        session.add(envelope)
        return envelope
    envelope.status = ENV_PARSED
    session.add(envelope)
    session.flush()
    ids = store.unit_ids(session)
    clerk = store.clerk_addresses(session)
    ctx = Context(
        subject=extracted.subject,
        sender=extracted.sender,
        sender_name=extracted.sender_name,
        unit_hint=incoming.unit_hint,
        hint_kind=incoming.hint_kind,
    )
    for part, doc in enumerate(extracted.documents):
        draft = build(doc, ctx, job.roster, job.rules, clerk)  # 4. classify
        item = _item(envelope, part, draft, incoming, ids)
        _dedupe(session, item)  # 5. dedupe
        session.add(item)  # 6. record
        session.flush()
        out.items[item.status] += 1
    _failed_items(session, envelope, extracted, incoming, out)
    return envelope


def _item(envelope: Envelope, part: int, d: ItemDraft, incoming: Incoming, ids: dict) -> Item:
    unit_id = ids.get(d.attribution.unit) if d.attribution.unit else None
    status = COUNTED if unit_id is not None else REVIEW
    reason = "；".join(r for r in (d.attribution.reason, d.limit_note) if r)
    return Item(
        envelope_id=envelope.id,
        part=part,
        unit_id=unit_id,
        title=d.title,
        body=d.body,
        category=d.category,
        category_reason=d.category_reason,
        chars=d.chars,
        chars_no_spaces=d.chars_no_spaces,
        doc_chars=d.doc_chars,
        over_limit=d.over_limit,
        status=status,
        reason=reason,
        author=d.author,
        received_at=incoming.received_at,
        attachment=d.attachment,
        attribution=d.attribution.method,
        text_hash=d.text_hash,
    )


def _dedupe(session: Session, item: Item) -> None:
    if item.status not in (COUNTED, REVIEW) or not item.body:
        return
    first = store.find_same_text(session, item.unit_id, item.text_hash)
    if first is not None:
        item.status = DUPLICATE
        item.duplicate_of = first.id
        item.reason = f"与第 {first.id} 条内容相同（重复报送），只计一次"


def _failed_items(
    session: Session, envelope: Envelope, ex: Extracted, incoming: Incoming, out: Summary
) -> None:
    base = len(ex.documents)
    for offset, (name, reason) in enumerate(ex.failures):
        session.add(
            Item(
                envelope_id=envelope.id,
                part=base + offset,
                title=name,
                category="dynamic",
                status=FAILED,
                reason=reason,
                received_at=incoming.received_at,
                attachment=name,
            )
        )
        out.items[FAILED] += 1
