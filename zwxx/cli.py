"""Command line: wiring only. Every message the office reads is Chinese."""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from records.models import Envelope, Item, Unit
from scoring.month import MonthResult
from scoring.periods import Month
from zwxx.app import App, load_app
from zwxx.errors import InputError, ZwxxError
from zwxx.pipeline import Summary, poll

app = typer.Typer(
    help="莱芜区政务信息报送自动统计系统（zwxx）",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
report_app = typer.Typer(help="报表", no_args_is_help=True)
import_app = typer.Typer(help="导入历史数据", no_args_is_help=True)
app.add_typer(report_app, name="report")
app.add_typer(import_app, name="import")

# Piped output (make demo, logs) gets room for the wide Chinese tables.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
out = Console(highlight=False, width=_WIDTH)
err = Console(stderr=True, highlight=False, soft_wrap=True)

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", "-c", help="设置文件（TOML）；也可用环境变量 ZWXX_CONFIG")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="输出 JSON（键名为英文）")]


class State:
    config: Path | None = None
    _app: App | None = None

    def app(self) -> App:
        if self._app is None:
            self._app = load_app(self.config)
        return self._app


state = State()


@app.callback()
def _root(
    config: ConfigOpt = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="输出详细日志（英文）")] = False,
) -> None:
    state.config = config
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def _iso(moment: datetime | None, a: App) -> str | None:
    return moment.astimezone(a.tz).isoformat() if moment else None


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ------------------------------------------------------------------------------- poll
def summary_line(s: Summary) -> str:
    counted = s.items.get("counted", 0)
    parts = [f"本次处理 {s.envelopes} 件", f"新计数 {counted} 条"]
    for key, label in (
        ("review", "待人工确认"),
        ("duplicate", "重复报送"),
        ("failed", "无法读取的附件"),
    ):
        if s.items.get(key):
            parts.append(f"{label} {s.items[key]} 条")
    if s.failed:
        parts.append(f"无法读取 {s.failed} 件")
    if s.ignored:
        parts.append(f"非报送信息 {s.ignored} 件")
    if s.seen_before:
        parts.append(f"此前已处理 {s.seen_before} 件（未重复计数）")
    return "，".join(parts) + "。"


def run_poll(a: App) -> Summary:
    sources = a.sources()
    if not sources:
        raise InputError("未配置任何来源：请在设置文件中填写 [dropfolder] path 或 [[mailbox]]")
    done = 0

    def progress(name: str) -> None:
        nonlocal done
        done += 1
        err.print(f"已处理 {done} 件：{name}")

    summary = poll(a.job(), sources, progress)
    for source in sources:
        for problem in getattr(source, "problems", []):
            err.print(f"[注意] {problem}")
    return summary


@app.command("poll", help="检查所有来源（OA 投递文件夹、邮箱）一遍，登记新收到的信息")
def poll_cmd() -> None:
    a = state.app()
    out.print(summary_line(run_poll(a)))


# ------------------------------------------------------------------------------- items
def _month_range(month: str | None, a: App) -> tuple[datetime, datetime] | None:
    if month is None:
        return None
    try:
        m = Month.parse(month)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return m.start(a.tz), m.end(a.tz)


def _unit_id(session: Session, a: App, name: str | None) -> int | None:
    if name is None:
        return None
    entry = a.roster.find(name)
    if entry is None:
        raise InputError(f"单位“{name}”不在名册中，请核对名称或简称")
    return session.exec(select(Unit.id).where(Unit.name == entry.name)).one()


def item_json(item: Item, unit: Unit | None, envelope: Envelope | None, a: App) -> dict:
    return {
        "id": item.id,
        "unit": unit.name if unit else None,
        "group": unit.group if unit else None,
        "category": item.category,
        "title": item.title,
        "chars": item.chars,
        "over_limit": item.over_limit,
        "counted": item.counted,
        "status": item.status,
        "solicited": item.solicited,
        "received_at": _iso(item.received_at, a),
        "source": envelope.source if envelope else "import",
        "envelope_id": item.envelope_id,
        "attachment": item.attachment,
        "reason": item.reason,
        "category_reason": item.category_reason,
        "attribution": item.attribution,
        "author": item.author,
    }


