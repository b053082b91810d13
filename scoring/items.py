"""Points of one item (条): adoption (采用) and leader instructions (批示).

Annex 加分 8 (就高不就低，不重复记分): of an item's adoptions only the highest counts, and
of its instructions only the highest (D2); the two are added. When an item's events fall
in different periods, a later period counts only the increase over what the earlier
periods gave it, so over time the item earns its highest value once. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from zwxx.config.rules import Rules


@dataclass(frozen=True)
class AdoptionFact:
    item_id: int
    key: str  # "publication:form", a key of [adoption] in the rules, e.g. "jinan:full"
    date: date


@dataclass(frozen=True)
class InstructionFact:
    item_id: int
    level: str  # state | province | city | district
    composite: bool
    date: date


def adoption_points(key: str, rules: Rules) -> int:
    return rules.adoption[key]


def instruction_points(level: str, composite: bool, rules: Rules) -> int:
    rule = rules.instructions[level]
    return rule.composite if composite else rule.points


@dataclass(frozen=True)
class ItemValue:
    """What an item is worth counting the events dated up to some day."""

    adoption: int = 0
    instruction: int = 0
    stars: int = 0
    best_adoption: AdoptionFact | None = None
    best_instruction: InstructionFact | None = None

    @property
    def points(self) -> int:
        return self.adoption + self.instruction


def item_value(
    adoptions: Sequence[AdoptionFact],
    instructions: Sequence[InstructionFact],
    rules: Rules,
    until: date | None = None,
) -> ItemValue:
    """The highest adoption plus the highest instruction among events dated ``<= until``
    (all events when ``until`` is None), or their sums where ``[combine]`` says so.
    Stars come from the instruction levels."""
    best_a: AdoptionFact | None = None
    best_i: InstructionFact | None = None
    a_pts = i_pts = stars = 0
    for a in adoptions:
        if until is not None and a.date > until:
            continue
        pts = adoption_points(a.key, rules)
        if best_a is None or pts > a_pts:
            best_a, a_pts = a, pts
    for i in instructions:
        if until is not None and i.date > until:
            continue
        pts = instruction_points(i.level, i.composite, rules)
        stars = max(stars, rules.instructions[i.level].stars)
        if best_i is None or pts > i_pts:
            best_i, i_pts = i, pts
    # Annex 加分 8 keeps only the highest; a revised method may add them up instead.
    if rules.combine.adoption == "sum":
        a_pts = sum(adoption_points(a.key, rules) for a in _upto(adoptions, until))
    if rules.combine.instruction == "sum":
        i_pts = sum(
            instruction_points(i.level, i.composite, rules) for i in _upto(instructions, until)
        )
    return ItemValue(a_pts, i_pts, stars, best_a, best_i)


_Event = TypeVar("_Event", AdoptionFact, InstructionFact)


def _upto(events: Iterable[_Event], until: date | None) -> list[_Event]:
    return [e for e in events if until is None or e.date <= until]


@dataclass(frozen=True)
class ItemGain:
    """What an item adds to one period: the increase of its value over the period."""

    before: ItemValue
    after: ItemValue

    @property
    def adoption(self) -> int:
        return self.after.adoption - self.before.adoption

    @property
    def instruction(self) -> int:
        return self.after.instruction - self.before.instruction

    @property
    def points(self) -> int:
        return self.adoption + self.instruction


def item_gain(
    adoptions: list[AdoptionFact],
    instructions: list[InstructionFact],
    rules: Rules,
    start: date,
    end: date,
) -> ItemGain:
    """Gain over the period ``start``..``end`` (both inclusive)."""
    before = item_value(
        adoptions, instructions, rules, until=date.fromordinal(start.toordinal() - 1)
    )
    after = item_value(adoptions, instructions, rules, until=end)
    return ItemGain(before, after)
