"""What every command module of the CLI shares; imports nothing of ``zwxx.cli``.

The Chinese help screens (formatter, context, command and group classes), the options
several commands take (``--json``, ``--now``), the consoles, the lazily loaded application
and the small parsers that turn bad input into a Chinese :class:`InputError`. Command
modules import this module; the root module (``zwxx.cli``) imports the command modules.
"""

from __future__ import annotations

import getpass
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import click
from rich.console import Console

from zwxx.app import App, load_app
from zwxx.config.roster import UnitEntry
from zwxx.errors import InputError
from zwxx.scoring.periods import Month
from zwxx.scoring.quarter import Period


# ------------------------------------------------------------------------------- help
class ChineseHelp(click.HelpFormatter):
    """Click's help screens with Chinese headings."""

    _HEADINGS: ClassVar[dict[str, str]] = {
        "Options": "选项",
        "Commands": "命令",
        "Arguments": "参数",
    }

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        args = args.replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self._HEADINGS.get(heading, heading))


class Context(click.Context):
    formatter_class = ChineseHelp


class Command(click.Command):
    """Every command of zwxx: ``@click.command(..., cls=Command)``."""

    context_class = Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option


class Group(Command, click.Group):
    """Every command group of zwxx: ``@click.group(..., cls=Group)``."""

    command_class = Command
    group_class = type  # subgroups are Group too


class RequiredOption(click.Option):
    """Click's "[required]" help marker, said in Chinese."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return record and (record[0], record[1].replace("[required]", "[必填]"))


# The root group's context settings; subcommands inherit them from the parent context.
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON（键名为英文）")
now_option = click.option("--now", metavar="时间", help="按此时刻计算（ISO 时间，默认为当前时间）")

# ------------------------------------------------------------------------------- output
# Piped output (make demo, logs) gets room for the wide Chinese tables.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
# markup=False: file names and titles such as "[2]" or "[/x]" are text, not styles.
out = Console(highlight=False, markup=False, width=_WIDTH)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


def dump(data: Any) -> None:
    """``--json`` output: UTF-8 text, indented, keys in English."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def iso(moment: datetime | None, a: App) -> str | None:
    """A stored time as ISO text in the office's timezone (``None`` stays ``None``)."""
    return moment.astimezone(a.tz).isoformat() if moment else None


# ------------------------------------------------------------------------------- state
class State:
    """The ``--config`` the root group received, and the application loaded from it on
    first use (so ``--help`` and usage errors never touch settings or the database)."""

    config: Path | None = None
    _app: App | None = None

    def app(self) -> App:
        if self._app is None:
            self._app = load_app(self.config)
        return self._app


state = State()


# ------------------------------------------------------------------------------- input
def parse_now(now: str | None, a: App) -> datetime:
    """``--now`` (naive times are the office's timezone), or the current time."""
    try:
        moment = datetime.fromisoformat(now) if now else datetime.now(a.tz)
    except ValueError:
        raise InputError(f"时间“{now}”无效（应为 ISO 时间，例如 2019-07-15T09:00）") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=a.tz)


def parse_month(text: str) -> Month:
    """``YYYY-MM``, or a Chinese input error."""
    try:
        return Month.parse(text)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def parse_period(text: str, quarter: bool) -> Period:
    """``YYYYQn`` (``quarter``) or ``YYYY``, or a Chinese input error."""
    try:
        return Period.parse(text, quarter=quarter)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def roster_unit(a: App, name: str) -> UnitEntry:
    """A unit of the roster by name or alias, or a Chinese input error."""
    entry = a.roster.find(name)
    if entry is None:
        raise InputError(f"单位“{name}”不在名册中，请核对名称或简称")
    return entry


def whoami() -> str:
    """Who records or decides: ``ZWXX_USER``, else the login name, else nobody."""
    try:
        return os.environ.get("ZWXX_USER") or getpass.getuser()
    except Exception:  # no login name in some containers: record nobody rather than fail
        return ""