_STATUS_LABEL = {
    "counted": "已计数",
    "review": "待确认",
    "duplicate": "重复",
    "ignored": "不计",
    "failed": "无法读取",
}


@app.command("items", help="列出已登记的信息（条）")
def items_cmd(
    month: Annotated[str | None, typer.Option("--month", help="月份 YYYY-MM")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="单位名称或简称")] = None,
    as_json: JsonOpt = False,
) -> None:
    a = state.app()
    with Session(a.engine) as session:
        query = (
            select(Item, Unit, Envelope)
            .join(Unit, col(Unit.id) == Item.unit_id, isouter=True)
            .join(Envelope, col(Envelope.id) == Item.envelope_id, isouter=True)
        )
        span = _month_range(month, a)
        if span:
            query = query.where(Item.received_at >= span[0], Item.received_at < span[1])
        unit_id = _unit_id(session, a, unit)
        if unit_id is not None:
            query = query.where(Item.unit_id == unit_id)
        rows = session.exec(query.order_by(col(Item.received_at), col(Item.id))).all()
    if as_json:
        _dump([item_json(i, u, e, a) for i, u, e in rows])
        return
    table = Table(title=f"信息列表（共 {len(rows)} 条）")
    for head in ("编号", "收到时间", "单位", "分类", "字数", "状态", "标题", "说明"):
        table.add_column(head)
    for i, u, _e in rows:
        note = i.reason + ("（超字数）" if i.over_limit and "超过" not in i.reason else "")
        table.add_row(
            str(i.id),
            i.received_at.astimezone(a.tz).strftime("%m-%d %H:%M"),
            u.name if u else "（未确定）",
            a.rules.category_label(i.category),
            str(i.chars),
            _STATUS_LABEL.get(i.status, i.status),
            i.title,
            note,
        )
    out.print(table)


@app.command("envelopes", help="列出收到的每一封邮件或每一个文件及其处理结果")
def envelopes_cmd(as_json: JsonOpt = False) -> None:
    a = state.app()
    with Session(a.engine) as session:
        rows = session.exec(select(Envelope).order_by(col(Envelope.id))).all()
    data = []
    for e in rows:
        entry = {
            "id": e.id,
            "source": e.source,
            "status": e.status,
            "reason": e.reason,
            "message_id": e.message_id,
            "sender": e.sender,
            "subject": e.subject,
            "received_at": _iso(e.received_at, a),
            "sha256": e.sha256,
        }
        if e.source == "imap":
            entry |= {
                "mailbox": e.mailbox,
                "folder": e.folder,
                "uidvalidity": e.uidvalidity,
                "uid": e.uid,
            }
        else:
            entry["path"] = e.path
        data.append(entry)
    if as_json:
        _dump(data)
        return
    labels = {"new": "新", "parsed": "已解析", "ignored": "不计", "failed": "失败"}
    table = Table(title=f"收件记录（共 {len(rows)} 件）")
    for head in ("编号", "来源", "收到时间", "发件人/文件", "主题", "状态", "原因"):
        table.add_column(head)
    for e in rows:
        table.add_row(
            str(e.id),
            {"dropfolder": "OA", "imap": "邮箱", "import": "台账"}.get(e.source, e.source),
            e.received_at.astimezone(a.tz).strftime("%Y-%m-%d %H:%M"),
            e.sender or e.path or "",
            e.subject or "",
            labels.get(e.status, e.status),
            e.reason or "",
        )
    out.print(table)


# ------------------------------------------------------------------------------- report
def month_json(r: MonthResult) -> dict:
    return {
        "unit": r.unit,
        "group": r.group,
        "month": str(r.month),
        "items": r.items,
        "quota_items": r.quota_items,
        "by_category": r.by_category,
        "quota": r.quota,
        "quota_met": r.quota_met,
        "research_met": r.research_met,
        "base_score": r.base_score,
        "duty_score": r.duty_score,
        "shortfall_deduction": r.shortfall_deduction,
        "task_score": r.task_score,
    }


