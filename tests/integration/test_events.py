"""Scoring events: the clerk's labels, the CSV import (all or nothing, line numbers) and
the single-event commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.integration.test_import_report import ledger_rows, write_csv
from tests.integration.test_report_quarter import EVENT_HEADER, event, quarter, write_events
from zwxx.config.roster import load_roster
from zwxx.config.rules import load_rules
from zwxx.errors import InputError
from zwxx.records.events import parse_events, parse_row

ROOT = Path(__file__).resolve().parents[2]
RULES = load_rules(ROOT / "config" / "rules.toml")
ROSTER = load_roster(ROOT / "config" / "units.toml", list(RULES.groups))


def row(**values: str) -> dict[str, str]:
    return {"date": "2019-05-10", "item_id": "1"} | values


@pytest.mark.parametrize(
    ("publication", "form", "key"),
    [
        ("laiwu", "full", "laiwu:full"),
        ("《莱芜政务信息》", "", "laiwu:full"),
        ("莱芜政务信息", "综合", "laiwu:composite"),
        ("《莱芜政务信息》", "简讯", "laiwu:brief"),
        ("to_city", "forward", "to_city:forward"),
        ("报市", "", "to_city:forward"),
        ("《济南政务信息》", "正刊", "jinan:full"),
        ("jinan", "brief", "jinan:brief"),
        ("《济南政务信息·专报》", "", "jinan:special"),
        ("jinan", "special", "jinan:special"),
        ("to_state", "composite", "to_state:composite"),
        ("报国办", "", "to_state:composite"),
        ("国办", "综合", "state:composite"),
        ("state", "composite", "state:composite"),
    ],
)
def test_adoption_labels(publication: str, form: str, key: str) -> None:
    r = parse_row(row(type="采用", publication=publication, form=form), 2, ROSTER, RULES)
    assert (r.type, r.key) == ("adoption", key)


@pytest.mark.parametrize(
    ("level", "composite", "key", "is_composite"),
    [
        ("国办", "否", "state", False),
        ("state", "是", "state", True),
        ("省", "", "province", False),
        ("省领导批示", "综合", "province", True),
        ("市", "false", "city", False),
        ("济南市领导批示", "true", "city", True),
        ("区", "否", "district", False),
        ("district", "1", "district", True),
    ],
)
def test_instruction_labels(level: str, composite: str, key: str, is_composite: bool) -> None:
    r = parse_row(row(type="批示", level=level, composite=composite), 2, ROSTER, RULES)
    assert (r.type, r.key, r.composite) == ("instruction", key, is_composite)


@pytest.mark.parametrize(
    ("kind_type", "kind", "key"),
    [
        ("bonus", "staff", "staff"),
        ("加分", "专职信息人员", "staff"),
        ("bonus", "考核通报制度", "system"),
        ("bonus", "以干代训", "training"),
        ("加分", "联合调研", "joint_research"),
        ("deduction", "市约稿", "city_solicitation"),
        ("减分", "区约稿", "district_solicitation"),
        ("deduction", "重大信息迟报", "major_info"),
        ("explanation", "区约稿", "district_solicitation"),
        ("情况说明", "city_solicitation", "city_solicitation"),
    ],
)
def test_unit_event_labels(kind_type: str, kind: str, key: str) -> None:
    r = parse_row(
        {"type": kind_type, "unit": "区发改委", "kind": kind, "date": "2019/5/10"}, 3, ROSTER, RULES
    )
    assert (r.key, r.unit, str(r.date)) == (key, "区发展和改革委员会", "2019-05-10")


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"type": "praise"}, "类型"),
        ({"type": "adoption", "publication": "人民日报"}, "刊物/形式"),
        ({"type": "adoption", "publication": "laiwu", "form": "special"}, "刊物/形式"),
        ({"type": "instruction", "level": "县"}, "批示级别"),
        ({"type": "bonus", "unit": "区发改委", "kind": "major_info"}, "项目"),
        ({"type": "bonus", "unit": "区发改委", "kind": "training", "count": "0"}, "数量"),
        ({"type": "deduction", "kind": "major_info"}, "缺少单位"),
        ({"type": "explanation", "unit": "区发改委", "kind": "major_info"}, "只能取消约稿减分"),
        ({"type": "adoption", "item_id": "", "publication": "laiwu"}, "item_id 或 unit + title"),
        ({"type": "bonus", "unit": "区不存在局", "kind": "training"}, "不在名册中"),
        ({"type": "adoption", "publication": "laiwu", "date": "2019-02-30"}, "日期"),
    ],
)
def test_bad_rows_name_their_line(values: dict[str, str], problem: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_row(row(**values), 7, ROSTER, RULES)
    assert exc.value.message.startswith("第 7 行：") and problem in exc.value.message


def test_every_bad_line_is_listed() -> None:
    text = ",".join(EVENT_HEADER) + "\n"
    text += "adoption,1,,,2019-04-01,laiwu,full,,,,,\n"
    text += "adoption,x,,,2019-04-01,laiwu,full,,,,,\n"
    text += "bonus,,区发改委,,2019-04-01,,,,,nothing,,\n"
    with pytest.raises(InputError) as exc:
        parse_events(text.encode(), ROSTER, RULES)
    assert "第 3 行" in exc.value.message and "第 4 行" in exc.value.message
    assert "第 2 行" not in exc.value.message and "未记录任何数据" in exc.value.message


def test_import_is_all_or_nothing_and_once(zwxx, workdir: Path) -> None:
    zwxx(
        "import",
        "items",
        str(write_csv(workdir / "l.csv", ledger_rows("区发改委", "2019-04", 21, 1))),
    )
    good = event("bonus", unit="区发改委", date="2019-04-20", kind="training")
    rows = [
        good,
        event("adoption", item_id="999", date="2019-04-20", publication="laiwu"),
        event(
            "adoption", unit="区发改委", title="没有这条", date="2019-04-20", publication="laiwu"
        ),
        event("explanation", unit="区发改委", date="2019-04-21", kind="区约稿"),
    ]
    bad = zwxx("import", "events", str(write_events(workdir / "bad.csv", rows)), check=False)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert "第 3 行" in bad.stderr and "999" in bad.stderr
    assert "第 4 行" in bad.stderr and "没有这条" in bad.stderr
    after = quarter(zwxx)
    assert next(u for u in after["units"] if u["unit"] == "区发展和改革委员会")["bonus"] == 0

    # An explanation with no deduction to cancel is refused as a whole file too.
    lonely = write_events(workdir / "lonely.csv", [good, rows[3]])
    refused = zwxx("import", "events", str(lonely), check=False)
    assert (
        refused.returncode == 2 and "第 3 行" in refused.stderr and "没有未说明" in refused.stderr
    )

    ok = write_events(workdir / "ok.csv", [good])
    assert "导入 1 条事件" in zwxx("import", "events", str(ok)).stdout
    assert "已导入过" in zwxx("import", "events", str(ok)).stdout
    units = {u["unit"]: u for u in quarter(zwxx)["units"]}
    assert units["区发展和改革委员会"]["bonus"] == 20


def test_single_event_commands(zwxx, workdir: Path) -> None:
    zwxx(
        "import", "items", str(write_csv(workdir / "l.csv", ledger_rows("区审计局", "2019-04", 10)))
    )
    items = json.loads(zwxx("items", "--json").stdout)
    first, second = items[0]["id"], items[1]["id"]
    out = zwxx(
        "adopt", str(first), "-p", "《济南政务信息·专报》", "--date", "2019-04-20", "--by", "王"
    ).stdout
    assert "已记录" in out
    zwxx(
        "adopt",
        items[1]["title"],
        "--unit",
        "区审计局",
        "-p",
        "laiwu",
        "-f",
        "简讯",
        "--date",
        "2019-04-21",
    )
    zwxx("instruct", str(first), "--level", "省", "--composite", "--date", "2019-05-02")
    zwxx("deduct", "区审计局", "--kind", "市约稿", "--date", "2019-05-03")
    zwxx("deduct", "区审计局", "--kind", "major_info", "--date", "2019-05-04")
    zwxx("explanation", "区审计局", "--kind", "市约稿", "--date", "2019-05-03", "--note", "已说明")
    unit = next(u for u in quarter(zwxx)["units"] if u["unit"] == "区审计局")
    assert (unit["adoption"], unit["instruction"], unit["deduction"]) == (35, 20, -20)
    stars = {i["item_id"]: i["stars"] for i in unit["item_points"]}
    assert stars == {first: 3, second: 0}

    unknown = zwxx("adopt", "99999", "-p", "laiwu", "--date", "2019-04-20", check=False)
    assert unknown.returncode == 2 and "没有编号为 99999 的信息" in unknown.stderr
    nounit = zwxx("bonus", "区不存在局", "--kind", "training", "--date", "2019-04-20", check=False)
    assert nounit.returncode == 2 and "不在名册中" in nounit.stderr
    title = zwxx("adopt", "某标题", "-p", "laiwu", "--date", "2019-04-20", check=False)
    assert title.returncode == 2 and "--unit" in title.stderr
    twice = zwxx("explanation", "区审计局", "--kind", "市约稿", "--date", "2019-05-03", check=False)
    assert twice.returncode == 2 and "没有未说明" in twice.stderr
