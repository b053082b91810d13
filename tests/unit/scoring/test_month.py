"""SPEC §9 monthly figures from the pure scoring functions (no database)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zwxx.config.rules import Rules, load_rules
from zwxx.scoring.month import ItemFact, month_task
from zwxx.scoring.periods import Month

ROOT = Path(__file__).resolve().parents[3]
APR, MAY, JUN = Month(2019, 4), Month(2019, 5), Month(2019, 6)


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(ROOT / "config" / "rules.toml")


def facts(month: Month, n: int, research: int = 0, special: int = 0, solicited: int = 0):
    out = [ItemFact(month, "research") for _ in range(research)]
    out += [ItemFact(month, "special") for _ in range(special)]
    out += [ItemFact(month, "dynamic", solicited=True) for _ in range(solicited)]
    out += [ItemFact(month, "dynamic") for _ in range(n - len(out))]
    return out


def test_tier1_month_met_with_research(rules: Rules) -> None:
    r = month_task("区发展和改革委员会", "tier1", APR, facts(APR, 21, research=1), rules)
    assert (r.quota_met, r.research_met, r.task_score, r.shortfall_deduction) == (True, True, 30, 0)


def test_tier1_shortfall_forfeits_everything(rules: Rules) -> None:
    r = month_task("区民政局", "tier1", APR, facts(APR, 17), rules)
    assert (r.task_score, r.shortfall_deduction, r.base_score, r.duty_score) == (-6, -6, 0, 0)
    empty = month_task("区民政局", "tier1", MAY, [], rules)
    assert (empty.items, empty.task_score) == (0, -40)


def test_town_needs_research_and_two_special(rules: Rules) -> None:
    r = month_task("凤城街道", "towns", APR, facts(APR, 22, research=1, special=1), rules)
    assert (r.quota_met, r.research_met, r.task_score) == (True, False, 20)
    r2 = month_task("凤城街道", "towns", APR, facts(APR, 22, research=1, special=2), rules)
    assert r2.task_score == 30


def test_tier2_quarterly_duty(rules: Rules) -> None:
    quarter = facts(APR, 10) + facts(MAY, 9) + facts(JUN, 12, research=1)
    scores = [
        month_task("区审计局", "tier2", m, quarter, rules).task_score for m in (APR, MAY, JUN)
    ]
    assert scores == [30, -2, 30]
    assert sum(scores) == 58


def test_tier2_duty_pending_until_quarter_ends(rules: Rules) -> None:
    r = month_task("区审计局", "tier2", APR, facts(APR, 10), rules, period_closed=False)
    assert (r.research_met, r.task_score) == ("pending", 20)
    closed = month_task("区审计局", "tier2", APR, facts(APR, 10), rules, period_closed=True)
    assert (closed.research_met, closed.task_score) == (False, 20)


def test_solicited_replies_count_for_duty_not_quota(rules: Rules) -> None:
    # 20 items of which 2 are solicited replies: only 18 count toward the quota (D1).
    items = facts(APR, 20, research=1, solicited=2)
    r = month_task("区发展和改革委员会", "tier1", APR, items, rules)
    assert (r.items, r.quota_items, r.quota_met, r.task_score) == (20, 18, False, -4)
    solicited_research = [ItemFact(APR, "research", solicited=True), *facts(APR, 20)]
    r2 = month_task("区发展和改革委员会", "tier1", APR, solicited_research, rules)
    assert (r2.quota_items, r2.research_met, r2.task_score) == (20, True, 30)


def test_month_parse_rejects_bad_input() -> None:
    assert Month.parse("2019-4") == APR
    with pytest.raises(ValueError, match="YYYY-MM"):
        Month.parse("2019-13")
    assert Month(2019, 12).next() == Month(2020, 1)
    assert JUN.quarter_months() == (APR, MAY, JUN)
