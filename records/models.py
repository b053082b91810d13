"""Tables. Times are stored in UTC and come back timezone-aware (UTC).

Period boundaries (month, quarter) are computed in the office's timezone by the callers.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out, naive UTC on disk (SQLite has no tz)."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


# Item statuses. Only COUNTED items count toward quotas and scores.
COUNTED = "counted"
REVIEW = "review"  # unit or category uncertain: waits for the clerk
DUPLICATE = "duplicate"  # same item received before; points at the first one
IGNORED = "ignored"  # not a submission (cover note, auto-reply, ...)
FAILED = "failed"  # could not be read; the raw file is kept

# Envelope statuses (SPEC: new/parsed/ignored/failed; duplicate: the same bytes as an
# earlier envelope, e.g. one mail delivered twice; recorded, pointing at it, no items).
ENV_NEW, ENV_PARSED, ENV_IGNORED, ENV_FAILED = "new", "parsed", "ignored", "failed"
ENV_DUPLICATE = "duplicate"


class Unit(SQLModel, table=True):
    """A reporting unit, mirrored from the roster file at start-up."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    group: str = Field(sa_column=sa.Column("group_key", sa.String(20), nullable=False))
    active: bool = True


class UnitAddress(SQLModel, table=True):
    """A sender address known to belong to a unit (from the roster or the clerk)."""

    __tablename__ = "unit_address"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    email: str = Field(sa_column=sa.Column(sa.String(254), nullable=False, unique=True))
    origin: str = Field(default="roster", max_length=20)  # roster | clerk
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Envelope(SQLModel, table=True):
    """Every message or file seen, whatever became of it."""

    __table_args__ = (
        sa.UniqueConstraint("source", "identity", name="uq_envelope_source_identity"),
        sa.UniqueConstraint("mailbox", "folder", "uidvalidity", "uid", name="uq_envelope_uid"),
    )

    id: int | None = Field(default=None, primary_key=True)
    source: str = Field(max_length=20)  # imap | dropfolder | import
    mailbox: str | None = Field(default=None, max_length=254)
    folder: str | None = Field(default=None, max_length=254)
    uidvalidity: int | None = Field(default=None, sa_type=sa.BigInteger)
    uid: int | None = Field(default=None, sa_type=sa.BigInteger)
    path: str | None = None
    message_id: str | None = Field(default=None, max_length=998, index=True)
    sha256: str = Field(max_length=64, index=True)  # of the raw bytes ("" if not fetched)
    # What makes it "the same envelope" for its source, so a re-scan never records it
    # twice: a mailbox message by (mailbox, folder, UIDVALIDITY, UID), a drop-folder file
    # by where it lies and what it is (path, inode, mtime, bytes, sidecar). Envelopes
    # recorded before 0.3.0 carry their content key here.
    identity: str = Field(max_length=64)
    # What makes two envelopes copies of each other: the bytes (and for a drop-folder
    # file its unit: one file sent by two units is two submissions). None if not fetched.
    content_key: str | None = Field(default=None, max_length=64, index=True)
    # A copy (status duplicate) points at the first envelope with its content_key.
    # No foreign key: SQLite would copy the table to add one (see migration 0007).
    duplicate_of: int | None = Field(default=None, index=True)
    size: int = 0
    received_at: datetime = Field(sa_type=UTCDateTime)
    sender: str | None = None
    subject: str | None = None
    # Units named by the OA sub-folder and sidecar, kept so ``reparse`` sees them again.
    folder_unit: str | None = Field(default=None, max_length=100)
    sidecar_unit: str | None = Field(default=None, max_length=100)
    status: str = Field(default=ENV_NEW, max_length=10)
    reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ImapCheckpoint(SQLModel, table=True):
    """Per mailbox+folder: the UIDVALIDITY seen and the highest UID taken. Advanced in the
    same transaction as the message it covers, so it never runs ahead of the records."""

    __tablename__ = "imap_checkpoint"
    __table_args__ = (sa.UniqueConstraint("mailbox", "folder", name="uq_checkpoint_folder"),)

    id: int | None = Field(default=None, primary_key=True)
    mailbox: str = Field(max_length=254)
    folder: str = Field(max_length=254)
    uidvalidity: int = Field(sa_type=sa.BigInteger)
    last_uid: int = Field(default=0, sa_type=sa.BigInteger)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Item(SQLModel, table=True):
    """One submission (条) as counted under SPEC §2.

    The ``manual_*`` columns are the clerk's decisions (``zwxx review``); the pipeline
    applies them on top of the automatic classification on every (re)parse."""

    # Revision (修改稿) candidates: one unit's items received since a date.
    __table_args__ = (sa.Index("ix_item_unit_received", "unit_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    envelope_id: int | None = Field(default=None, foreign_key="envelope.id", index=True)
    part: int = 0  # position of the document inside its envelope
    unit_id: int | None = Field(default=None, foreign_key="unit.id", index=True)
    title: str = ""
    body: str = Field(default="", sa_type=sa.Text)
    category: str = Field(max_length=20)
    category_reason: str = ""
    chars: int = 0  # 字数 by the Word/WPS rule
    chars_no_spaces: int = 0
    doc_chars: int | None = None  # the document's own count (docProps/app.xml), if any
    over_limit: bool = False
    status: str = Field(default=COUNTED, max_length=10, index=True)
    # Why not counted, or what the clerk should check: the texts of ``notes`` joined by
    # "；" (written only by zwxx.records.notes.set_notes). Code reads the notes' codes.
    reason: str = ""
    notes: list[dict] = Field(
        default_factory=list,
        sa_column=sa.Column(sa.JSON(), nullable=False, server_default="[]"),
    )
    solicited: bool = False
    author: str | None = None
    received_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))
    attachment: str | None = None
    # How the unit was found: address | folder | sidecar | name | none | conflict | clerk | import
    attribution: str = ""
    text_hash: str = Field(default="", max_length=64, index=True)
    title_key: str = Field(default="", max_length=200, index=True)  # for revisions (修改稿)
    duplicate_of: int | None = Field(default=None, foreign_key="item.id")
    # Units the attribution hesitated between (names joined by "、"), for the review queue.
    candidates: str = ""
    # The clerk's decisions (zwxx review), kept across re-parsing.
    # No foreign key: adding one would make SQLite copy the whole item table (batch
    # mode), which fails once adoptions refer to items. The CLI checks the unit.
    manual_unit_id: int | None = None
    manual_category: str | None = Field(default=None, max_length=20)
    manual_status: str | None = Field(default=None, max_length=10)  # ignored
    manual_reason: str | None = None
    decided_by: str | None = Field(default=None, max_length=100)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    @property
    def counted(self) -> bool:
        return self.status == COUNTED


