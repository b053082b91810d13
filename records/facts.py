"""The read layer: the plain data that scores and messages are made from, in one place.

Reports (``zwxx.reports``) and notifications (``zwxx.notifications``) read the records
only through these functions. Each takes a Session and explicit bounds — instants for
items, received in ``[start, end)``; dates for events, inclusive, as the scoring rules
date them — and returns plain values (named tuples, dicts, numbers), never ORM rows, so
the layers above hold no SQL and the pure parts can be fed by hand in tests.

No business rules here: what counts toward a quota, who is due a reminder, what a month
is, is decided above; this module only answers "which rows, in which order".
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from zwxx.records import store
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    REVIEW,
    Adoption,
    Bonus,
    Deduction,
    Envelope,
    FrozenReport,
    Instruction,
    Item,
    Notification,
    Unit,
)

# ------------------------------------------------------------------------------ units


def unit_names(session: Session) -> dict[int, str]:
    """Every unit in the database (also those no longer on the roster): id -> name."""
    return store.unit_names(session)


def unit_ids(session: Session) -> dict[str, int]:
    """Every unit in the database: name -> id."""
    return store.unit_ids(session)


# ------------------------------------------------------------------------------ scoring


class CountedItem(NamedTuple):
    """A counted item as the task score needs it."""

    unit_id: int
    received_at: datetime
    category: str
    solicited: bool


class EventItem(NamedTuple):
    """A counted item that has an adoption or an instruction."""

    item_id: int
    unit_id: int | None
    title: str
    author: str | None


class AdoptionRecord(NamedTuple):
    item_id: int
    publication: str
    form: str
    date: date


class InstructionRecord(NamedTuple):
    item_id: int
    level: str
    composite: bool
    date: date


class BonusRecord(NamedTuple):
    # ``times`` is the rows' ``count``: a field named ``count`` would shadow tuple.count().
    unit_id: int
    kind: str
    times: int
    date: date
    note: str


class DeductionRecord(NamedTuple):
    unit_id: int
    kind: str
    times: int  # the rows' ``count`` (see BonusRecord)
    date: date
    explained: bool
    note: str


class FrozenRecord(NamedTuple):
    """A published (frozen) period report: ``data`` is its JSON text."""

    period: str
    data: str
    frozen_at: datetime
    frozen_by: str


def counted_items(session: Session, start: datetime, end: datetime) -> list[CountedItem]:
    """Counted items of a known unit received in ``[start, end)`` (database order)."""
    rows = session.exec(
        select(Item.unit_id, Item.received_at, Item.category, Item.solicited).where(
            Item.status == COUNTED,
            Item.received_at >= start,
            Item.received_at < end,
            col(Item.unit_id).is_not(None),
        )
    ).all()
    return [CountedItem._make(row) for row in rows]


def first_counted_at(session: Session) -> datetime | None:
    """When the earliest counted item was received (the records begin); None if none."""
    return session.exec(select(sa.func.min(Item.received_at)).where(Item.status == COUNTED)).one()


def event_items(session: Session, until: date) -> list[EventItem]:
    """Counted items with an adoption or an instruction dated on or before ``until``."""
    with_events = sa.union(
        select(Adoption.item_id).where(Adoption.date <= until),
        select(Instruction.item_id).where(Instruction.date <= until),
    ).subquery()
    rows = session.exec(
        select(Item.id, Item.unit_id, Item.title, Item.author).where(
            Item.status == COUNTED, col(Item.id).in_(select(with_events.c.item_id))
        )
    ).all()
    return [EventItem._make(row) for row in rows]


def adoptions(session: Session, until: date) -> list[AdoptionRecord]:
    """Every adoption dated on or before ``until`` (database order)."""
    rows = session.exec(
        select(
            col(Adoption.item_id), col(Adoption.publication), col(Adoption.form), col(Adoption.date)
        ).where(Adoption.date <= until)
    ).all()
    return [AdoptionRecord._make(row) for row in rows]


def instructions(session: Session, until: date) -> list[InstructionRecord]:
    """Every leader's instruction dated on or before ``until`` (database order)."""
    rows = session.exec(
        select(
            col(Instruction.item_id),
            col(Instruction.level),
            col(Instruction.composite),
            col(Instruction.date),
        ).where(Instruction.date <= until)
    ).all()
    return [InstructionRecord._make(row) for row in rows]


def bonuses(session: Session, start: date, end: date) -> list[BonusRecord]:
    """Unit bonuses dated from ``start`` through ``end`` (both inclusive)."""
    # sqlmodel's select() is typed for at most four columns; for more it builds this same
    # Select itself, so build it directly.
    query: Select[int, str, int, date, str] = Select(
        col(Bonus.unit_id), col(Bonus.kind), col(Bonus.count), col(Bonus.date), col(Bonus.note)
    )
    rows = session.exec(query.where(Bonus.date >= start, Bonus.date <= end)).all()
    return [BonusRecord._make(row) for row in rows]


def deductions(session: Session, start: date, end: date) -> list[DeductionRecord]:
    """Unit deductions dated from ``start`` through ``end`` (both inclusive)."""
    query: Select[int, str, int, date, bool, str] = Select(  # more than four: see bonuses()
        col(Deduction.unit_id),
        col(Deduction.kind),
        col(Deduction.count),
        col(Deduction.date),
        col(Deduction.explained),
        col(Deduction.note),
    )
    rows = session.exec(query.where(Deduction.date >= start, Deduction.date <= end)).all()
    return [DeductionRecord._make(row) for row in rows]


