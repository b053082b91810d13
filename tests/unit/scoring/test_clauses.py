"""Every clause of the annex 《莱芜区政务信息工作计分通报办法》 as a table-driven test of
the pure scoring functions (no database, no clock)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zwxx.config.rules import Rules, load_rules
from zwxx.scoring.items import AdoptionFact, InstructionFact, item_gain, item_value
from zwxx.scoring.month import ItemFact
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
from zwxx.scoring.ranks import idle_flags, rank_groups, top_with_ties

ROOT = Path(__file__).resolve().parents[3]
Q2 = Period(2019, 2)
AFTER_Q2 = Month(2019, 7)
D = date(2019, 5, 10)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(ROOT / "config" / "rules.toml")


def full_months(months: list[Month], n: int = 20, research: int = 1, special: int = 2):
    out = []
    for m in months:
        out += [ItemFact(m, "research")] * research + [ItemFact(m, "special")] * special
        out += [ItemFact(m, "dynamic")] * (n - research - special)
    return out


def q2_unit(group: str = "towns", **kw) -> UnitRecords:
    """A unit that met every monthly task in Q2 (task = 90)."""
    return UnitRecords("口镇", group, facts=full_months(list(Q2.months)), **kw)


# ------------------------------------------------------------------- 二、信息采用计分
@pytest.mark.parametrize(
    ("key", "points"),
    [
        ("laiwu:full", 10),  # 《莱芜政务信息》采用每条记 10 分
        ("laiwu:composite", 5),  # 综合 5 分
        ("laiwu:brief", 5),  # 简讯 5 分
        ("to_city:forward", 5),  # 经区政府办公室信息科报至市政府办公厅 5 分
        ("jinan:full", 20),  # 《济南政务信息》采用 20 分
        ("jinan:brief", 10),  # 简讯 10 分
        ("jinan:special", 30),  # 《济南政务信息·专报》30 分
        ("to_state:composite", 20),  # 报至国务院办公厅（综合）20 分
        ("state:composite", 40),  # 被国务院办公厅采用（综合）40 分
    ],
)
def test_each_adoption_row(rules: Rules, key: str, points: int) -> None:
    value = item_value([AdoptionFact(1, key, D)], [], rules)
    assert (value.adoption, value.instruction, value.points, value.stars) == (points, 0, points, 0)
    score = score_quarter(
        q2_unit(items={1: ItemInfo(1, "某信息")}, adoptions={1: [AdoptionFact(1, key, D)]}),
        Q2,
        rules,
        AFTER_Q2,
    )
    assert (score.adoption, score.total, score.adopted_items) == (points, 90 + points, 1)


# ------------------------------------------------------------------- 三、加分 1–4（批示）
@pytest.mark.parametrize(
    ("level", "composite", "points", "stars"),
    [
        ("state", False, 100, 4),
        ("state", True, 60, 4),
        ("province", False, 60, 3),
        ("province", True, 20, 3),
        ("city", False, 40, 2),
        ("city", True, 10, 2),
        ("district", False, 30, 1),
        ("district", True, 10, 1),
    ],
)
def test_each_instruction_level(
    rules: Rules, level: str, composite: bool, points: int, stars: int
) -> None:
    value = item_value([], [InstructionFact(1, level, composite, D)], rules)
    assert (value.instruction, value.stars, value.adoption) == (points, stars, 0)


# ------------------------------------------------------------------- 三、加分 8 and D2
def test_highest_adoption_only_and_instruction_added(rules: Rules) -> None:
    adoptions = [
        AdoptionFact(1, "laiwu:full", date(2019, 4, 1)),
        AdoptionFact(1, "jinan:full", date(2019, 4, 2)),
        AdoptionFact(1, "laiwu:brief", date(2019, 4, 3)),
    ]
    instructions = [
        InstructionFact(1, "district", False, date(2019, 4, 4)),
        InstructionFact(1, "city", False, date(2019, 4, 5)),
        InstructionFact(1, "province", True, date(2019, 4, 6)),  # 20 < 40: the city one counts
    ]
    value = item_value(adoptions, instructions, rules)
    assert (value.adoption, value.instruction, value.points) == (20, 40, 60)
    assert value.best_adoption == adoptions[1] and value.best_instruction == instructions[1]
    assert value.stars == 3  # the highest level's stars are shown


def test_combine_rule_is_data(rules: Rules) -> None:
    summing = rules.model_copy(
        update={"combine": rules.combine.model_copy(update={"adoption": "sum"})}
    )
    adoptions = [AdoptionFact(1, "laiwu:full", D), AdoptionFact(1, "jinan:full", D)]
    assert item_value(adoptions, [], rules).adoption == 20
    assert item_value(adoptions, [], summing).adoption == 30


def test_later_quarter_counts_only_the_increase(rules: Rules) -> None:
    adoptions = [
        AdoptionFact(1, "laiwu:full", date(2019, 3, 20)),  # Q1: 10
        AdoptionFact(1, "jinan:full", date(2019, 4, 20)),  # Q2: 20, i.e. +10
        AdoptionFact(1, "laiwu:brief", date(2019, 7, 20)),  # Q3: lower, +0
    ]
    gains = [
        item_gain(adoptions, [], rules, q.start, q.end).points for q in Period(2019).quarters()
    ]
    assert gains == [10, 10, 0, 0] and sum(gains) == 20
    rec = UnitRecords(
        "区审计局",
        "tier2",
        items={1: ItemInfo(1, "甲", "张三")},
        adoptions={1: adoptions},
    )
    year = score_year(rec, Period(2019), rules, Month(2020, 1), first_month=Month(2020, 1))
    assert year.adoption == 20 and year.item_rows[0].adoption == 20
    assert year.item_rows[0].value.adoption == 20
    q3 = score_quarter(rec, Period(2019, 3), rules, Month(2020, 1), Month(2020, 1))
    assert q3.adoption == 0 and q3.adopted_items == 1  # adopted again, worth nothing more


# ------------------------------------------------------------------- 三、加分 5–7
@pytest.mark.parametrize(
    ("kind", "count", "quarter_points", "year_points"),
    [
        ("staff", 2, 0, 20),  # each extra full-time staff member: 10, yearly
        ("system", 1, 0, 10),  # an assessment system: 10, yearly
        ("training", 3, 60, 60),  # 以干代训: 20 per person-time
        ("joint_research", 1, 20, 20),  # joint research: 20 each
    ],
)
def test_each_bonus(
    rules: Rules, kind: str, count: int, quarter_points: int, year_points: int
) -> None:
    rec = q2_unit(bonuses=[BonusFact(kind, count, D)])
    assert score_quarter(rec, Q2, rules, AFTER_Q2).bonus == quarter_points
    year = score_year(rec, Period(2019), rules, AFTER_Q2, first_month=Month(2019, 4))
    assert year.bonus == year_points
    assert year.total == 90 + year_points


def test_bonus_outside_the_quarter_is_not_counted(rules: Rules) -> None:
    rec = q2_unit(bonuses=[BonusFact("training", 1, date(2019, 7, 1))])
    assert score_quarter(rec, Q2, rules, AFTER_Q2).bonus == 0


# ------------------------------------------------------------------- 四、减分
@pytest.mark.parametrize(
    ("kind", "points"),
    [("city_solicitation", 20), ("district_solicitation", 10), ("major_info", 20)],
)
def test_each_deduction_and_explanation(rules: Rules, kind: str, points: int) -> None:
    score = score_quarter(q2_unit(deductions=[DeductionFact(kind, 2, D)]), Q2, rules, AFTER_Q2)
    assert (score.deduction, score.total) == (-2 * points, 90 - 2 * points)
    explained = q2_unit(deductions=[DeductionFact(kind, 1, D, explained=True)])
    assert score_quarter(explained, Q2, rules, AFTER_Q2).deduction == 0


def test_quarter_floor_0(rules: Rules) -> None:
    rec = UnitRecords("区民政局", "tier1", deductions=[DeductionFact("major_info", 1, D)])
    score = score_quarter(rec, Q2, rules, AFTER_Q2)
    assert score.task == -120 and score.deduction == -20
    assert (score.total, score.floor_adjustment) == (0, 140)
    assert any("扣完为止" in line for line in score.lines)


def test_pending_tier2_duty_and_months_not_begun(rules: Rules) -> None:
    rec = UnitRecords("区审计局", "tier2", facts=full_months([Month(2019, 4)], 10, 0, 0))
    score = score_quarter(rec, Q2, rules, Month(2019, 5))
    assert [str(m.month) for m in score.months] == ["2019-04", "2019-05"]  # June not begun
    assert score.months[0].research_met == "pending" and score.months[0].task_score == 20
    assert any("季末确认" in line for line in score.lines)


# ------------------------------------------------------------------- 五、通报：排名与标记
def scored(name: str, group: str, total: int, adoption: int = 0, items: int = 0) -> UnitScore:
    s = UnitScore(name, group, Q2, total=total, adoption=adoption, items=items)
    s.adopted_items = 1 if adoption else 0
    return s


def test_ties_share_a_rank_and_listing_order(rules: Rules) -> None:
    units = [
        scored("甲", "tier1", 50, adoption=0, items=30),
        scored("乙", "tier1", 50, adoption=10, items=20),
        scored("丙", "tier1", 60),
        scored("丁", "tier1", 40),
        scored("戊", "tier1", 40),
    ]
    listed = rank_groups(units, rules)
    assert [(u.unit, u.rank) for u in listed] == [
        ("丙", 1),
        ("乙", 2),  # tied with 甲 on total, listed first by adoption points
        ("甲", 2),
        ("丁", 4),
        ("戊", 4),
    ]
    assert [u.unit for u in listed if u.flags.praise] == ["丙"]
    assert [u.unit for u in listed if u.flags.criticise] == ["丁", "戊"]  # all sharing last
    assert [u.unit for u in listed if u.flags.zero_adoption] == ["丙", "甲", "丁", "戊"]


def test_same_items_then_roster_order(rules: Rules) -> None:
    listed = rank_groups(
        [scored("甲", "tier2", 5, items=1), scored("乙", "tier2", 5, items=2)], rules
    )
    assert [u.unit for u in listed] == ["乙", "甲"]


def test_each_group_ranked_separately_and_all_tied_not_flagged(rules: Rules) -> None:
    units = [
        scored("口镇", "towns", 30),
        scored("羊里镇", "towns", 10),
        scored("区发改委", "tier1", 0),
        scored("区民政局", "tier1", 0),
        scored("区审计局", "tier2", 7),
    ]
    listed = {u.unit: u for u in rank_groups(units, rules)}
    assert listed["口镇"].flags.praise and listed["羊里镇"].flags.criticise
    assert listed["区发改委"].rank == listed["区民政局"].rank == 1
    assert not any(
        listed[n].flags.praise or listed[n].flags.criticise
        for n in ("区发改委", "区民政局", "区审计局")
    )


@pytest.mark.parametrize(
    ("active", "period", "current", "first", "named", "interview"),
    [
        # May idle in Q2: named, no interview.
        ({(2019, 4), (2019, 6)}, Q2, (2019, 7), (2019, 1), ["2019-05"], False),
        # May and June idle: interview.
        ({(2019, 4)}, Q2, (2019, 7), (2019, 1), ["2019-05", "2019-06"], True),
        # March and April idle: the run crosses into Q2, interview in Q2 ...
        ({(2019, 5), (2019, 6)}, Q2, (2019, 7), (2019, 1), ["2019-04"], True),
        # ... and not in Q1, where the run had one month.
        (
            {(2019, 1), (2019, 2), (2019, 5)},
            Period(2019, 1),
            (2019, 7),
            (2019, 1),
            ["2019-03"],
            False,
        ),
        # The month in progress is not a whole month without items.
        ({(2019, 4)}, Q2, (2019, 6), (2019, 1), ["2019-05"], False),
        # Nobody is idle before the records begin.
        ({(2019, 6)}, Q2, (2019, 7), (2019, 5), ["2019-05"], False),
        # Year boundary: December and January idle -> interview in January's quarter.
        (
            {(2019, 2), (2019, 3), (2018, 11)},
            Period(2019, 1),
            (2019, 4),
            (2018, 1),
            ["2019-01"],
            True,
        ),
    ],
)
def test_idle_month_flags(rules, active, period, current, first, named, interview) -> None:
    months = {Month(*m) for m in active}
    got = idle_flags(months, period.months, Month(*current), Month(*first), rules)
    assert ([str(m) for m in got[0]], got[1]) == (named, interview)


def test_top_with_ties() -> None:
    ranked = [(f"u{i}", 100 - i) for i in range(30)]
    assert len(top_with_ties(ranked, 10, 20)) == 10
    tied = [("a", 9)] * 25
    assert len(top_with_ties(tied, 10, 20)) == 20  # ties extend the list up to the maximum
    assert top_with_ties([("a", 0)], 10, 20) == []  # no points, no candidate


# ------------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("text", "quarter", "ok"),
    [
        ("2019Q2", True, True),
        ("2019q4", True, True),
        ("2019Q5", True, False),
        ("2019", False, True),
        ("2019Q1", False, False),
    ],
)
def test_period_parse(text: str, quarter: bool, ok: bool) -> None:
    if ok:
        assert str(Period.parse(text, quarter=quarter)).upper() == text.upper()
    else:
        with pytest.raises(ValueError, match="不是有效的"):
            Period.parse(text, quarter=quarter)


def test_period_bounds() -> None:
    assert (Q2.start, Q2.end) == (date(2019, 4, 1), date(2019, 6, 30))
    assert (Period(2019).start, Period(2019).end) == (date(2019, 1, 1), date(2019, 12, 31))
    assert Period(2019, 4).end == date(2019, 12, 31)
