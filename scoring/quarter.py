"""Quarter and year totals of one unit — SPEC §5 "Quarter total" / "Year total".

quarter = Σ monthly task scores (scoring.month) + the increase of each item's adoption and
instruction points in the quarter (scoring.items) + non-yearly bonuses dated in the
quarter − unexplained deductions dated in the quarter, floored at ``quarter.floor``.
year = Σ quarter totals + yearly bonuses (``yearly = true``) dated in the year.
Pure: plain records and the rules in, results with Chinese explanation lines out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from zwxx.config.rules import Rules
from zwxx.scoring.items import AdoptionFact, InstructionFact, ItemValue, item_gain
from zwxx.scoring.month import ItemFact, MonthResult, month_task
from zwxx.scoring.periods import Month
from zwxx.scoring.ranks import Flags, idle_flags

_PERIOD = re.compile(r"^(\d{4})(?:\s*[Qq]([1-4]))?$")

# What the clerk reads for each adoption key (vocabulary, not rules: no numbers here).
ADOPTION_LABELS = {
    "laiwu:full": "《莱芜政务信息》采用",
    "laiwu:composite": "《莱芜政务信息》综合",
    "laiwu:brief": "《莱芜政务信息》简讯",
    "to_city:forward": "报送济南市政府办公厅",
    "jinan:full": "《济南政务信息》采用",
    "jinan:brief": "《济南政务信息》简讯",
    "jinan:special": "《济南政务信息·专报》",
    "to_state:composite": "经济南市报送国务院办公厅（综合）",
    "state:composite": "国务院办公厅采用（综合）",
}


@dataclass(frozen=True)
class Period:
    """A quarter (``2019Q2``) or a whole year (``2019``)."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str, *, quarter: bool) -> Period:
        match = _PERIOD.match(text.strip())
        if not match or bool(match.group(2)) != quarter:
            example = "YYYYQn，例如 2019Q2" if quarter else "YYYY，例如 2019"
            raise ValueError(f"“{text}”不是有效的{'季度' if quarter else '年份'}，应为 {example}")
        return cls(int(match.group(1)), int(match.group(2)) if quarter else None)

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}" if self.quarter else str(self.year)

    @cached_property
    def label(self) -> str:
        return f"{self.year}年第{self.quarter}季度" if self.quarter else f"{self.year}年度"

    @cached_property
    def months(self) -> tuple[Month, ...]:
        if self.quarter is None:
            return tuple(Month(self.year, m) for m in range(1, 13))
        return Month(self.year, self.quarter * 3).quarter_months()

    @cached_property
    def start(self) -> date:
        first = self.months[0]
        return date(first.year, first.month, 1)

    @cached_property
    def end(self) -> date:
        """Inclusive last day."""
        after = self.months[-1].next()
        return date.fromordinal(date(after.year, after.month, 1).toordinal() - 1)

    def quarters(self) -> list[Period]:
        return [self] if self.quarter else [Period(self.year, q) for q in range(1, 5)]


@dataclass(frozen=True)
class ItemInfo:
    item_id: int
    title: str
    author: str | None = None


@dataclass(frozen=True)
class BonusFact:
    kind: str
    count: int
    date: date
    note: str = ""


@dataclass(frozen=True)
class DeductionFact:
    kind: str
    count: int
    date: date
    explained: bool = False
    note: str = ""


@dataclass
class UnitRecords:
    """Everything scoring needs to know about one unit."""

    unit: str
    group: str
    facts: list[ItemFact] = field(default_factory=list)  # its counted items
    items: dict[int, ItemInfo] = field(default_factory=dict)  # its items that have events
    adoptions: dict[int, list[AdoptionFact]] = field(default_factory=dict)
    instructions: dict[int, list[InstructionFact]] = field(default_factory=dict)
    bonuses: list[BonusFact] = field(default_factory=list)
    deductions: list[DeductionFact] = field(default_factory=list)


@dataclass
class ItemRow:
    """One item's points in the period: what it gained there, and what it is worth."""

    item_id: int
    title: str
    author: str | None
    adoption: int  # gained in the period
    instruction: int  # gained in the period
    value: ItemValue  # its whole value at the period's end (highest adoption + instruction)

    @property
    def points(self) -> int:
        return self.adoption + self.instruction

    @property
    def stars(self) -> int:
        return self.value.stars


