"""Monthly task score (报送任务计分) of one unit — SPEC §5, all numbers from the rules.

Pure: takes plain facts and the rules, returns a result. No database, no clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from zwxx.config.rules import Rules
from zwxx.scoring.periods import Month

Met = bool | Literal["pending"]


@dataclass(frozen=True)
class ItemFact:
    """A counted item as scoring sees it."""

    month: Month
    category: str
    solicited: bool = False


@dataclass
class MonthResult:
    unit: str
    group: str
    month: Month
    items: int  # counted items received in the month
    quota_items: int  # of those, the ones that count toward the quota (主动报送)
    by_category: dict[str, int] = field(default_factory=dict)
    quota: int = 0
    quota_met: bool = False
    research_met: Met = False
    base_score: int = 0
    duty_score: int = 0
    shortfall_deduction: int = 0  # zero or negative
    task_score: int = 0  # base + duty + shortfall (may be negative)


def duty_met(
    facts: list[ItemFact],
    month: Month,
    duty_period: str,
    need_research: int,
    need_special: int,
    rules: Rules,
    period_closed: bool,
) -> Met:
    """Research/专报 duty for ``month``: over the month, or over its quarter."""
    window = {month} if duty_period == "month" else set(month.quarter_months())
    usable = [
        f
        for f in facts
        if f.month in window and (rules.task.solicited_counts_toward_duty or not f.solicited)
    ]
    research = sum(1 for f in usable if f.category == "research")
    special = sum(1 for f in usable if f.category == "special")
    if research >= need_research and special >= need_special:
        return True
    return False if period_closed else "pending"


def month_task(
    unit: str,
    group_key: str,
    month: Month,
    facts: list[ItemFact],
    rules: Rules,
    *,
    period_closed: bool = True,
) -> MonthResult:
    """Score ``month`` for one unit.

    ``facts`` are the unit's counted items of at least the month (of the whole quarter
    where the group's duty is quarterly). ``period_closed`` says whether the duty's
    period (month or quarter) has ended; an unmet duty in an open period is "pending".
    """
    group = rules.groups[group_key]
    task = rules.task
    in_month = [f for f in facts if f.month == month]
    quota_items = sum(1 for f in in_month if task.solicited_counts_toward_quota or not f.solicited)
    result = MonthResult(
        unit=unit,
        group=group_key,
        month=month,
        items=len(in_month),
        quota_items=quota_items,
        by_category=dict(Counter(f.category for f in in_month)),
        quota=group.quota,
        quota_met=quota_items >= group.quota,
    )
    result.research_met = duty_met(
        facts,
        month,
        group.duty.period,
        group.duty.research,
        group.duty.special,
        rules,
        period_closed,
    )
    duty_points = task.duty_points if result.research_met is True else 0
    if result.quota_met:
        result.base_score, result.duty_score = task.quota_points, duty_points
    else:
        result.duty_score = 0 if task.shortfall_forfeits_duty else duty_points
        result.shortfall_deduction = -task.shortfall_per_item * (group.quota - quota_items)
    result.task_score = result.base_score + result.duty_score + result.shortfall_deduction
    return result
