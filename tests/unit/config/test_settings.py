"""Settings: one Chinese line naming the file and the key for a bad value; the
environment over the file; secrets. The same refusals through the CLI (exit 2, nothing
written) are in tests/integration/test_config.py."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.unit.config.helpers import settings
from zwxx.config.settings import load_settings
from zwxx.errors import ConfigError


def assert_refused(tmp_path: Path, config: Path, *needles: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(config)
    message = info.value.message
    assert str(info.value) == message
    assert len([line for line in message.splitlines() if line.strip()]) == 1, message
    for needle in needles:
        assert needle in message
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
