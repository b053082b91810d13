"""Settings: one TOML file, every value overridable from the environment.

Precedence (highest first): environment variables ``ZWXX_<SECTION>__<KEY>`` (for example
``ZWXX_DATABASE__URL``), then the TOML file, then the defaults below. Secrets are never in
the file: a mailbox names the environment variable (``password_env``) or a secret file
(``password_file``) that holds its 授权码, and the secret is read only when connecting.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from config.validation import read_toml, validation_error
from zwxx.errors import ConfigError

CONFIG_ENV = "ZWXX_CONFIG"
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ROSTER = PACKAGE_DIR / "units.toml"
DEFAULT_RULES = PACKAGE_DIR / "rules.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseSettings(_Section):
    url: str = "sqlite:///var/zwxx.db"

    @field_validator("url")
    @classmethod
    def _known_driver(cls, value: str) -> str:
        if not value.startswith(("sqlite://", "postgresql")):
            raise ValueError("只支持 sqlite:/// 或 postgresql+psycopg:// 开头的数据库地址")
        return value


class MailboxSettings(_Section):
    name: str = ""
    host: str
    port: int = Field(993, gt=0, le=65535)
    tls: bool = True
    username: str
    auth: Literal["password", "xoauth2"] = "password"
    password_env: str = "ZWXX_MAILBOX_PASSWORD"  # for xoauth2: the access token's variable
    password_file: Path | None = None
    # Folder names (Chinese works) or SPECIAL-USE flags such as "\\Junk".
    folders: list[str] = Field(default_factory=lambda: ["INBOX"])
    batch_size: int = Field(50, ge=1, le=1000)
    max_message_mb: float = Field(50, gt=0)
    timeout_seconds: float = Field(60, gt=0)
    # What to do with a message once recorded: nothing (default) or mark it read.
    after_recording: Literal["none", "mark_seen"] = "none"

    @property
    def key(self) -> str:
        """Identity in the records: the account, which stays when the display name changes."""
        return self.username.lower()

    def secret(self) -> str | None:
        """The 授权码 (or OAuth2 token), read only when connecting; never logged."""
        if self.password_file is not None:
            try:
                return self.password_file.read_text(encoding="utf-8").strip()
            except OSError:
                return None
        return os.environ.get(self.password_env) or None


class DropFolderSettings(_Section):
    path: Path | None = None
    settle_seconds: float = Field(10.0, ge=0)


class StorageSettings(_Section):
    raw_dir: Path = Path("var/raw")


class ScheduleSettings(_Section):
    poll_minutes: float = Field(5, gt=0)
    # After this many failed polls in a row the interval doubles (up to max_backoff_minutes).
    backoff_after: int = Field(3, ge=1)
    max_backoff_minutes: float = Field(60, gt=0)


class FileSetting(_Section):
    path: Path | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ZWXX_", env_nested_delimiter="__", extra="forbid", case_sensitive=False
    )

    timezone: str = "Asia/Shanghai"
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    mailbox: list[MailboxSettings] = Field(default_factory=list)
    dropfolder: DropFolderSettings = Field(default_factory=DropFolderSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    schedule: ScheduleSettings = Field(default_factory=ScheduleSettings)
    roster: FileSetting = Field(default_factory=FileSetting)
    rules: FileSetting = Field(default_factory=FileSetting)
    # Where this came from, for messages; not a setting.
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"“{value}”不是有效的时区名，例如 Asia/Shanghai") from None
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The TOML file arrives as init kwargs; the environment must override it.
        return (env_settings, init_settings)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def roster_path(self) -> Path:
        return self.roster.path or DEFAULT_ROSTER

    @property
    def rules_path(self) -> Path:
        return self.rules.path or DEFAULT_RULES


def _resolve(base: Path, value: Path | None) -> Path | None:
    if value is None:
        return None
    value = value.expanduser()
    return value if value.is_absolute() else base / value


def _resolve_sqlite(base: Path, url: str) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(base / url[len(prefix) :])
    return url


def load_settings(path: Path | str | None = None) -> Settings:
    """Load settings from ``path`` (or $ZWXX_CONFIG, or defaults only).

    Relative paths in a settings file are taken relative to that file's folder, so the
    service behaves the same whatever directory it is started from.
    """
    if path is None and os.environ.get(CONFIG_ENV):
        path = os.environ[CONFIG_ENV]
    data: dict[str, Any] = {}
    base = Path.cwd()
    shown: object = "（环境变量）"
    if path is not None:
        path = Path(path)
        data = read_toml(path)
        base = path.resolve().parent
        shown = path
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        raise validation_error(shown, exc) from None
    except ValueError as exc:  # pydantic-settings: an env value that is not valid JSON
        raise ConfigError(f"配置错误：环境变量取值无效：{exc}") from None
    settings.source = path
    settings.database.url = _resolve_sqlite(base, settings.database.url)
    settings.dropfolder.path = _resolve(base, settings.dropfolder.path)
    settings.storage.raw_dir = _resolve(base, settings.storage.raw_dir)  # type: ignore[assignment]
    settings.roster.path = _resolve(base, settings.roster.path)
    settings.rules.path = _resolve(base, settings.rules.path)
    for box in settings.mailbox:
        box.password_file = _resolve(base, box.password_file)
    return settings