def frozen_report(session: Session, period: str) -> FrozenRecord | None:
    """The published version of ``period`` ("2019Q2", "2019"), if it was frozen."""
    found = session.exec(select(FrozenReport).where(FrozenReport.period == period)).first()
    if found is None:
        return None
    return FrozenRecord(found.period, found.data, found.frozen_at, found.frozen_by)


# ------------------------------------------------------------------------------ messages

SHOWN_TO_UNITS = (COUNTED, DUPLICATE, REVIEW)  # what a unit sees of its own items


class ItemRecord(NamedTuple):
    """An item as a message lists it."""

    id: int
    unit_id: int | None
    received_at: datetime
    title: str
    attachment: str | None
    category: str
    chars: int
    status: str
    over_limit: bool


def unit_items(
    session: Session,
    unit_id: int,
    start: datetime,
    end: datetime,
    statuses: Iterable[str] = SHOWN_TO_UNITS,
) -> list[ItemRecord]:
    """A unit's items with these statuses received in ``[start, end)``, oldest first."""
    rows = session.exec(
        select(Item)
        .where(
            Item.unit_id == unit_id,
            col(Item.status).in_(list(statuses)),
            Item.received_at >= start,
            Item.received_at < end,
        )
        .order_by(col(Item.received_at), col(Item.id))
    ).all()
    return [_item_record(i) for i in rows]


def _item_record(i: Item) -> ItemRecord:
    return ItemRecord(
        id=i.id or 0,
        unit_id=i.unit_id,
        received_at=i.received_at,
        title=i.title,
        attachment=i.attachment,
        category=i.category,
        chars=i.chars,
        status=i.status,
        over_limit=i.over_limit,
    )


def category_counts(
    session: Session, unit_id: int, start: datetime, end: datetime, *, solicited: bool = True
) -> dict[str, int]:
    """A unit's counted items received in ``[start, end)`` by category; without the
    solicited ones (约稿) when ``solicited`` is False."""
    query = select(Item.category, sa.func.count()).where(
        Item.unit_id == unit_id,
        Item.status == COUNTED,
        Item.received_at >= start,
        Item.received_at < end,
    )
    if not solicited:
        query = query.where(col(Item.solicited).is_(False))
    return dict(session.exec(query.group_by(Item.category)).all())


def counted_count(session: Session, unit_id: int | None, start: datetime, end: datetime) -> int:
    """How many counted items a unit received in ``[start, end)``."""
    return session.exec(
        select(sa.func.count()).where(
            Item.unit_id == unit_id,
            Item.status == COUNTED,
            Item.received_at >= start,
            Item.received_at < end,
        )
    ).one()


def _by_unit_name(session: Session, rows: Iterable[tuple[int | None, int]]) -> dict[str, int]:
    names = unit_names(session)
    return {names[uid]: n for uid, n in rows if uid is not None}


def adoptions_by_unit(session: Session, first: date, end: date) -> dict[str, int]:
    """Adoptions dated from ``first`` up to (not including) ``end``, per unit name of the
    adopted item. Every adoption counts (an item adopted twice counts twice), whatever
    the item's status now."""
    rows = session.exec(
        select(Item.unit_id, sa.func.count())
        .join(Adoption, col(Adoption.item_id) == Item.id)
        .where(Adoption.date >= first, Adoption.date < end)
        .group_by(col(Item.unit_id))
    ).all()
    return _by_unit_name(session, rows)


def over_limit_by_unit(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    """Counted items over the 字数 limit received in ``[start, end)``, per unit name."""
    rows = session.exec(
        select(Item.unit_id, sa.func.count())
        .where(
            Item.status == COUNTED,
            col(Item.over_limit).is_(True),
            Item.received_at >= start,
            Item.received_at < end,
        )
        .group_by(col(Item.unit_id))
    ).all()
    return _by_unit_name(session, rows)


def review_count(session: Session, start: datetime, end: datetime) -> int:
    """Items waiting for the clerk (待确认) received in ``[start, end)``."""
    return session.exec(
        select(sa.func.count()).where(
            Item.status == REVIEW, Item.received_at >= start, Item.received_at < end
        )
    ).one()


class ReceiptItem(NamedTuple):
    """A recently recorded item of a unit that asked for receipts (回执)."""

    item: ItemRecord
    unit: str
    sender: str | None


def receipt_items(session: Session, units: Iterable[str], since: datetime) -> list[ReceiptItem]:
    """Counted or duplicate items of these units recorded at or after ``since``, not
    from the clerk's ledger import and not yet receipted, in item order."""
    done = select(Notification.period).where(Notification.kind == "receipt")
    rows = session.exec(
        select(Item, Unit, Envelope)
        .join(Unit, col(Unit.id) == Item.unit_id)
        .join(Envelope, col(Envelope.id) == Item.envelope_id)
        .where(
            col(Unit.name).in_(list(units)),
            col(Item.status).in_([COUNTED, DUPLICATE]),
            Envelope.source != "import",  # the clerk's ledger is history, not a submission
            Item.created_at >= since,
            sa.cast(Item.id, sa.String).not_in(done),
        )
        .order_by(col(Item.id))
    ).all()
    return [
        ReceiptItem(_item_record(item), unit.name, envelope.sender) for item, unit, envelope in rows
    ]


def failed_notifications(session: Session) -> int:
    """Notifications that failed (at any time) and were not sent since."""
    return session.exec(select(sa.func.count()).where(Notification.status == "failed")).one()


def notification_recorded(session: Session, kind: str, period: str) -> bool:
    """Whether a notification of this kind and period was recorded (to anyone)."""
    found = session.exec(
        select(Notification.id).where(Notification.kind == kind, Notification.period == period)
    ).first()
    return found is not None
