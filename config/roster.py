"""The roster of reporting units (报送单位名册) as validated data."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zwxx.config.settings import EMAIL, PHONE
from zwxx.config.validation import read_toml, validation_error
from zwxx.errors import ConfigError


class UnitEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=2)
    group: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    officer: str = ""
    officer_phone: str = ""
    head: str = ""
    head_phone: str = ""
    receipt: bool = False  # send a receipt (回执) for each item received from this unit

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for email in value:
            if not EMAIL.match(email):
                raise ValueError(f"“{email}”不是有效的邮箱地址")
        return tuple(e.lower() for e in value)

    @field_validator("officer_phone", "head_phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        value = value.strip()
        if value and not PHONE.match(value):
            raise ValueError(f"“{value}”不是有效的手机号码")
        return value

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class RosterFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit: list[UnitEntry]


class Roster:
    """Units by name, alias and e-mail address."""

    def __init__(self, units: list[UnitEntry]) -> None:
        self.units = units
        self.by_name = {u.name: u for u in units}
        self._lookup = {n: u for u in units for n in u.names}
        self.by_email = {e: u for u in units for e in u.emails}

    def find(self, name: str) -> UnitEntry | None:
        """A unit by its exact name or alias (surrounding whitespace ignored)."""
        return self._lookup.get(name.strip())

    def names_longest_first(self) -> list[tuple[str, UnitEntry]]:
        return sorted(self._lookup.items(), key=lambda kv: len(kv[0]), reverse=True)


def load_roster(path: Path, groups: tuple[str, ...] | list[str]) -> Roster:
    """Load and check the roster: known groups, names, aliases and e-mails unique."""
    data = read_toml(path)
    try:
        parsed = RosterFile.model_validate(data)
    except ValidationError as exc:
        raise validation_error(path, exc) from None
    owner: dict[str, str] = {}
    for index, unit in enumerate(parsed.unit, start=1):
        where = f"配置错误：文件 {path} 中“unit[{index}]”（{unit.name}）"
        if unit.name in owner:
            raise ConfigError(f"{where}与“{owner[unit.name]}”重名或与其简称相同")
        if unit.group not in groups:
            raise ConfigError(f"{where}的 group “{unit.group}”无效，只能取 {'、'.join(groups)}")
        for name in unit.names:
            if name in owner and owner[name] != unit.name:
                raise ConfigError(f"{where}的名称或简称“{name}”已属于“{owner[name]}”")
            owner[name] = unit.name
        for email in unit.emails:
            key = "@" + email
            if key in owner and owner[key] != unit.name:
                raise ConfigError(f"{where}的邮箱“{email}”已登记给“{owner[key]}”")
            owner[key] = unit.name
    return Roster(parsed.unit)
