"""Bad settings, roster or rules through the CLI: one Chinese line naming file and key,
exit 2, no writes. The messages for each kind of mistake are unit tests in
tests/unit/config/; here is the wiring, once per file the CLI loads."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_zwxx
from tests.unit.config.helpers import bad_quota_rules, bad_roster, settings


def assert_refused(tmp_path: Path, config: Path, *needles: str) -> None:
    proc = run_zwxx("--config", str(config), "items", "--json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr  # one line, no traceback
    for needle in needles:
        assert needle in lines[0]
    assert proc.stdout == ""
    assert not (tmp_path / "db").exists()  # nothing written


def test_bad_value_names_file_and_key(tmp_path: Path) -> None:
    cfg = settings(tmp_path, '[dropfolder]\nsettle_seconds = "十秒"\n')
    assert_refused(tmp_path, cfg, "zwxx.toml", "dropfolder.settle_seconds", "应为数字")


def test_missing_settings_file(tmp_path: Path) -> None:
    assert_refused(tmp_path, tmp_path / "nope.toml", "找不到文件", "nope.toml")


def test_malformed_roster(tmp_path: Path) -> None:
    cfg = settings(tmp_path, f'[roster]\npath = "{bad_roster(tmp_path)}"\n')
    assert_refused(tmp_path, cfg, "units.toml", "tier3", "group")


def test_malformed_rules(tmp_path: Path) -> None:
    cfg = settings(tmp_path, f'[rules]\npath = "{bad_quota_rules(tmp_path)}"\n')
    assert_refused(tmp_path, cfg, "rules.toml", "groups.tier2.quota", "必须大于 0")


def test_usage_errors_are_chinese(tmp_path: Path) -> None:
    proc = run_zwxx("items", "--bogus", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "没有这个选项：--bogus。运行 zwxx items --help 查看用法。"
    missing = run_zwxx("report", "month", cwd=tmp_path)
    assert missing.returncode == 2 and "缺少参数" in missing.stderr
    helped = run_zwxx("report", "month", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "用法：" in helped.stdout and "显示本帮助" in helped.stdout
