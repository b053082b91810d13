"""Bad settings, roster or rules: one Chinese line naming file and key, exit 2, no writes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_zwxx
from zwxx.config.roster import load_roster
from zwxx.config.rules import GROUP_KEYS, load_rules
from zwxx.config.settings import load_settings
from zwxx.errors import ConfigError

RULES = ROOT / "config" / "rules.toml"
UNITS = ROOT / "config" / "units.toml"


def settings(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "zwxx.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path}/db/zwxx.db"\n' + body, encoding="utf-8"
    )
    return path


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


def test_unknown_key_and_syntax_error(tmp_path: Path) -> None:
    assert_refused(tmp_path, settings(tmp_path, "[storage]\nraw_dri = 'x'\n"), "storage.raw_dri")
    assert_refused(tmp_path, settings(tmp_path, "[storage\nraw_dir = 'x'\n"), "第 3 行", "TOML")


def test_missing_settings_file(tmp_path: Path) -> None:
    assert_refused(tmp_path, tmp_path / "nope.toml", "找不到文件", "nope.toml")


def test_bad_timezone_and_mailbox(tmp_path: Path) -> None:
    assert_refused(tmp_path, settings(tmp_path, 'timezone = "Mars/Base"\n'), "timezone")
    cfg = settings(tmp_path, '[[mailbox]]\nhost = "imap.163.com"\nport = 99999\nusername = "a"\n')
    assert_refused(tmp_path, cfg, "mailbox[1].port", "不能大于 65535")


def test_malformed_roster(tmp_path: Path) -> None:
    roster = tmp_path / "units.toml"
    roster.write_text(
        UNITS.read_text(encoding="utf-8").replace('group = "tier2"', 'group = "tier3"', 1),
        encoding="utf-8",
    )
    cfg = settings(tmp_path, f'[roster]\npath = "{roster}"\n')
    assert_refused(tmp_path, cfg, "units.toml", "tier3", "group")


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
    rules = tmp_path / "rules.toml"
    text = RULES.read_text(encoding="utf-8")
    rules.write_text(text.replace("quota = 10", "quota = -1"), encoding="utf-8")
    cfg = settings(tmp_path, f'[rules]\npath = "{rules}"\n')
    assert_refused(tmp_path, cfg, "rules.toml", "groups.tier2.quota", "必须大于 0")
    rules.write_text(re.sub(r'(?m)^"jinan:special".*$', "", text), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"adoption.*jinan:special"):
        load_rules(rules)


def test_environment_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = settings(tmp_path, '[dropfolder]\npath = "drop"\n')
    monkeypatch.setenv("ZWXX_DROPFOLDER__SETTLE_SECONDS", "3")
    monkeypatch.setenv("ZWXX_DATABASE__URL", "sqlite:///elsewhere.db")
    loaded = load_settings(cfg)
    assert loaded.dropfolder.settle_seconds == 3
    assert loaded.dropfolder.path == tmp_path / "drop"  # relative to the settings file
    assert loaded.database.url == f"sqlite:///{tmp_path}/elsewhere.db"


def test_secret_from_environment_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = settings(tmp_path, '[[mailbox]]\nhost = "imap.163.com"\nusername = "lcqzwxx@163.com"\n')
    monkeypatch.setenv("ZWXX_MAILBOX_PASSWORD", "abcd1234")
    box = load_settings(cfg).mailbox[0]
    assert box.secret() == "abcd1234"
    assert "abcd1234" not in repr(box) and "abcd1234" not in box.model_dump_json()
    secret_file = tmp_path / "secret"
    secret_file.write_text("efgh5678\n", encoding="utf-8")
    os.chmod(secret_file, 0o600)
    box2 = box.model_copy(update={"password_file": secret_file})
    assert box2.secret() == "efgh5678"


def test_shipped_roster_and_rules_are_valid() -> None:
    rules = load_rules(RULES)
    roster = load_roster(UNITS, list(rules.groups))
    groups = [u.group for u in roster.units]
    assert (len(roster.units), groups.count("towns"), groups.count("tier1")) == (57, 16, 23)
    assert groups.count("tier2") == 18
    assert roster.find("区发改委").name == "区发展和改革委员会"
    assert roster.find("区人社局").name == "区人力资源和社会保障局"
    assert rules.groups["towns"].duty.special == 2


def test_usage_errors_are_chinese(tmp_path: Path) -> None:
    proc = run_zwxx("items", "--bogus", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "没有这个选项：--bogus。运行 zwxx items --help 查看用法。"
    missing = run_zwxx("report", "month", cwd=tmp_path)
    assert missing.returncode == 2 and "缺少参数" in missing.stderr
    helped = run_zwxx("report", "month", "--help", cwd=tmp_path)
    assert helped.returncode == 0 and "用法：" in helped.stdout and "显示本帮助" in helped.stdout