class Adoption(SQLModel, table=True):
    """An item used by a publication (采用)."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    publication: str = Field(max_length=20)  # laiwu | to_city | jinan | to_state | state
    form: str = Field(max_length=20)  # full | composite | brief | forward | special
    date: date
    recorded_by: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Instruction(SQLModel, table=True):
    """A leader's instruction (批示) on an item."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    level: str = Field(max_length=20)  # state | province | city | district
    composite: bool = False
    date: date
    recorded_by: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Bonus(SQLModel, table=True):
    """A unit bonus (加分): staff, system, training, joint_research."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=20)
    count: int = 1
    date: date
    recorded_by: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Solicitation(SQLModel, table=True):
    """A request for articles (约稿) sent to some units with a deadline."""

    id: int | None = Field(default=None, primary_key=True)
    tag: str = Field(max_length=50, unique=True)
    level: str = Field(max_length=20)  # city | district
    title: str = ""
    deadline: datetime = Field(sa_type=UTCDateTime)
    message_id: str | None = Field(default=None, max_length=998)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SolicitationTarget(SQLModel, table=True):
    __tablename__ = "solicitation_target"
    __table_args__ = (sa.UniqueConstraint("solicitation_id", "unit_id"),)

    id: int | None = Field(default=None, primary_key=True)
    solicitation_id: int = Field(foreign_key="solicitation.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    reply_item_id: int | None = Field(default=None, foreign_key="item.id")


class Deduction(SQLModel, table=True):
    """A deduction (减分); an ``explanation`` accepted by the office cancels it."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    kind: str = Field(max_length=30)  # city_solicitation | district_solicitation | major_info
    count: int = 1
    date: date
    solicitation_id: int | None = Field(default=None, foreign_key="solicitation.id")
    explained: bool = False
    recorded_by: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Notification(SQLModel, table=True):
    """Every message the system sends. The unique key (kind, period, recipient, channel,
    unit) makes sending idempotent: a re-run finds the record and does not send again
    (the unit is in the key because one officer may serve two units). The rendered
    message is kept, so a retry sends exactly what the first attempt tried."""

    __table_args__ = (
        sa.UniqueConstraint(
            "kind", "period", "recipient", "channel", "unit", name="uq_notification_key"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=30)  # receipt | weekly | weekly_sms | digest | notice_sms ...
    period: str = Field(max_length=30)  # 2026-W48, 2026-10, 2026Q3, or the item id
    recipient: str = Field(max_length=254)  # e-mail address or phone number
    channel: str = Field(max_length=10)  # email | sms
    unit: str = Field(default="", max_length=100)  # whom it concerns ("" for leaders)
    via: str = Field(default="", max_length=10)  # smtp | gateway | outbox
    subject: str = ""
    body: str = Field(default="", sa_type=sa.Text)  # plain text (the SMS text for sms)
    html: str | None = Field(default=None, sa_type=sa.Text)
    attachments: str = Field(default="[]", sa_type=sa.Text)  # JSON list of file paths
    segments: int = 0  # SMS billing segments (70 / 67 characters)
    # pending | sending | sent | outbox (written to the outbox folder, not sent) | failed
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    error: str | None = None
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)  # last send began
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Explanation(SQLModel, table=True):
    """An explanation (情况说明) the office accepted: cancels one solicitation deduction."""

    id: int | None = Field(default=None, primary_key=True)
    deduction_id: int = Field(foreign_key="deduction.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    date: date  # the date of the deduction it cancels (how the clerk names it)
    recorded_by: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class EventImport(SQLModel, table=True):
    """An events CSV already imported (by content hash): importing it again writes nothing."""

    __tablename__ = "event_import"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    name: str = ""
    rows: int = 0
    recorded_by: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FrozenReport(SQLModel, table=True):
    """A published quarterly (or yearly) result, kept as sent (JSON)."""

    __tablename__ = "frozen_report"

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(sa_column=sa.Column(sa.String(20), nullable=False, unique=True))
    data: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    frozen_by: str = ""
    frozen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