@dataclass
class UnitScore:
    unit: str
    group: str
    period: Period
    months: list[MonthResult] = field(default_factory=list)
    items: int = 0  # counted items received in the period
    task: int = 0
    adoption: int = 0
    instruction: int = 0
    bonus: int = 0
    deduction: int = 0  # zero or negative
    floor_adjustment: int = 0  # what the floor added (quarter never below quarter.floor)
    total: int = 0
    adopted_items: int = 0
    item_rows: list[ItemRow] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the explanation, in Chinese
    rank: int = 0
    flags: Flags = field(default_factory=Flags)


def _month_label(m: Month) -> str:
    return f"{m.month}月"


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else str(n)


def _month_line(r: MonthResult, rules: Rules) -> str:
    duty = {True: "完成", False: "未完成", "pending": "季末确认（暂未计分）"}[r.research_met]
    text = f"{_month_label(r.month)}报送任务：计入任务 {r.quota_items} 条（任务 {r.quota} 条）"
    if r.quota_met:
        text += f"，完成得 {r.base_score} 分；调研任务{duty}，得 {r.duty_score} 分"
    else:
        short = r.quota - r.quota_items
        text += f"，未完成，当月基础分不得分，少 {short} 条扣 {-r.shortfall_deduction} 分"
    return f"{text}：{r.task_score} 分"


def score_quarter(
    rec: UnitRecords,
    quarter: Period,
    rules: Rules,
    current: Month,
    first_month: Month | None = None,
) -> UnitScore:
    """Score one unit for one quarter as of ``current`` (the month in progress): months
    not yet begun are not scored; a duty whose period has not ended is "pending"."""
    score = UnitScore(rec.unit, rec.group, quarter)
    lines = score.lines
    quarter_closed = quarter.months[-1] < current
    # A month's task and duty look at most at its quarter: hand over just those items.
    in_quarter = set(quarter.months)
    facts = [f for f in rec.facts if f.month in in_quarter]
    lines.append(f"{rec.unit}（{rules.groups[rec.group].label}）{quarter.label}：")
    for m in quarter.months:
        if m > current:
            continue
        closed = quarter_closed if rules.groups[rec.group].duty.period == "quarter" else m < current
        result = month_task(rec.unit, rec.group, m, facts, rules, period_closed=closed)
        score.months.append(result)
        score.items += result.items
        score.task += result.task_score
        lines.append("  " + _month_line(result, rules))
    lines.append(f"  报送任务小计：{score.task} 分")

    for item_id, info in sorted(rec.items.items()):
        adoptions = rec.adoptions.get(item_id, [])
        instructions = rec.instructions.get(item_id, [])
        gain = item_gain(adoptions, instructions, rules, quarter.start, quarter.end)
        in_period = [a for a in adoptions if quarter.start <= a.date <= quarter.end]
        touched = in_period or any(quarter.start <= i.date <= quarter.end for i in instructions)
        if not touched and not gain.points:
            continue
        score.adopted_items += bool(in_period)
        score.adoption += gain.adoption
        score.instruction += gain.instruction
        score.item_rows.append(
            ItemRow(item_id, info.title, info.author, gain.adoption, gain.instruction, gain.after)
        )
        lines.extend(
            _item_lines(info, gain.before, gain.after, adoptions, instructions, rules, quarter.end)
        )
    lines.append(f"  信息采用小计：{score.adoption} 分；领导批示小计：{score.instruction} 分")

    for b in rec.bonuses:
        rule = rules.bonuses[b.kind]
        if rule.yearly or not quarter.start <= b.date <= quarter.end:
            continue
        points = b.count * rule.points
        score.bonus += points
        lines.append(f"  加分：{rule.label} {b.count} × {rule.points} = +{points}（{b.date}）")
    for d in rec.deductions:
        d_rule = rules.deductions[d.kind]
        if not quarter.start <= d.date <= quarter.end:
            continue
        if d.explained:
            lines.append(f"  不扣分：{d.date} 的约稿减分已作情况说明，予以取消（{d_rule.label}）")
            continue
        points = d.count * d_rule.points
        score.deduction -= points
        lines.append(f"  减分：{d_rule.label} {d.count} × {d_rule.points} = -{points}（{d.date}）")

    raw = score.task + score.adoption + score.instruction + score.bonus + score.deduction
    score.total = max(rules.quarter.floor, raw)
    score.floor_adjustment = score.total - raw
    parts = [score.task, score.adoption, score.instruction, score.bonus, score.deduction]
    formula = " ".join([str(parts[0]), *(_signed(p) for p in parts[1:] if p)])
    lines.append(f"  合计：{formula} = {raw}")
    if score.floor_adjustment:
        lines.append(f"  季度得分扣完为止，最低 {rules.quarter.floor} 分：记 {score.total} 分")
    item_months = {f.month for f in rec.facts}
    idle, score.flags.interview = idle_flags(
        item_months, quarter.months, current, first_month, rules
    )
    score.flags.month_without_items = [str(m) for m in idle]
    lines.append(f"  {quarter.label}得分：{score.total} 分")
    return score


