"""Ranks and notice flags (通报) within each group — annex 五, SPEC §5 "Notices".

Pure: takes scored units and the rules, returns ranks and flags. No database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from zwxx.config.rules import Rules
from zwxx.scoring.periods import Month


@dataclass
class Flags:
    praise: bool = False  # 通报表扬: first of its group
    criticise: bool = False  # 通报批评: last of its group
    zero_adoption: bool = False  # 零通报: no item adopted in the period
    month_without_items: list[str] = field(default_factory=list)  # whole idle months, named
    interview: bool = False  # 约谈分管领导: idle months in a row reached the threshold


class Rankable(Protocol):
    unit: str
    group: str
    total: int
    adoption: int
    items: int
    adopted_items: int
    rank: int
    flags: Flags


R = TypeVar("R", bound=Rankable)


def idle_flags(
    item_months: Iterable[Month],
    period_months: Sequence[Month],
    current: Month,
    first_month: Month | None,
    rules: Rules,
) -> tuple[list[Month], bool]:
    """Idle months named in the period, and whether the unit's leader is to be interviewed.

    Only whole months count: months before ``current`` (the month in progress) and not
    before ``first_month`` (when the records begin: nobody is idle before the system
    knew of them). A run of idle months may start before the period: the interview flag
    belongs to the period in which the run reaches ``idle_months_interview`` months, so
    March + April idle means an interview in Q2, not in Q1.
    """
    active = set(item_months)
    named_len, interview_len = rules.notice.idle_months_named, rules.notice.idle_months_interview
    if not period_months:
        return [], False
    in_period = set(period_months)
    # Walk back far enough for a run that reaches into the period to be seen whole.
    month = period_months[0]
    for _ in range(max(named_len, interview_len) - 1):
        month = previous_month(month)
    run: list[Month] = []
    named: list[Month] = []
    interview = False
    while month <= period_months[-1] and month < current:
        idle = month not in active and (first_month is None or month >= first_month)
        run = [*run, month] if idle else []
        if idle and len(run) >= named_len:
            named.extend(m for m in run[-named_len:] if m in in_period and m not in named)
        if idle and len(run) >= interview_len and month in in_period:
            interview = True
        month = month.next()
    return sorted(named), interview


def previous_month(month: Month) -> Month:
    return Month(month.year - (month.month == 1), 12 if month.month == 1 else month.month - 1)


def rank_groups(scores: Sequence[R], rules: Rules) -> list[R]:
    """Rank each group by total (ties share a rank: 1, 1, 3), set praise / criticise /
    zero-adoption flags, and return every unit in listing order: group by group as in the
    rules, then rank, then adoption points, then item count, then roster order."""
    listed: list[R] = []
    roster_order = {id(s): n for n, s in enumerate(scores)}
    for group in rules.groups:
        members = sorted(
            (s for s in scores if s.group == group),
            key=lambda s: (-s.total, -s.adoption, -s.items, roster_order[id(s)]),
        )
        totals = [s.total for s in members]
        for s in members:
            s.rank = 1 + sum(1 for t in totals if t > s.total)
        # Nobody is first or last where every unit shares one rank (e.g. all at 0).
        spread = len(set(totals)) > 1
        last = max((s.rank for s in members), default=0)
        for s in members:
            s.flags.praise = rules.notice.praise_first and spread and s.rank == 1
            s.flags.criticise = rules.notice.criticise_last and spread and s.rank == last
            s.flags.zero_adoption = rules.notice.zero_adoption_listed and s.adopted_items == 0
        listed.extend(members)
    return listed


def top_with_ties(
    ranked: Sequence[tuple[str, int]], least: int, most: int
) -> list[tuple[str, int]]:
    """The first ``least`` entries (already sorted, highest first), extended by those tied
    with the last one taken, up to ``most``. Entries with no points are never listed."""
    ranked = [r for r in ranked if r[1] > 0]
    if least <= 0 or not ranked:
        return []
    chosen = list(ranked[:least])
    for entry in ranked[least:most]:
        if entry[1] != chosen[-1][1]:
            break
        chosen.append(entry)
    return chosen
