"""Reports: the records' facts (``zwxx.records.facts``) through pure scoring, as results.

The month, quarter and year reports all go through the same loader and the same pure
functions (scoring.month.month_task inside scoring.quarter), so a month's task score is
the same number wherever it shows. No SQL here: the read layer owns the queries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.records import facts
from zwxx.records.models import FrozenReport
from zwxx.scoring.items import AdoptionFact, InstructionFact
from zwxx.scoring.month import ItemFact, MonthResult, month_task
from zwxx.scoring.periods import Month
from zwxx.scoring.quarter import (
    BonusFact,
    DeductionFact,
    ItemInfo,
    Period,
    UnitRecords,
    UnitScore,
    score_quarter,
    score_year,
)
from zwxx.scoring.ranks import previous_month, rank_groups, top_with_ties


def load_facts(
    session: Session, first: Month, last: Month, tz: ZoneInfo, names: dict[int, str]
) -> dict[str, list[ItemFact]]:
    """Counted items received from ``first`` through ``last``, by unit name."""
    by_unit: dict[str, list[ItemFact]] = {}
    months: dict[tuple[int, int], Month] = {}  # share Month objects: 10^5 items, 12 months
    for unit_id, received, category, solicited in facts.counted_items(
        session, first.start(tz), last.end(tz)
    ):
        local = received.astimezone(tz)
        month = months.setdefault((local.year, local.month), Month(local.year, local.month))
        by_unit.setdefault(names[unit_id], []).append(ItemFact(month, category, solicited))
    return by_unit


def month_report(
    session: Session, roster: Roster, rules: Rules, month: Month, now: datetime, tz: ZoneInfo
) -> list[MonthResult]:
    """Every unit of the roster (also those without items), in roster order."""
    quarter = month.quarter_months()
    by_unit = load_facts(session, quarter[0], quarter[-1], tz, facts.unit_names(session))
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
                by_unit.get(unit.name, []),
                rules,
                period_closed=now >= duty_end,
            )
        )
    return results


def load_records(
    session: Session, roster: Roster, rules: Rules, period: Period, tz: ZoneInfo
) -> tuple[list[UnitRecords], Month]:
    """Every roster unit's records for ``period`` (plus what the rules look back at:
    events before the period for the highest-once rule, idle months before it for the
    interview flag), and the month the records begin."""
    names = facts.unit_names(session)
    first = period.months[0]
    for _ in range(max(rules.notice.idle_months_named, rules.notice.idle_months_interview) - 1):
        first = previous_month(first)
    by_unit = load_facts(session, first, period.months[-1], tz, names)
    units = {
        u.name: UnitRecords(u.name, u.group, facts=by_unit.get(u.name, [])) for u in roster.units
    }
    begin = facts.first_counted_at(session)
    # Nobody is idle before the records begin; with no records at all, nobody is.
    first_month = Month.of(begin, tz) if begin is not None else period.months[-1].next()

    item_units: dict[int, UnitRecords] = {}
    for item_id, unit_id, title, author in facts.event_items(session, period.end):
        rec = units.get(names.get(unit_id, "") if unit_id is not None else "")
        if rec is not None:  # a unit no longer on the roster is not reported
            rec.items[item_id] = ItemInfo(item_id, title, author)
            item_units[item_id] = rec
    for item_id, publication, form, day in facts.adoptions(session, period.end):
        if item_id in item_units:
            adoption = AdoptionFact(item_id, f"{publication}:{form}", day)
            item_units[item_id].adoptions.setdefault(item_id, []).append(adoption)
    for item_id, level, composite, day in facts.instructions(session, period.end):
        if item_id in item_units:
            instruction = InstructionFact(item_id, level, composite, day)
            item_units[item_id].instructions.setdefault(item_id, []).append(instruction)
    for unit_id, kind, count, day, note in facts.bonuses(session, period.start, period.end):
        if (rec := units.get(names.get(unit_id, ""))) is not None:
            rec.bonuses.append(BonusFact(kind, count, day, note))
    for unit_id, kind, count, day, explained, note in facts.deductions(
        session, period.start, period.end
    ):
        if (rec := units.get(names.get(unit_id, ""))) is not None:
            rec.deductions.append(DeductionFact(kind, count, day, explained, note))
    return list(units.values()), first_month


@dataclass
class PeriodReport:
    period: Period
    as_of: datetime
    units: list[UnitScore]  # listing order: group by group, then rank
    top_units: list[dict[str, Any]] = field(default_factory=list)  # year only
    top_people: list[dict[str, Any]] = field(default_factory=list)  # year only
    frozen: dict[str, Any] | None = None  # the published version, when frozen
    changes: list[dict[str, Any]] = field(default_factory=list)  # since it was frozen

    def unit(self, name: str) -> UnitScore | None:
        return next((u for u in self.units if u.unit == name), None)


def period_report(
    session: Session, roster: Roster, rules: Rules, period: Period, now: datetime, tz: ZoneInfo
) -> PeriodReport:
    """The quarter (or year) report as of ``now``, ranked and flagged, with the
    difference from the frozen (published) version if there is one."""
    records, first_month = load_records(session, roster, rules, period, tz)
    current = Month.of(now, tz)
    score = score_year if period.quarter is None else score_quarter
    scores = [score(rec, period, rules, current, first_month) for rec in records]
    listed = rank_groups(scores, rules)
    report = PeriodReport(period, now, listed)
    if period.quarter is None:
        _year_tops(report, rules)
    frozen = facts.frozen_report(session, str(period))
    if frozen is not None:
        report.frozen = {
            "frozen_at": frozen.frozen_at.astimezone(tz).isoformat(),
            "frozen_by": frozen.frozen_by,
            "units": json.loads(frozen.data)["units"],
        }
        report.changes = diff_units(report.frozen["units"], [unit_json(u) for u in listed])
    return report


def _year_tops(report: PeriodReport, rules: Rules) -> None:
    notice = rules.notice
    by_total = sorted(report.units, key=lambda u: -u.total)
    units = top_with_ties([(u.unit, u.total) for u in by_total], notice.top_units, notice.top_units)
    groups = {u.unit: u.group for u in report.units}
    report.top_units = [{"unit": n, "group": groups[n], "total": t} for n, t in units]
    people: dict[tuple[str, str], list[int]] = {}
    for u in report.units:
        for row in u.item_rows:
            if row.author and row.points:
                entry = people.setdefault((row.author, u.unit), [0, 0])
                entry[0] += row.points
                entry[1] += 1
    ranked = sorted(people.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
    top = top_with_ties(
        [(f"{a}\0{unit}", pts) for (a, unit), (pts, _n) in ranked],
        notice.top_people_min,
        notice.top_people_max,
    )
    counts = {f"{a}\0{unit}": n for (a, unit), (_p, n) in ranked}
    report.top_people = [
        {
            "author": key.split("\0")[0],
            "unit": key.split("\0")[1],
            "points": pts,
            "items": counts[key],
        }
        for key, pts in top
    ]


def unit_json(u: UnitScore) -> dict[str, Any]:
    return {
        "unit": u.unit,
        "group": u.group,
        "task": u.task,
        "adoption": u.adoption,
        "instruction": u.instruction,
        "bonus": u.bonus,
        "deduction": u.deduction,
        "floor_adjustment": u.floor_adjustment,
        "total": u.total,
        "rank": u.rank,
        "items": u.items,
        "adopted_items": u.adopted_items,
        "flags": {
            "praise": u.flags.praise,
            "criticise": u.flags.criticise,
            "zero_adoption": u.flags.zero_adoption,
            "month_without_items": u.flags.month_without_items,
            "interview": u.flags.interview,
        },
        "months": [{"month": str(m.month), "task_score": m.task_score} for m in u.months],
        "item_points": [
            {
                "item_id": r.item_id,
                "title": r.title,
                "author": r.author,
                "adoption": r.adoption,
                "instruction": r.instruction,
                "points": r.points,
                "value": r.value.points,
                "stars": r.stars,
                "star_text": "★" * r.stars,
            }
            for r in u.item_rows
        ],
    }


_COMPARED = ("total", "rank", "task", "adoption", "instruction", "bonus", "deduction", "flags")


def diff_units(frozen: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What changed per unit since the report was frozen (only the fields that differ)."""
    before = {u["unit"]: u for u in frozen}
    changes = []
    for now in current:
        old = before.get(now["unit"])
        if old is None:
            changes.append(
                {"unit": now["unit"], "field": "unit", "frozen": None, "current": "新增"}
            )
            continue
        for name in _COMPARED:
            if old.get(name) != now.get(name):
                changes.append(
                    {
                        "unit": now["unit"],
                        "field": name,
                        "frozen": old.get(name),
                        "current": now[name],
                    }
                )
    return changes


