"""Settings files for the config tests, shared by the unit tests and the CLI tests in
tests/integration/test_config.py."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import ROOT

RULES = ROOT / "config" / "rules.toml"
UNITS = ROOT / "config" / "units.toml"


def settings(tmp_path: Path, body: str) -> Path:
    """A zwxx.toml whose database would be under tmp_path/db (so "nothing written" shows)."""
    path = tmp_path / "zwxx.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/db/zwxx.db"\n' + body, encoding="utf-8"
    )
    return path


def bad_roster(tmp_path: Path) -> Path:
    """The shipped roster with one unit in a group that does not exist."""
    roster = tmp_path / "units.toml"
    roster.write_text(
        UNITS.read_text(encoding="utf-8").replace('group = "tier2"', 'group = "tier3"', 1),
        encoding="utf-8",
    )
    return roster


def bad_quota_rules(tmp_path: Path) -> Path:
    """The shipped rules with a negative quota."""
    rules = tmp_path / "rules.toml"
    text = RULES.read_text(encoding="utf-8")
    rules.write_text(text.replace("quota = 10", "quota = -1"), encoding="utf-8")
    return rules