def print_month(a: App, month: Month, results: list[MonthResult]) -> None:
    met = {True: "是", False: "否", "pending": "待季末"}
    cats = list(a.rules.categories)
    for key, group in a.rules.groups.items():
        rows = [r for r in results if r.group == key]
        duty = group.duty
        need = f"调研 {duty.research} 篇" + (f"、专报 {duty.special} 篇" if duty.special else "")
        per = "每月" if duty.period == "month" else "每季度"
        table = Table(
            box=box.SIMPLE_HEAD,
            title=f"{month.year}年{month.month}月 {group.label}"
            f"（任务 {group.quota} 条/月，{per}{need}）",
        )
        table.add_column("单位", no_wrap=True)
        table.add_column("条数", justify="right")
        for c in cats:
            table.add_column(a.rules.categories[c].short, justify="right")
        for head in ("完成条数", "完成调研", "扣分", "任务得分"):
            table.add_column(head, justify="right")
        for r in rows:
            table.add_row(
                r.unit,
                str(r.items),
                *(str(r.by_category.get(c, 0) or "") for c in cats),
                met[r.quota_met],
                met[r.research_met],
                str(r.shortfall_deduction) if r.shortfall_deduction else "",
                str(r.task_score),
            )
        out.print(table)
    short = sum(1 for r in results if not r.quota_met)
    idle = [r.unit for r in results if r.items == 0]
    out.print(f"共 {len(results)} 个单位，{short} 个未完成条数任务，{len(idle)} 个本月无信息。")


@report_app.command("month", help="月度报送任务计分（每个单位，含无信息的单位）")
def report_month(
    month: Annotated[str, typer.Argument(help="月份 YYYY-MM")],
    as_json: JsonOpt = False,
    now: Annotated[
        str | None, typer.Option("--now", help="按此时刻计算（ISO 时间，测试用）")
    ] = None,
) -> None:
    from zwxx.reports import month_report

    a = state.app()
    try:
        m = Month.parse(month)
        moment = datetime.fromisoformat(now) if now else datetime.now(a.tz)
    except ValueError as exc:
        raise InputError(str(exc) if "月份" in str(exc) else f"时间“{now}”无效") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=a.tz)
    with Session(a.engine) as session:
        results = month_report(session, a.roster, a.rules, m, moment, a.tz)
    if as_json:
        _dump([month_json(r) for r in results])
    else:
        print_month(a, m, results)


# ------------------------------------------------------------------------------- import
@import_app.command(
    "items", help="从台账 CSV 导入历史信息（列：unit,title,category,received_at,chars,solicited）"
)
def import_items(file: Annotated[Path, typer.Argument(help="CSV 文件（UTF-8 或 GBK）")]) -> None:
    from ingest.ledger import import_ledger
    from records.db import session_scope

    a = state.app()
    if not file.is_file():
        raise InputError(f"找不到文件 {file}")
    with session_scope(a.engine) as session:
        count = import_ledger(session, file, a.roster, a.rules, a.tz, a.settings.storage.raw_dir)
    if count is None:
        out.print(f"{file.name} 此前已导入过，本次未重复导入。")
    else:
        out.print(f"已从 {file.name} 导入 {count} 条信息。")


# ------------------------------------------------------------------------------- demo
@app.command("demo", help="用内置样例数据演示：生成 OA 投递文件、登记、输出月报")
def demo_cmd(
    folder: Annotated[Path, typer.Option("--dir", help="演示数据目录")] = Path("var/demo"),
) -> None:
    from zwxx.demo import DEMO_MONTH, demo_settings, materialize

    os.environ["ZWXX_CONFIG"] = str(demo_settings(folder))
    state.config, state._app = None, None
    a = state.app()
    written = materialize(a.settings.dropfolder.path, a.tz)
    out.print(
        f"已在 {a.settings.dropfolder.path} 生成 {written} 个样例文件（模拟 OA 投递和邮件）。"
    )
    out.print(summary_line(run_poll(a)))
    report_month(DEMO_MONTH, as_json=False, now=None)


def main() -> None:
    """Console entry: Chinese one-line errors, exit 2 for bad input, 3 for sources."""
    try:
        app()
    except ZwxxError as exc:
        err.print(exc.message)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err.print("已中断。")
        sys.exit(130)
    except Exception as exc:  # a bug: say so in Chinese, keep the detail for developers
        if os.environ.get("ZWXX_DEBUG"):
            raise
        err.print(f"内部错误（{type(exc).__name__}: {exc}）。设置 ZWXX_DEBUG=1 可查看详细信息。")
        sys.exit(1)
