"""`zwxx demo` — the embedded default — runs end to end and never counts twice."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import run_zwxx


def test_demo_twice(tmp_path: Path) -> None:
    first = run_zwxx("demo", "--dir", str(tmp_path / "demo"), cwd=tmp_path, check=True)
    assert "2026年10月" in first.stdout and "第一数量级单位" in first.stdout
    counted = int(re.search(r"新计数 (\d+) 条", first.stdout).group(1))
    assert counted >= 20
    second = run_zwxx("demo", "--dir", str(tmp_path / "demo"), cwd=tmp_path, check=True)
    assert "新计数 0 条" in second.stdout
    cfg = str(tmp_path / "demo" / "demo.toml")
    items = json.loads(run_zwxx("--config", cfg, "items", "--json", cwd=tmp_path).stdout)
    assert sum(1 for i in items if i["counted"]) == counted
    assert any(i["over_limit"] for i in items)  # the 563-字 动态 item is flagged
    assert any(i["status"] == "review" for i in items)  # the QQ sender naming no unit
    drop = tmp_path / "demo" / "drop"
    left = [p for p in drop.rglob("*") if p.is_file() and "archive" not in p.parts]
    assert left == []
