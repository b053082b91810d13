"""The units roster and the scoring rules: the shipped files are valid, a malformed one
is refused with a Chinese message naming file and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.unit.config.helpers import RULES, UNITS, bad_quota_rules, bad_roster
from zwxx.config.roster import load_roster
from zwxx.config.rules import GROUP_KEYS, load_rules
from zwxx.errors import ConfigError


def test_malformed_roster(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_roster(bad_roster(tmp_path), list(load_rules(RULES).groups))
    for needle in ("units.toml", "tier3", "group"):
        assert needle in info.value.message


def test_roster_alias_owned_twice(tmp_path: Path) -> None:
    roster = tmp_path / "units.toml"
    roster.write_text(
        '[[unit]]\nname = "区民政局"\ngroup = "tier1"\naliases = ["民政"]\n'
        '[[unit]]\nname = "区司法局"\ngroup = "tier1"\naliases = ["民政"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="“民政”已属于“区民政局”"):
        load_roster(roster, GROUP_KEYS)


def test_malformed_rules(tmp_path: Path) -> None:
    rules = bad_quota_rules(tmp_path)
    with pytest.raises(ConfigError) as info:
        load_rules(rules)
    for needle in ("rules.toml", "groups.tier2.quota", "必须大于 0"):
        assert needle in info.value.message
    text = RULES.read_text(encoding="utf-8")
    rules.write_text(re.sub(r'(?m)^"jinan:special".*$', "", text), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"adoption.*jinan:special"):
        load_rules(rules)


def test_shipped_roster_and_rules_are_valid() -> None:
    rules = load_rules(RULES)
    roster = load_roster(UNITS, list(rules.groups))
    groups = [u.group for u in roster.units]
    assert (len(roster.units), groups.count("towns"), groups.count("tier1")) == (57, 16, 23)
    assert groups.count("tier2") == 18
    assert roster.find("区发改委").name == "区发展和改革委员会"
    assert roster.find("区人社局").name == "区人力资源和社会保障局"
    assert rules.groups["towns"].duty.special == 2
