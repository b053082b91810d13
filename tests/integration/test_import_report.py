"""Ledger import + month report through the real CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import json
from pathlib import Path

HEADER = ["unit", "title", "category", "received_at", "chars", "solicited"]


def ledger_rows(unit: str, month: str, n: int, research: int = 0, special: int = 0) -> list[list]:
    rows = []
    for i in range(n):
        category = "调研信息" if i < research else "专报" if i < research + special else "dynamic"
        day = 1 + i % 28
        rows.append(
            [unit, f"{unit}{month}第{i + 1}条", category, f"{month}-{day:02d}T10:00", 300, "否"]
        )
    return rows


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def report(zwxx, month: str, now: str = "2019-07-15T00:00:00+08:00") -> dict[str, dict]:
    proc = zwxx("report", "month", month, "--json", "--now", now)
    return {row["unit"]: row for row in json.loads(proc.stdout)}


def test_spec_worked_examples_monthly(zwxx, workdir: Path) -> None:
    rows = []
    for month in ("2019-04", "2019-05", "2019-06"):
        rows += ledger_rows("区发改委", month, 21, research=1)  # alias resolves to the unit
    rows += ledger_rows("区民政局", "2019-04", 17)
    rows += ledger_rows("区民政局", "2019-06", 20, research=1)
    rows += ledger_rows("凤城街道", "2019-04", 22, research=1, special=1)
    rows += ledger_rows("区审计局", "2019-04", 10)
    rows += ledger_rows("区审计局", "2019-05", 9)
    rows += ledger_rows("区审计局", "2019-06", 12, research=1)
    # The clerk's ledger comes out of Excel in GBK: that must work too.
    ledger = write_csv(workdir / "ledger.csv", rows, encoding="gbk")
    out = zwxx("import", "items", str(ledger)).stdout
    assert f"导入 {len(rows)} 条" in out

    april, may, june = report(zwxx, "2019-04"), report(zwxx, "2019-05"), report(zwxx, "2019-06")
    assert len(april) == 57  # every unit of the roster, also those without items
    assert april["区发展和改革委员会"]["task_score"] == 30
    assert april["区民政局"]["task_score"] == -6
    assert april["区民政局"]["shortfall_deduction"] == -6
    assert may["区民政局"]["task_score"] == -40
    assert may["区民政局"]["items"] == 0
    assert june["区民政局"]["task_score"] == 30
    assert april["凤城街道"]["task_score"] == 20
    assert april["凤城街道"]["research_met"] is False
    assert may["区审计局"]["task_score"] == -2
    assert [m["区审计局"]["task_score"] for m in (april, may, june)] == [30, -2, 30]
    assert april["区审计局"]["research_met"] is True  # the June 调研 serves the quarter
    fgw = april["区发展和改革委员会"]
    assert fgw["group"] == "tier1"
    assert fgw["by_category"] == {"research": 1, "dynamic": 20}
    assert fgw["quota"] == 20 and fgw["quota_met"] is True

    # Before the quarter ends, tier 2's open research duty is "pending".
    early = report(zwxx, "2019-04", now="2019-05-10T00:00:00+08:00")
    assert early["区审计局"]["research_met"] is True
    assert early["区退役军人事务局"]["research_met"] == "pending"

    # Importing the same ledger again writes nothing.
    again = zwxx("import", "items", str(ledger)).stdout
    assert "已导入过" in again
    items = json.loads(zwxx("items", "--json").stdout)
    assert len(items) == len(rows)
    first = items[0]
    assert first["source"] == "import" and first["received_at"].endswith("+08:00")
    assert set(first) >= {
        "id",
        "unit",
        "group",
        "category",
        "title",
        "chars",
        "over_limit",
        "counted",
        "solicited",
        "received_at",
        "source",
        "envelope_id",
        "attachment",
        "reason",
        "attribution",
    }


def test_bad_ledger_is_refused_whole_with_line_numbers(zwxx, workdir: Path) -> None:
    rows = ledger_rows("区发改委", "2019-04", 3)
    rows.append(["区不存在局", "某标题", "动态", "2019-04-02", "100", "否"])
    rows.append(["区民政局", "某标题", "动态", "2019-04-31", "abc", "也许"])
    ledger = write_csv(workdir / "bad.csv", rows)
    proc = zwxx("import", "items", str(ledger), check=False)
    assert proc.returncode == 2
    assert "第 5 行" in proc.stderr and "区不存在局" in proc.stderr
    assert "第 6 行" in proc.stderr and "收到时间" in proc.stderr and "字数" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert json.loads(zwxx("items", "--json").stdout) == []  # all or nothing


def test_month_report_table_in_chinese(zwxx, workdir: Path) -> None:
    ledger = write_csv(workdir / "l.csv", ledger_rows("口镇", "2019-04", 20, research=1, special=2))
    zwxx("import", "items", str(ledger))
    text = zwxx("report", "month", "2019-04").stdout
    assert "工业区、镇（街道）" in text and "第一数量级单位" in text and "第二数量级单位" in text
    assert "口镇" in text
    bad = zwxx("report", "month", "2019-13", check=False)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
