"""``import items`` (a ledger of past items) and ``import events`` (scoring events), both
from CSV files (wiring only)."""

from __future__ import annotations

from pathlib import Path

import click

from zwxx.cli.common import Group, out, state, whoami
from zwxx.cli.scoring import TYPE_LABELS, by_option
from zwxx.errors import InputError
from zwxx.records.db import session_scope


@click.group("import", cls=Group, help="导入历史数据")
def import_app() -> None:
    pass


@import_app.command(
    "items",
    help="从台账 CSV（UTF-8 或 GBK）导入历史信息。"
    "列：unit,title,category,received_at,chars,solicited",
)
@click.argument("file", metavar="台账.csv", type=click.Path(path_type=Path))
def import_items(file: Path) -> None:
    from zwxx.records.ledger import import_ledger

    a = state.app()
    if not file.is_file():
        raise InputError(f"找不到文件 {file}")
    with session_scope(a.engine) as session:
        count = import_ledger(session, file, a.roster, a.rules, a.tz, a.settings.storage.raw_dir)
    if count is None:
        out.print(f"{file.name} 此前已导入过，本次未重复导入。")
    else:
        out.print(f"已从 {file.name} 导入 {count} 条信息。")


@import_app.command(
    "events",
    help="从 CSV（UTF-8 或 GBK）导入采用、批示、加分、减分和情况说明，全部无误才导入。"
    "列：type,item_id,unit,title,date,publication,form,level,composite,kind,count,note",
)
@click.argument("file", metavar="事件.csv", type=click.Path(path_type=Path))
@by_option
def import_events_cmd(file: Path, recorded_by: str | None) -> None:
    from zwxx.records.events import import_events

    a = state.app()
    if not file.is_file():
        raise InputError(f"找不到文件 {file}")
    with session_scope(a.engine) as session:
        done = import_events(session, file, a.roster, a.rules, recorded_by or whoami())
    if done is None:
        out.print(f"{file.name} 此前已导入过，本次未重复导入。")
        return
    parts = "，".join(f"{TYPE_LABELS[k]} {n} 条" for k, n in done.items())
    out.print(f"已从 {file.name} 导入 {sum(done.values())} 条事件（{parts}）。")


COMMANDS = (import_app,)
