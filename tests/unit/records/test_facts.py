"""The read layer (zwxx.records.facts) on a temporary SQLite database built with the
records API: the bounds (half-open instants, inclusive dates), the filters and the order."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, SQLModel

from zwxx.config.roster import Roster, UnitEntry
from zwxx.records import facts, store
from zwxx.records.db import make_engine, session_scope
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    IGNORED,
    REVIEW,
    Adoption,
    Bonus,
    Deduction,
    Envelope,
    FrozenReport,
    Instruction,
    Item,
    Notification,
)

TZ = ZoneInfo("Asia/Shanghai")
OCT = datetime(2026, 10, 1, tzinfo=TZ)  # the first instant of October, Beijing time
NOV = datetime(2026, 11, 1, tzinfo=TZ)
ROSTER = Roster(
    [UnitEntry(name="区发改委", group="tier1"), UnitEntry(name="凤城街道", group="towns")]
)


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'facts.db'}")
    SQLModel.metadata.create_all(engine)
    with session_scope(engine) as s:
        store.sync_roster(s, ROSTER)
    with Session(engine) as s:
        yield s
    engine.dispose()


def add_item(session: Session, unit: str | None, received: datetime, **values) -> Item:
    ids = store.unit_ids(session)
    item = Item(
        unit_id=ids[unit] if unit else None,
        received_at=received,
        category=values.pop("category", "dynamic"),
        **values,
    )
    session.add(item)
    session.flush()
    return item


def test_unit_names_and_ids_are_one_mapping_both_ways(session: Session) -> None:
    names = facts.unit_names(session)
    assert sorted(names.values()) == ["凤城街道", "区发改委"]
    assert {name: uid for uid, name in names.items()} == facts.unit_ids(session)


def test_counted_items_are_half_open_and_only_counted_with_a_unit(session: Session) -> None:
    add_item(session, "区发改委", OCT, category="research", solicited=True)  # first instant in
    add_item(session, "区发改委", NOV - timedelta(microseconds=1))  # last instant in
    add_item(session, "区发改委", NOV)  # the end is exclusive
    add_item(session, "区发改委", OCT - timedelta(seconds=1))  # before
    add_item(session, "区发改委", OCT + timedelta(days=1), status=DUPLICATE)
    add_item(session, "区发改委", OCT + timedelta(days=1), status=REVIEW)
    add_item(session, None, OCT + timedelta(days=2))  # counted, but no unit
    rows = facts.counted_items(session, OCT, NOV)
    uid = facts.unit_ids(session)["区发改委"]
    assert sorted((r.received_at, r.category, r.solicited) for r in rows) == [
        (OCT, "research", True),
        (NOV - timedelta(microseconds=1), "dynamic", False),
    ]
    assert {r.unit_id for r in rows} == {uid}
    assert rows[0].received_at.utcoffset() == timedelta(0)  # aware, as stored (UTC)
    assert facts.first_counted_at(session) == OCT - timedelta(seconds=1)


def test_first_counted_at_without_records_is_none(session: Session) -> None:
    add_item(session, "区发改委", OCT, status=IGNORED)
    assert facts.first_counted_at(session) is None


def test_events_up_to_the_as_of_day_inclusive(session: Session) -> None:
    adopted = add_item(session, "区发改委", OCT, title="甲", author="张三")
    instructed = add_item(session, "凤城街道", OCT, title="乙")
    late = add_item(session, "区发改委", OCT, title="丙")
    gone = add_item(session, "区发改委", OCT, title="丁", status=IGNORED)
    session.add_all(
        [
            Adoption(item_id=adopted.id, publication="laiwu", form="full", date=date(2026, 10, 9)),
            Adoption(item_id=late.id, publication="jinan", form="full", date=date(2026, 10, 10)),
            Adoption(item_id=gone.id, publication="laiwu", form="full", date=date(2026, 10, 1)),
            Instruction(item_id=instructed.id, level="city", date=date(2026, 10, 9)),
        ]
    )
    session.flush()
    until = date(2026, 10, 9)
    items = facts.event_items(session, until)
    assert sorted((i.title, i.author) for i in items) == [("乙", None), ("甲", "张三")]
    assert {(a.item_id, a.publication, a.form) for a in facts.adoptions(session, until)} == {
        (adopted.id, "laiwu", "full"),
        (gone.id, "laiwu", "full"),  # the adoption is read; its item is not an event item
    }
    assert [(i.item_id, i.level, i.composite) for i in facts.instructions(session, until)] == [
        (instructed.id, "city", False)
    ]
    assert len(facts.adoptions(session, date(2026, 10, 10))) == 3


def test_bonuses_and_deductions_between_inclusive_dates(session: Session) -> None:
    uid = facts.unit_ids(session)["区发改委"]
    for day in (date(2026, 9, 30), date(2026, 10, 1), date(2026, 12, 31), date(2027, 1, 1)):
        session.add(Bonus(unit_id=uid, kind="staff", date=day, note=str(day)))
        session.add(Deduction(unit_id=uid, kind="major_info", date=day, explained=True))
    session.flush()
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    assert sorted(b.note for b in facts.bonuses(session, start, end)) == [
        "2026-10-01",
        "2026-12-31",
    ]
    deductions = facts.deductions(session, start, end)
    assert sorted(d.date for d in deductions) == [start, end]
    assert all(d.explained and d.kind == "major_info" for d in deductions)


def test_frozen_report_by_period(session: Session) -> None:
    assert facts.frozen_report(session, "2026Q4") is None
    session.add(FrozenReport(period="2026Q4", data='{"units": []}', frozen_by="信息科"))
    session.flush()
    found = facts.frozen_report(session, "2026Q4")
    assert found is not None
    assert (found.data, found.frozen_by) == ('{"units": []}', "信息科")
    assert facts.frozen_report(session, "2026") is None


def test_unit_items_for_messages_oldest_first_with_the_shown_statuses(session: Session) -> None:
    second = add_item(session, "区发改委", OCT + timedelta(days=2), title="二")
    first = add_item(session, "区发改委", OCT + timedelta(days=1), title="一", status=REVIEW)
    tie = add_item(session, "区发改委", OCT + timedelta(days=2), title="三", status=DUPLICATE)
    add_item(session, "区发改委", OCT + timedelta(days=3), status=IGNORED)
    add_item(session, "凤城街道", OCT + timedelta(days=1))
    add_item(session, "区发改委", NOV)
    uid = facts.unit_ids(session)["区发改委"]
    rows = facts.unit_items(session, uid, OCT, NOV)
    assert [r.id for r in rows] == [first.id, second.id, tie.id]  # time, then id
    assert [r.status for r in rows] == [REVIEW, COUNTED, DUPLICATE]
    assert [r.id for r in facts.unit_items(session, uid, OCT, NOV, statuses=[COUNTED])] == [
        second.id
    ]


def test_category_counts_with_and_without_solicited(session: Session) -> None:
    for category, solicited in (("research", True), ("research", False), ("dynamic", False)):
        add_item(session, "区发改委", OCT, category=category, solicited=solicited)
    add_item(session, "区发改委", OCT, category="special", status=REVIEW)
    uid = facts.unit_ids(session)["区发改委"]
    assert facts.category_counts(session, uid, OCT, NOV) == {"research": 2, "dynamic": 1}
    assert facts.category_counts(session, uid, OCT, NOV, solicited=False) == {
        "research": 1,
        "dynamic": 1,
    }
    assert facts.counted_count(session, uid, OCT, NOV) == 3
    assert facts.counted_count(session, uid, NOV, NOV + timedelta(days=30)) == 0


def test_digest_counts_per_unit_name(session: Session) -> None:
    a = add_item(session, "区发改委", OCT, over_limit=True)
    add_item(session, "区发改委", OCT, over_limit=True, status=DUPLICATE)  # not counted
    b = add_item(session, "凤城街道", OCT - timedelta(days=40))  # adopted in October anyway
    add_item(session, None, OCT, status=REVIEW)
    add_item(session, "凤城街道", NOV, status=REVIEW)
    session.add_all(
        [
            Adoption(item_id=a.id, publication="laiwu", form="full", date=date(2026, 10, 31)),
            Adoption(item_id=a.id, publication="jinan", form="full", date=date(2026, 10, 1)),
            Adoption(item_id=b.id, publication="laiwu", form="brief", date=date(2026, 11, 1)),
        ]
    )
    session.flush()
    first, end = date(2026, 10, 1), date(2026, 11, 1)
    assert facts.adoptions_by_unit(session, first, end) == {"区发改委": 2}  # end exclusive
    assert facts.over_limit_by_unit(session, OCT, NOV) == {"区发改委": 1}
    assert facts.review_count(session, OCT, NOV) == 1


def test_receipt_items_and_notifications(session: Session) -> None:
    now = datetime(2026, 10, 20, 9, tzinfo=UTC)

    def envelope(source: str, sender: str | None) -> int:
        env = Envelope(source=source, sha256="x", identity=f"{source}{sender}", received_at=now)
        env.sender = sender
        session.add(env)
        session.flush()
        assert env.id is not None
        return env.id

    mail = envelope("imap", "FGW@laiwu.cn")
    ledger = envelope("import", None)
    wanted = add_item(session, "区发改委", now, envelope_id=mail, created_at=now)
    dup = add_item(session, "区发改委", now, envelope_id=mail, created_at=now, status=DUPLICATE)
    add_item(session, "区发改委", now, envelope_id=ledger, created_at=now)  # the ledger
    add_item(session, "区发改委", now, envelope_id=mail, created_at=now - timedelta(days=4))
    add_item(session, "凤城街道", now, envelope_id=mail, created_at=now)  # not asked for
    done = add_item(session, "区发改委", now, envelope_id=mail, created_at=now)
    session.add(
        Notification(
            kind="receipt",
            period=str(done.id),
            recipient="a@b.cn",
            channel="email",
            status="failed",
        )
    )
    session.flush()
    rows = facts.receipt_items(session, ["区发改委"], now - timedelta(days=3))
    assert [r.item.id for r in rows] == [wanted.id, dup.id]
    assert {(r.unit, r.sender) for r in rows} == {("区发改委", "FGW@laiwu.cn")}
    assert facts.failed_notifications(session) == 1
    assert facts.notification_recorded(session, "receipt", str(done.id))
    assert not facts.notification_recorded(session, "digest", "2026-10")
