"""The main job: sources -> envelopes -> documents -> items -> records.

The order of the stages is data, in ``zwxx.pipeline.stages`` (read its docstring for the
whole flow); ``runner`` loops over them and owns the transaction and the source's
checkpoint. The rules the stages apply live one job per module, imported one way only:

    context      Job, Summary, EnvelopeContext (the data carried through the stages)
    clerk        the clerk's decisions (manual_*) on top of the automatic ones
    attribution  follow-ups on who sent an item (candidates, unknown sender)
    revisions    duplicates, revisions (修改稿), joint submissions (联合报送)
    stages       the stage functions and the STAGES / PARSE_STAGES / ITEM_STAGES tuples
    runner       poll, process
    reparse      reparse, redecide

The names callers use are importable from here. ``extract`` and ``build`` are looked up
here each time a poll starts, so a test can replace them on ``zwxx.pipeline``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from zwxx.classify.item import build
from zwxx.ingest.extract import extract
from zwxx.pipeline import reparse as _reparse
from zwxx.pipeline import runner
from zwxx.pipeline.context import EnvelopeContext, Job, Parsers, Summary
from zwxx.pipeline.stages import ITEM_STAGES, PARSE_STAGES, STAGES
from zwxx.records.models import Envelope, Item
from zwxx.types import Incoming, Source

__all__ = [
    "ITEM_STAGES",
    "PARSE_STAGES",
    "STAGES",
    "EnvelopeContext",
    "Job",
    "Parsers",
    "Summary",
    "build",
    "extract",
    "poll",
    "process",
    "redecide",
    "reparse",
]


def _parsers() -> Parsers:
    return Parsers(read=extract, build=build)


def poll(job: Job, sources: list[Source], progress: Callable[[str], None] | None = None) -> Summary:
    """One pass over every source (see ``runner.poll``)."""
    return runner.poll(job, sources, progress, _parsers())


def process(job: Job, source: Source, incoming: Incoming) -> Summary:
    """One envelope through every stage (see ``runner.process``)."""
    return runner.process(job, source, incoming, _parsers())


def reparse(job: Job, envelope: Envelope, session: Session) -> str:
    """Parse a recorded envelope again from its raw copy (see ``reparse.reparse``)."""
    return _reparse.reparse(job, envelope, session, _parsers())


def redecide(job: Job, session: Session, item: Item) -> int:
    """Apply the clerk's decisions on ``item`` now (see ``reparse.redecide``)."""
    return _reparse.redecide(job, session, item, _parsers())
