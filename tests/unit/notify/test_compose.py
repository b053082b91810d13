"""Composing the weekly reminder, the monthly digest and receipts from data handed in
(zwxx.notify.compose): no database, no clock, no server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from zwxx.config.roster import Roster, UnitEntry
from zwxx.config.rules import Rules, load_rules
from zwxx.config.settings import DEFAULT_RULES, Settings
from zwxx.notify.compose import (
    DigestCounts,
    Receipt,
    WeekData,
    digest_data,
    digest_plan,
    duty_window,
    receipt_plan,
    weekly_plan,
)
from zwxx.records.facts import ItemRecord, ReceiptItem
from zwxx.records.models import COUNTED, DUPLICATE, REVIEW
from zwxx.scoring.month import ItemFact, MonthResult, month_task
from zwxx.scoring.periods import Month

TZ = ZoneInfo("Asia/Shanghai")
OCT = Month(2026, 10)
NOW = datetime(2026, 10, 26, 9, tzinfo=TZ)  # a Monday, 25 days of 31 elapsed
FGW = UnitEntry(
    name="区发改委",
    group="tier1",
    emails=("fgw@laiwu.cn",),
    officer_phone="13806340001",
    receipt=True,
)
FC = UnitEntry(name="凤城街道", group="towns", emails=("fc@laiwu.cn",))
SJ = UnitEntry(name="区审计局", group="tier1")  # no address, no phone
ROSTER = Roster([FGW, FC, SJ])


@pytest.fixture(scope="module")
def rules() -> Rules:
    return load_rules(DEFAULT_RULES)


@pytest.fixture
def settings() -> Settings:
    return Settings(leaders={"emails": ["leader@laiwu.cn"], "phones": ["13706340000"]})


def result(unit: UnitEntry, rules: Rules, *categories: str) -> MonthResult:
    facts = [ItemFact(OCT, c) for c in categories]
    return month_task(unit.name, unit.group, OCT, facts, rules, period_closed=False)


def item(n: int, **values) -> ItemRecord:
    base = {
        "id": n,
        "unit_id": 1,
        "received_at": datetime(2026, 10, n, 2, tzinfo=UTC),
        "title": f"第{n}条",
        "attachment": None,
        "category": "dynamic",
        "chars": 300,
        "status": COUNTED,
        "over_limit": False,
    }
    return ItemRecord(**(base | values))


def week(rules: Rules) -> WeekData:
    return WeekData(
        results={
            FGW.name: result(FGW, rules, *["dynamic"] * 3),  # far below pace, no research
            FC.name: result(FC, rules, *["dynamic"] * 20, "research", "special", "special"),
            SJ.name: result(SJ, rules),
        },
        items={
            FGW.name: [
                item(3, title="", attachment="附件.docx"),
                item(5, chars=900, over_limit=True, category="dynamic"),
                item(6, status=REVIEW, over_limit=True),
            ]
        },
        duty_counts={FGW.name: {"dynamic": 3}, SJ.name: {}},
    )


def test_weekly_reminder_from_handed_in_data(settings: Settings, rules: Rules) -> None:
    plan = weekly_plan(settings, ROSTER, rules, NOW, week(rules))
    assert plan.units == ["区发改委", "区审计局"]  # 凤城街道 is on pace with its duty met
    assert plan.unreachable == ["区审计局"]
    mail, sms = plan.messages
    assert (mail.kind, mail.period, mail.channel, mail.recipient) == (
        "weekly",
        "2026-W44",
        "email",
        "fgw@laiwu.cn",
    )
    assert mail.subject == "【催报】区发改委10月政务信息报送提醒（截至10月26日）"
    assert "已报送政务信息 3 条（计入任务 3 条），按进度应不少于 17 条" in mail.text
    assert "- 按进度还差 14 条" in mail.text
    assert "- 本月还需报送调研信息 1 篇" in mail.text
    assert "1. 10月03日《附件.docx》动态信息，300字，已计数" in mail.text
    assert "3. 10月06日《第6条》动态信息，300字，待确认" in mail.text
    # only the counted item over the limit is pointed out
    assert "- 《第5条》动态信息，900字" in mail.text
    assert "《第6条》动态信息，300字\n" not in mail.text.split("本月已收到")[0]
    assert (sms.kind, sms.recipient) == ("weekly_sms", "13806340001")
    assert "调研任务未完成" in sms.text


def test_a_unit_whose_duty_is_open_needs_its_counts(settings: Settings, rules: Rules) -> None:
    data = week(rules)
    del data.duty_counts[FGW.name]
    with pytest.raises(KeyError):
        weekly_plan(settings, ROSTER, rules, NOW, data)


def test_duty_window_month_or_quarter(rules: Rules) -> None:
    assert duty_window(FGW, OCT, rules) == (OCT,)
    tier2 = UnitEntry(name="区信访局", group="tier2")
    assert duty_window(tier2, OCT, rules) == (OCT, Month(2026, 11), Month(2026, 12))


def test_digest_from_results_and_counts(settings: Settings, rules: Rules) -> None:
    results = [
        result(FGW, rules, *["dynamic"] * 18, "research"),  # 19 < 20
        result(FC, rules, *["dynamic"] * 20, "research", "special", "special"),
        result(SJ, rules, *["dynamic"] * 20, "research"),
    ]
    counts = DigestCounts(
        adopted={"区发改委": 2, "已撤销单位": 1},
        over_limit={"区审计局": 1},
        review=4,
        failed_notifications=0,
    )
    digest = digest_data(ROSTER, rules, OCT, results, counts)
    assert digest.total_items == 19 + 23 + 21
    assert digest.adoptions == 3  # every unit's adoptions, also one no longer listed
    assert digest.below_quota == ["区发改委"]
    assert digest.unreachable == ["区审计局"]
    tier1 = next(g for g in digest.groups if g["key"] == "tier1")
    assert [(r.rank, r.unit, r.adoptions, r.over_limit) for r in tier1["rows"]] == [
        (1, "区审计局", 0, 1),
        (2, "区发改委", 2, 0),
    ]
    plan = digest_plan(settings, digest, Path("/outbox/2026年10月政务信息月报.xlsx"))
    mail, sms = plan.messages
    assert mail.recipient == "leader@laiwu.cn" and mail.attachments[0].name.endswith(".xlsx")
    assert mail.subject == "2026年10月全区政务信息报送情况"
    assert "被采用 3 条次，超字数 1 条，本月待人工确认 4 条" in mail.text
    assert "未完成条数任务的单位：区发改委" in mail.text
    assert (sms.kind, sms.recipient) == ("digest_sms", "13706340000")


def test_receipts_go_to_the_sender_or_the_registered_addresses(
    settings: Settings, rules: Rules
) -> None:
    from_sender = ReceiptItem(item(7), "区发改委", " Officer@Laiwu.cn ")
    from_oa = ReceiptItem(item(8, status=DUPLICATE), "区发改委", None)
    plan = receipt_plan(settings, ROSTER, rules, [Receipt(from_sender, 5), Receipt(from_oa, 5)])
    assert [(m.period, m.recipient) for m in plan.messages] == [
        ("7", "officer@laiwu.cn"),
        ("8", "fgw@laiwu.cn"),
    ]
    assert plan.units == ["区发改委"]
    no_one = Roster([FGW.model_copy(update={"emails": ()})])
    plan = receipt_plan(settings, no_one, rules, [Receipt(from_oa, 5)])
    assert plan.messages == [] and plan.unreachable == ["区发改委"]
    assert receipt_plan(settings, Roster([FC]), rules, []).messages == []