def _item_lines(
    info: ItemInfo,
    before: ItemValue,
    after: ItemValue,
    adoptions: list[AdoptionFact],
    instructions: list[InstructionFact],
    rules: Rules,
    end: date,
) -> list[str]:
    name = f"第 {info.item_id} 条《{info.title}》"
    out = []
    if after.best_adoption is not None:
        best = after.best_adoption
        others = [
            f"{ADOPTION_LABELS[a.key]} {rules.adoption[a.key]} 分"
            for a in adoptions
            if a is not best and a.date <= end
        ]
        text = f"  采用：{name} {ADOPTION_LABELS[best.key]} {after.adoption} 分（{best.date}）"
        if others:
            how = "就高不就低、不重复记分" if rules.combine.adoption == "highest" else "逐项相加"
            text += f"；另有{'、'.join(others)}，{how}"
        gained = after.adoption - before.adoption
        if before.adoption:
            text += f"；此前各季度已计 {before.adoption} 分，本期计 {gained} 分"
        out.append(text)
    if after.best_instruction is not None:
        best_i = after.best_instruction
        rule = rules.instructions[best_i.level]
        kind = "（综合）" if best_i.composite else ""
        text = (
            f"  批示：{name} {rule.label}{kind} {after.instruction} 分 {'★' * after.stars}"
            f"（{best_i.date}）"
        )
        seen = sum(1 for i in instructions if i.date <= end)
        if seen > 1:
            how = "只计最高一项" if rules.combine.instruction == "highest" else "逐项相加"
            text += f"；共 {seen} 次批示，{how}"
        if before.instruction:
            gained = after.instruction - before.instruction
            text += f"；此前各季度已计 {before.instruction} 分，本期计 {gained} 分"
        out.append(text)
    return out


def score_year(
    rec: UnitRecords,
    year: Period,
    rules: Rules,
    current: Month,
    first_month: Month | None = None,
) -> UnitScore:
    """Σ the quarter totals (each floored) that have begun, plus yearly bonuses."""
    score = UnitScore(rec.unit, rec.group, year)
    score.lines.append(f"{rec.unit}（{rules.groups[rec.group].label}）{year.label}：")
    rows: dict[int, ItemRow] = {}
    for q in year.quarters():
        if q.months[0] > current:
            continue
        qs = score_quarter(rec, q, rules, current, first_month)
        score.months.extend(qs.months)
        for name in ("items", "task", "adoption", "instruction", "bonus", "deduction"):
            setattr(score, name, getattr(score, name) + getattr(qs, name))
        score.floor_adjustment += qs.floor_adjustment
        score.total += qs.total
        score.adopted_items += qs.adopted_items
        for row in qs.item_rows:
            if row.item_id in rows:
                seen = rows[row.item_id]
                seen.adoption += row.adoption
                seen.instruction += row.instruction
                seen.value = row.value
            else:
                rows[row.item_id] = ItemRow(**vars(row))
        score.lines.append(f"  第{q.quarter}季度：{qs.total} 分")
        score.lines.extend("  " + line for line in qs.lines[1:])
    score.item_rows = list(rows.values())
    for b in rec.bonuses:
        rule = rules.bonuses[b.kind]
        if not rule.yearly or not year.start <= b.date <= year.end:
            continue
        points = b.count * rule.points
        score.bonus += points
        score.total += points
        score.lines.append(f"  年度加分：{rule.label} {b.count} × {rule.points} = +{points}")
    item_months = {f.month for f in rec.facts}
    idle, score.flags.interview = idle_flags(item_months, year.months, current, first_month, rules)
    score.flags.month_without_items = [str(m) for m in idle]
    score.lines.append(f"  {year.label}得分：{score.total} 分（各季度得分之和加年度加分）")
    return score
