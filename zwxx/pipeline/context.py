"""What the stages share: the poll's ``Job``, its ``Summary``, and the ``EnvelopeContext``
carried through every stage of one envelope."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session

from zwxx.classify.item import Context, ItemDraft, build
from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.ingest.extract import Extracted, extract
from zwxx.records import store
from zwxx.records.models import ENV_PARSED, Envelope, Item
from zwxx.types import Incoming, safe_text


@dataclass
class Job:
    """What every stage needs; one per poll (the unit table is read once per poll)."""

    engine: Engine
    roster: Roster
    rules: Rules
    raw_dir: Path
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    _units: tuple[dict[str, int], dict[str, str]] | None = field(default=None, repr=False)
    _names: dict[int | None, str] | None = field(default=None, repr=False)

    def units(self, session: Session) -> tuple[dict[str, int], dict[str, str]]:
        """(unit name -> id, clerk-assigned address -> unit name)."""
        if self._units is None:
            self._units = (store.unit_ids(session), store.clerk_addresses(session))
        return self._units

    def unit_names(self, session: Session) -> dict[int | None, str]:
        """Unit id -> name (read once per poll, like ``units``)."""
        if self._names is None:
            self._names = {uid: name for name, uid in self.units(session)[0].items()}
        return self._names


@dataclass
class Summary:
    """What one poll did, for the Chinese summary line."""

    envelopes: int = 0
    seen_before: int = 0
    copies: int = 0  # envelopes recorded as copies of an earlier one (no items)
    items: Counter = field(default_factory=Counter)  # by item status
    failed: int = 0
    ignored: int = 0
    errors: list[str] = field(default_factory=list)  # sources that could not be read

    def add(self, other: Summary) -> None:
        self.envelopes += other.envelopes
        self.seen_before += other.seen_before
        self.copies += other.copies
        self.items.update(other.items)
        self.failed += other.failed
        self.ignored += other.ignored
        self.errors += other.errors


@dataclass(frozen=True)
class Parsers:
    """The document reader and the classifier the stages call (replaceable in tests)."""

    read: Callable[[Incoming], Extracted] = extract
    build: Callable[..., ItemDraft] = build


@dataclass
class EnvelopeContext:
    """One envelope on its way through the stages (one transaction).

    The envelope stages fill it in turn; ``item``/``draft`` are the part the item stages
    are working on. A stage sets ``stop`` to end the envelope early (seen before)."""

    job: Job
    session: Session
    incoming: Incoming
    out: Summary
    digest: str = ""  # sha256 of the raw bytes ("" if not fetched)
    identity: str = ""
    content_key: str = ""  # what copies share ("" if not fetched)
    parsers: Parsers = field(default_factory=Parsers)
    envelope: Envelope | None = None
    existing: list[Item] = field(default_factory=list)  # items to update in place (re-parse)
    extracted: Extracted = field(default_factory=Extracted)
    context: Context = field(default_factory=Context)
    drafts: list[ItemDraft] = field(default_factory=list)
    matched: list[Item | None] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    item: Item | None = None
    draft: ItemDraft | None = None
    stop: bool = False
    result: tuple[str, str | None] | None = None  # (status, reason) when stopped early

    @property
    def env(self) -> Envelope:
        """The envelope row, once ``new_envelope`` (or ``reparse``) has set it."""
        if self.envelope is None:
            raise RuntimeError("an envelope stage ran before new_envelope")
        return self.envelope

    @property
    def part(self) -> tuple[Item, ItemDraft]:
        """The item and draft the item stages are working on (set by ``each_item``)."""
        if self.item is None or self.draft is None:
            raise RuntimeError("an item stage ran outside each_item")
        return self.item, self.draft

    @property
    def parsed(self) -> bool:
        """The envelope's documents were read (not failed, not ignored)."""
        return self.envelope is not None and self.envelope.status == ENV_PARSED


def clip(text: str | None, limit: int) -> str | None:
    """Untrusted text cleaned and cut to its column."""
    return safe_text(text)[:limit] or None if text else None
