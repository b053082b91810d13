"""SPEC §9 quarter figures through the real CLI — ``import items``, ``import events``,
``report quarter/year --json`` — on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from tests.integration.test_import_report import ledger_rows, write_csv
from zwxx.records.events import COLUMNS

EVENT_HEADER = list(COLUMNS)
NOW = "2019-07-15T00:00:00+08:00"
# Items of 区发展和改革委员会 named by unit + title (titles from ledger_rows).
A, B, C = "区发改委2019-04第2条", "区发改委2019-05第3条", "区发改委2019-04第5条"


def event(event_type: str, /, **values: str) -> list[str]:
    row = dict.fromkeys(EVENT_HEADER, "") | {"type": event_type} | values
    return [row[c] for c in EVENT_HEADER]


def write_events(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(EVENT_HEADER)
        writer.writerows(rows)
    return path


SPEC_EVENTS = [
    # Item A: 《莱芜政务信息》 10, later 《济南政务信息》 20 -> 20 (highest only).
    event("adoption", unit="区发改委", title=A, date="2019-04-20", publication="《莱芜政务信息》"),
    event("采用", unit="区发改委", title=A, date="2019-05-20", publication="jinan", form="full"),
    # Item B: a district 综合 -> 5.
    event(
        "adoption", unit="区发改委", title=B, date="2019-05-03", publication="laiwu", form="综合"
    ),
    # Item C: forwarded to the city 5, then a city 简讯 10 -> 10.
    event("adoption", unit="区发改委", title=C, date="2019-04-25", publication="报市"),
    event(
        "adoption",
        unit="区发改委",
        title=C,
        date="2019-05-10",
        publication="济南政务信息",
        form="简讯",
    ),
    # Item A: a city leader's instruction, not composite -> +40, ★★.
    event("instruction", unit="区发改委", title=A, date="2019-06-01", level="市", composite="否"),
    event("bonus", unit="区发改委", date="2019-05-15", kind="以干代训", count="1"),
    event("deduction", unit="区发改委", date="2019-06-10", kind="区约稿"),
    # A missed solicitation of 区民政局 cancelled by its explanation: no effect.
    event("deduction", unit="区民政局", date="2019-05-10", kind="district_solicitation"),
    event(
        "explanation", unit="区民政局", date="2019-05-10", kind="区约稿", note="主要负责人签字说明"
    ),
]


def spec_ledger() -> list[list]:
    rows = []
    for month in ("2019-04", "2019-05", "2019-06"):
        rows += ledger_rows("区发改委", month, 21, research=1)
    rows += ledger_rows("区民政局", "2019-04", 17)
    rows += ledger_rows("区民政局", "2019-06", 20, research=1)
    rows += ledger_rows("凤城街道", "2019-04", 22, research=1, special=1)
    rows += ledger_rows("区审计局", "2019-04", 10)
    rows += ledger_rows("区审计局", "2019-05", 9)
    rows += ledger_rows("区审计局", "2019-06", 12, research=1)
    return rows


def load_spec(zwxx, workdir: Path) -> None:
    zwxx("import", "items", str(write_csv(workdir / "ledger.csv", spec_ledger())))
    events = write_events(workdir / "events.csv", SPEC_EVENTS, encoding="gbk")
    out = zwxx("import", "events", str(events), "--by", "信息科").stdout
    assert f"导入 {len(SPEC_EVENTS)} 条事件" in out


def quarter(zwxx, period: str = "2019Q2", now: str = NOW) -> dict:
    return json.loads(zwxx("report", "quarter", period, "--json", "--now", now).stdout)


def by_unit(report: dict) -> dict[str, dict]:
    return {u["unit"]: u for u in report["units"]}


def test_spec_quarter_figures(zwxx, workdir: Path) -> None:
    load_spec(zwxx, workdir)
    report = quarter(zwxx)
    units = by_unit(report)
    assert report["period"] == "2019Q2" and len(units) == 57

    fgw = units["区发展和改革委员会"]
    assert (fgw["task"], fgw["adoption"], fgw["instruction"]) == (90, 35, 40)
    assert (fgw["bonus"], fgw["deduction"], fgw["total"]) == (20, -10, 175)
    assert fgw["adopted_items"] == 3 and fgw["rank"] == 1
    assert fgw["flags"]["praise"] is True and fgw["flags"]["zero_adoption"] is False
    points = {i["title"]: i for i in fgw["item_points"]}
    assert (points[A]["adoption"], points[A]["instruction"], points[A]["stars"]) == (20, 40, 2)
    assert points[A]["star_text"] == "★★"
    assert points[B]["points"] == 5 and points[C]["points"] == 10 and points[C]["stars"] == 0

    mz = units["区民政局"]
    assert mz["task"] == -16 and mz["total"] == 0 and mz["floor_adjustment"] == 16
    assert mz["deduction"] == 0  # the explained solicitation costs nothing
    assert mz["flags"]["month_without_items"] == ["2019-05"]
    assert mz["flags"]["interview"] is False and mz["flags"]["zero_adoption"] is True
    assert mz["flags"]["criticise"] is True and mz["rank"] == 2

    sj = units["区审计局"]
    assert [m["task_score"] for m in sj["months"]] == [30, -2, 30]
    assert sj["total"] == 58 and sj["rank"] == 1 and sj["flags"]["praise"] is True

    fc = units["凤城街道"]
    assert fc["months"][0]["task_score"] == 20
    assert fc["flags"]["month_without_items"] == ["2019-05", "2019-06"]
    assert fc["flags"]["interview"] is True  # May and June: two months in a row
    assert set(fgw) >= {
        "unit",
        "group",
        "task",
        "adoption",
        "instruction",
        "bonus",
        "deduction",
        "total",
        "rank",
        "adopted_items",
        "flags",
    }


def test_explain_and_chinese_tables(zwxx, workdir: Path) -> None:
    load_spec(zwxx, workdir)
    text = zwxx("report", "quarter", "2019Q2", "--now", NOW, "--explain", "区发改委").stdout
    assert "90 +35 +40 +20 -10 = 175" in text
    assert "就高不就低" in text and "以干代训" in text and "★★" in text
    assert "4月报送任务" in text and "第 1 名" in text
    floored = zwxx("report", "quarter", "2019Q2", "--now", NOW, "--explain", "区民政局").stdout
    assert "扣完为止" in floored and "已作情况说明" in floored
    table = zwxx("report", "quarter", "2019Q2", "--now", NOW).stdout
    assert "第一数量级单位" in table and "通报表扬" in table and "约谈分管领导" in table
    assert "采用与批示信息" in table
    bad = zwxx("report", "quarter", "2019Q5", check=False)
    assert bad.returncode == 2 and "YYYYQn" in bad.stderr


def test_year_report_counts_yearly_bonuses_once(zwxx, workdir: Path) -> None:
    load_spec(zwxx, workdir)
    zwxx("bonus", "区发改委", "--kind", "staff", "--count", "2", "--date", "2019-12-01")
    zwxx("bonus", "区发改委", "--kind", "system", "--date", "2019-12-01")
    q4 = by_unit(quarter(zwxx, "2019Q4", now="2020-01-15T00:00:00+08:00"))
    assert q4["区发展和改革委员会"]["bonus"] == 0  # yearly bonuses are not quarterly
    year = json.loads(
        zwxx("report", "year", "2019", "--json", "--now", "2020-01-15T00:00:00+08:00").stdout
    )
    units = by_unit(year)
    fgw = units["区发展和改革委员会"]
    # Q1 (no items yet: the records begin in April) and Q3, Q4 are floored at 0.
    assert fgw["total"] == 175 + 30 and fgw["bonus"] == 20 + 30
    assert units["区审计局"]["total"] == 58
    assert year["top_units"][0] == {"unit": "区发展和改革委员会", "group": "tier1", "total": 205}
    assert [t["unit"] for t in year["top_units"]] == ["区发展和改革委员会", "区审计局"]


def test_freeze_keeps_the_published_result(zwxx, workdir: Path) -> None:
    load_spec(zwxx, workdir)
    frozen = zwxx("report", "quarter", "2019Q2", "--now", NOW, "--freeze", "--json")
    assert "已冻结" in frozen.stderr and json.loads(frozen.stdout)["changes"] == []
    zwxx("bonus", "区审计局", "--kind", "joint_research", "--date", "2019-06-20", "--note", "更正")
    report = quarter(zwxx)
    assert by_unit(report)["区审计局"]["total"] == 78
    assert report["frozen"]["frozen_at"]
    change = [c for c in report["changes"] if c["unit"] == "区审计局" and c["field"] == "total"]
    assert change == [{"unit": "区审计局", "field": "total", "frozen": 58, "current": 78}]
    text = zwxx("report", "quarter", "2019Q2", "--now", NOW).stdout
    assert "冻结发布" in text and "58 → 78" in text
    again = zwxx("report", "quarter", "2019Q2", "--freeze", check=False)
    assert again.returncode == 2 and "不能再次冻结" in again.stderr


def test_year_top_people_by_item_points(zwxx, workdir: Path, db_url: str) -> None:
    import sqlalchemy as sa

    from zwxx.records.db import make_engine
    from zwxx.records.models import Item

    load_spec(zwxx, workdir)
    engine = make_engine(db_url)
    with engine.begin() as conn:
        for title, author in ((A, "张三"), (B, "李四"), (C, "李四")):
            conn.execute(sa.update(Item).where(Item.title == title).values(author=author))
    engine.dispose()
    year = json.loads(
        zwxx("report", "year", "2019", "--json", "--now", "2020-01-15T00:00:00+08:00").stdout
    )
    assert year["top_people"] == [
        {"author": "张三", "unit": "区发展和改革委员会", "points": 60, "items": 1},
        {"author": "李四", "unit": "区发展和改革委员会", "points": 15, "items": 2},
    ]
    text = zwxx("report", "year", "2019", "--now", "2020-01-15T00:00:00+08:00").stdout
    assert "年度先进个人（候选）：张三（区发展和改革委员会，60 分）" in text