def report_json(report: PeriodReport) -> dict[str, Any]:
    data: dict[str, Any] = {
        "period": str(report.period),
        "as_of": report.as_of.isoformat(),
        "units": [unit_json(u) for u in report.units],
    }
    if report.period.quarter is None:
        data["top_units"] = report.top_units
        data["top_people"] = report.top_people
    data["frozen"] = (
        None if report.frozen is None else {k: v for k, v in report.frozen.items() if k != "units"}
    )
    data["changes"] = report.changes
    return data


class AlreadyFrozen(Exception):
    """The period was frozen before; carries when and by whom."""

    def __init__(self, frozen_at: datetime, frozen_by: str) -> None:
        super().__init__(str(frozen_at))
        self.frozen_at, self.frozen_by = frozen_at, frozen_by


def freeze(session: Session, report: PeriodReport, frozen_by: str) -> None:
    """Store the report as published; a period is frozen once."""
    found = facts.frozen_report(session, str(report.period))
    if found is not None:
        raise AlreadyFrozen(found.frozen_at, found.frozen_by)
    data = {k: v for k, v in report_json(report).items() if k not in ("frozen", "changes")}
    session.add(
        FrozenReport(
            period=str(report.period),
            data=json.dumps(data, ensure_ascii=False),
            frozen_by=frozen_by,
        )
    )
