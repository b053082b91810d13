"""A rules file with a missing or wrong value is refused at start-up, naming it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from zwxx.config.rules import load_rules
from zwxx.errors import ConfigError

RULES = Path(__file__).resolve().parents[3] / "config" / "rules.toml"


@pytest.mark.parametrize(
    ("pattern", "replacement", "named"),
    [
        (r'(?m)^adoption = "highest"$', 'adoption = "most"', "combine.adoption"),
        (r'(?m)^instruction = "highest"\n', "", "combine"),
        (r"(?m)^idle_months_named = 1", "idle_months_named = 3", "idle_months_named"),
        (r"(?m)^top_people_min = 10", "top_people_min = 30", "top_people_min"),
        (r"(?m)^floor = 0", 'floor = "零"', "quarter.floor"),
        (r"(?m)^stars = 4", "stars = 5", "instructions.state.stars"),
        (r'(?m)^"state:composite" = 40', '"state:composite" = -40', "adoption"),
        (r"(?m)^\[bonuses.joint_research\]", "[bonuses.joint]", "bonuses"),
    ],
)
def test_bad_rules_refused(tmp_path: Path, pattern: str, replacement: str, named: str) -> None:
    text = RULES.read_text(encoding="utf-8")
    changed, n = re.subn(pattern, replacement, text, count=1)
    assert n == 1, pattern
    bad = tmp_path / "rules.toml"
    bad.write_text(changed, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_rules(bad)
    assert "rules.toml" in exc.value.message and named in exc.value.message
    assert re.search(r"[\u4e00-\u9fff]", exc.value.message)


def test_shipped_rules_hold_every_number() -> None:
    rules = load_rules(RULES)
    assert rules.combine.adoption == rules.combine.instruction == "highest"
    assert rules.quarter.floor == 0
    assert [rules.instructions[k].stars for k in ("state", "province", "city", "district")] == [
        4,
        3,
        2,
        1,
    ]
    assert {k for k, b in rules.bonuses.items() if b.yearly} == {"staff", "system"}
