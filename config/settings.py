"""Settings: one TOML file, every value overridable from the environment.

Precedence (highest first): environment variables ``ZWXX_<SECTION>__<KEY>`` (for example
``ZWXX_DATABASE__URL``), then the TOML file, then the defaults below. Secrets are never in
the file: a mailbox names the environment variable (``password_env``) or a secret file
(``password_file``) that holds its 授权码, and the secret is read only when connecting.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from zwxx.config.validation import read_toml, validation_error
from zwxx.errors import ConfigError

CONFIG_ENV = "ZWXX_CONFIG"
PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_ROSTER = PACKAGE_DIR / "units.toml"
DEFAULT_RULES = PACKAGE_DIR / "rules.toml"


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?\d[\d-]{5,19}$")  # mobile numbers, or landlines with an area code


def _jinja_syntax(template: str) -> str:
    import jinja2

    try:
        jinja2.Environment().parse(template)
    except jinja2.TemplateSyntaxError as exc:
        raise ValueError(f"模板语法错误：{exc.message}") from None
    return template


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


class _Secret(_Section):
    """A section with a secret: the name of an environment variable, or a secret file."""

    password_env: str = ""
    password_file: Path | None = None

    def secret(self) -> str | None:
        """The 授权码, token or key, read only when used; never logged."""
        if self.password_file is not None:
            try:
                return self.password_file.read_text(encoding="utf-8").strip()
            except OSError:
                return None
        if not self.password_env:
            return None
        return os.environ.get(self.password_env) or None


class MailboxSettings(_Secret):
    name: str = ""
    host: str
    port: int = Field(default=993, gt=0, le=65535)
    tls: bool = True
    username: str
    auth: Literal["password", "xoauth2"] = "password"
    password_env: str = "ZWXX_MAILBOX_PASSWORD"  # for xoauth2: the access token's variable
    # Folder names (Chinese works) or SPECIAL-USE flags such as "\\Junk".
    folders: list[str] = Field(default_factory=lambda: ["INBOX"])
    batch_size: int = Field(default=50, ge=1, le=1000)
    max_message_mb: float = Field(default=50, gt=0)
    timeout_seconds: float = Field(default=60, gt=0)
    # What to do with a message once recorded: nothing (default) or mark it read.
    after_recording: Literal["none", "mark_seen"] = "none"

    @property
    def key(self) -> str:
        """Identity in the records: the account, which stays when the display name changes."""
        return self.username.lower()


class DropFolderSettings(_Section):
    path: Path | None = None
    settle_seconds: float = Field(default=10.0, ge=0)


class StorageSettings(_Section):
    raw_dir: Path = Path("var/raw")
    # Files sent with notifications (the digest's .xlsx), kept so a retry sends the same.
    notify_dir: Path = Path("var/notify")


class ScheduleSettings(_Section):
    poll_minutes: float = Field(default=5, gt=0)
    # After this many failed polls in a row the interval doubles (up to max_backoff_minutes).
    backoff_after: int = Field(default=3, ge=1)
    max_backoff_minutes: float = Field(default=60, gt=0)
    # Notifications, in the office's timezone. Weekday: mon..sun; times HH:MM.
    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    weekly_time: str = "09:00"
    digest_day: int = Field(default=1, ge=1, le=28)  # day of the month of the monthly digest
    digest_time: str = "09:00"
    # A run missed while the service was down is done once on return within this window.
    grace_hours: float = Field(default=12, gt=0)
    # Failed sends are retried after retry_minutes, doubling up to max_backoff_minutes,
    # at most max_attempts times (the defaults keep trying for about a day).
    retry_minutes: float = Field(default=5, gt=0)
    max_attempts: int = Field(default=30, ge=1, le=200)

    @field_validator("weekly_time", "digest_time")
    @classmethod
    def _hhmm(cls, value: str) -> str:
        hour, _, minute = value.partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"“{value}”不是有效的时间，应写成 HH:MM，例如 09:00")
        return f"{int(hour):02d}:{int(minute):02d}"


class OfficeSettings(_Section):
    """Who the notifications come from (templates and the notice use these)."""

    name: str = "济南市莱芜区人民政府办公室"
    short_name: str = "区政府办公室"
    section: str = "信息科"
    signature: str = "莱芜区人民政府办公室信息科"
    phone: str = ""
    doc_prefix: str = "莱芜政办字"  # 发文字号 of the quarterly notice: 莱芜政办字〔2026〕N号
    # A folder of the office's own copies of the message templates (same file names as
    # notify/templates/); a template found there wins over the built-in one.
    templates: Path | None = None


class SmtpSettings(_Secret):
    host: str | None = None  # unset: e-mails go to the outbox folder
    port: int = Field(default=465, gt=0, le=65535)
    security: Literal["none", "starttls", "ssl"] = "ssl"
    username: str = ""
    password_env: str = "ZWXX_SMTP_PASSWORD"
    sender: str = ""  # "莱芜区政府办公室信息科 <lcqzwxx@163.com>"; default: username
    timeout_seconds: float = Field(default=30, gt=0)


class SmsSettings(_Secret):
    url: str | None = None  # unset: SMS texts go to the outbox folder
    method: Literal["POST", "GET"] = "POST"
    # Header values and the body are Jinja2 templates with phone, text, secret.
    headers: dict[str, str] = Field(default_factory=dict)
    body_template: str = '{"mobile": "{{ phone }}", "content": {{ text | tojson }}}'
    # Success: a 2xx status and, if set, this regular expression found in the response.
    success: str = ""
    password_env: str = "ZWXX_SMS_SECRET"
    max_chars: int = Field(default=201, ge=20, le=1000)  # longer texts are cut (201 = 3 segments)
    timeout_seconds: float = Field(default=15, gt=0)

    @field_validator("body_template")
    @classmethod
    def _template(cls, value: str) -> str:
        return _jinja_syntax(value)

    @field_validator("headers")
    @classmethod
    def _header_templates(cls, value: dict[str, str]) -> dict[str, str]:
        for template in value.values():
            _jinja_syntax(template)
        return value

    @field_validator("success")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"“{value}”不是有效的正则表达式（{exc}）") from None
        return value


class LeadersSettings(_Section):
    emails: list[str] = Field(default_factory=list)
    phones: list[str] = Field(default_factory=list)

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        for email in value:
            if not EMAIL.match(email):
                raise ValueError(f"“{email}”不是有效的邮箱地址")
        return value

    @field_validator("phones")
    @classmethod
    def _phones(cls, value: list[str]) -> list[str]:
        for phone in value:
            if not PHONE.match(phone):
                raise ValueError(f"“{phone}”不是有效的手机号码")
        return value


class OutboxSettings(_Section):
    path: Path = Path("var/outbox")


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
    office: OfficeSettings = Field(default_factory=OfficeSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    sms: SmsSettings = Field(default_factory=SmsSettings)
    leaders: LeadersSettings = Field(default_factory=LeadersSettings)
    outbox: OutboxSettings = Field(default_factory=OutboxSettings)
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


@overload
def _resolve(base: Path, value: Path) -> Path: ...
@overload
def _resolve(base: Path, value: Path | None) -> Path | None: ...
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
    settings.storage.raw_dir = _resolve(base, settings.storage.raw_dir)
    settings.roster.path = _resolve(base, settings.roster.path)
    settings.rules.path = _resolve(base, settings.rules.path)
    settings.outbox.path = _resolve(base, settings.outbox.path)
    settings.storage.notify_dir = _resolve(base, settings.storage.notify_dir)
    settings.office.templates = _resolve(base, settings.office.templates)
    if settings.office.templates is not None and not settings.office.templates.is_dir():
        raise ConfigError(
            f"配置错误：文件 {shown} 中“office.templates”指定的模板文件夹 "
            f"{settings.office.templates} 不存在"
        )
    for secret in (*settings.mailbox, settings.smtp, settings.sms):
        secret.password_file = _resolve(base, secret.password_file)
    return settings
