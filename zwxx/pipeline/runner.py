"""The runner: every source's envelopes through ``stages.STAGES``.

Each envelope is recorded in one transaction together with the source's checkpoint, and
only then is the source told (the drop folder moves the file to archive/): a crash between
any two steps loses nothing and counts nothing twice. Polls take a lock shared by every
process on the database, so two never interleave; an envelope that breaks a stage is
recorded as failed with its reason and the poll goes on. Errors are caught here, only."""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.exc import IntegrityError

from zwxx.errors import SourceUnavailable
from zwxx.pipeline import stages
from zwxx.pipeline.context import EnvelopeContext, Job, Parsers, Summary
from zwxx.records import rawstore, store
from zwxx.records.db import process_lock, session_scope
from zwxx.records.models import ENV_FAILED
from zwxx.types import Incoming, Source

log = logging.getLogger(__name__)


def poll(
    job: Job,
    sources: list[Source],
    progress: Callable[[str], None] | None = None,
    parsers: Parsers | None = None,
) -> Summary:
    """One pass over every source, never two at once (a lock shared by every process on
    the database). A source that cannot be reached, or an envelope that cannot even be
    recorded as failed, ends that source's pass with a note in ``errors``; what it
    delivered before is recorded, and the other sources still run."""
    total = Summary()
    with process_lock(job.engine, "poll"):
        for source in sources:
            try:
                for incoming in source.incoming():
                    total.add(process(job, source, incoming, parsers))
                    if progress:
                        progress(incoming.name)
            except SourceUnavailable as exc:
                total.errors.append(exc.message)
    return total


def process(
    job: Job, source: Source, incoming: Incoming, parsers: Parsers | None = None
) -> Summary:
    """Take one envelope through every stage. Bad input becomes a failed record; an
    unexpected error too (in a fresh transaction), so one envelope never blocks the
    ones after it."""
    digest = ""
    if incoming.raw:
        digest, _ = rawstore.store(job.raw_dir, incoming.raw)  # the raw copy before anything
    # Not fetched (too large): identified by where it is.
    identity = incoming.identity or digest
    identity = identity or rawstore.sha256(repr(sorted(incoming.provenance.items())).encode())
    content_key = incoming.content_key or digest
    result = Summary()
    try:
        with session_scope(job.engine) as session:
            ctx = EnvelopeContext(
                job,
                session,
                incoming,
                result,
                digest,
                identity,
                content_key,
                parsers or Parsers(),
            )
            stages.run(stages.STAGES, ctx)
            status, reason = ctx.result or (ctx.env.status, ctx.env.reason)
            source.in_transaction(session, incoming)  # the checkpoint, same transaction
    except IntegrityError as exc:
        if not _is_duplicate_envelope(exc):
            raise
        # Another poll recorded the same envelope between our check and our commit.
        result = Summary(seen_before=1)
        status, reason = "seen", stages.SEEN
    except Exception as exc:  # a bug or a database refusal: record it, keep going
        log.error("could not record %s: %s: %s", incoming.name, type(exc).__name__, exc)
        log.debug("details", exc_info=True)  # the traceback with --verbose
        reason = f"登记时发生内部错误（{type(exc).__name__}），原件已保存，请联系管理员"
        result = _record_failure(source, incoming, job, digest, identity, reason)
        status = ENV_FAILED
    source.after_commit(incoming, status, reason)  # only after the commit
    return result


def _is_duplicate_envelope(exc: IntegrityError) -> bool:
    text = str(exc.orig).lower()
    return "uq_envelope" in text or ("unique" in text and "envelope." in text)


def _record_failure(
    source: Source, incoming: Incoming, job: Job, digest: str, identity: str, reason: str
) -> Summary:
    """The envelope as ``failed`` with ``reason``, with the source's checkpoint. If even
    that cannot be written, stop this source's pass: it is retried next time."""
    try:
        with session_scope(job.engine) as session:
            found = store.find_envelope(session, incoming.source, identity, incoming.provenance)
            if found is None:
                # No content key: a copy of what failed here is read, not called a copy.
                envelope = stages.envelope_row(incoming, digest, identity)
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
