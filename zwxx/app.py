"""Start-up: settings, rules, roster, database — validated in that order."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from zwxx.config.roster import Roster, load_roster
from zwxx.config.rules import Rules, load_rules
from zwxx.config.settings import Settings, load_settings
from zwxx.errors import SourceUnavailable
from zwxx.ingest.dropfolder import DropFolder
from zwxx.ingest.imap import ImapSource
from zwxx.pipeline import Job
from zwxx.records import store
from zwxx.records.db import make_engine, process_lock, session_scope, upgrade
from zwxx.types import Source


@dataclass
class App:
    settings: Settings
    rules: Rules
    roster: Roster
    engine: Engine

    @property
    def tz(self):
        return self.settings.tz

    def job(self) -> Job:
        return Job(self.engine, self.roster, self.rules, self.settings.storage.raw_dir, tz=self.tz)

    def sources(self) -> list[Source]:
        out: list[Source] = []
        drop = self.settings.dropfolder
        if drop.path is not None:
            out.append(DropFolder(drop.path, self.tz, drop.settle_seconds))
        out.extend(ImapSource(box, self.engine) for box in self.settings.mailbox)
        return out


def load_app(config: Path | str | None = None) -> App:
    """Everything a command needs; raises ConfigError before touching any data."""
    settings = load_settings(config)
    rules = load_rules(settings.rules_path)
    roster = load_roster(settings.roster_path, list(rules.groups))
    engine = make_engine(settings.database.url)
    try:
        with process_lock(engine, "startup"):  # two processes starting at once must not race
            upgrade(engine)
            with session_scope(engine) as session:
                store.sync_roster(session, roster)
    except (sa.exc.OperationalError, sa.exc.InterfaceError, OSError) as exc:
        shown = engine.url.render_as_string(hide_password=True)
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        raise SourceUnavailable(
            f"无法连接或打开数据库 {shown}（{detail}）：请检查 [database] url、数据库服务和目录权限"
        ) from None
    return App(settings, rules, roster, engine)
