"""Report data from the records: the glue between the database and pure scoring."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from config.roster import Roster
from config.rules import Rules
from records.models import COUNTED, Item, Unit
from scoring.month import ItemFact, MonthResult, month_task
from scoring.periods import Month


def month_report(
    session: Session, roster: Roster, rules: Rules, month: Month, now: datetime, tz: ZoneInfo
) -> list[MonthResult]:
    """Every unit of the roster (also those without items), in roster order."""
    quarter = month.quarter_months()
    start, end = quarter[0].start(tz), quarter[-1].end(tz)
    rows = session.exec(
        select(Unit.name, Item.received_at, Item.category, Item.solicited)
        .join(Unit, col(Unit.id) == Item.unit_id)
        .where(Item.status == COUNTED, Item.received_at >= start, Item.received_at < end)
    ).all()
    facts: dict[str, list[ItemFact]] = {}
    for name, received, category, solicited in rows:
        facts.setdefault(name, []).append(ItemFact(Month.of(received, tz), category, solicited))
    results = []
    for unit in roster.units:
        duty_end = month.end(tz)
        if rules.groups[unit.group].duty.period == "quarter":
            duty_end = quarter[-1].end(tz)
        results.append(
            month_task(
                unit.name,
                unit.group,
                month,
                facts.get(unit.name, []),
                rules,
                period_closed=now >= duty_end,
            )
        )
    return results
