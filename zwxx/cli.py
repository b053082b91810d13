"""Command line: wiring only. Every message the office reads is Chinese."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import click
from rich import box
from rich.console import Console
from rich.table import Table
from sqlmodel import Session, col, select

from zwxx.app import App, load_app
from zwxx.config.roster import UnitEntry
from zwxx.errors import InputError, SourceUnavailable, ZwxxError
from zwxx.pipeline import Summary, poll
from zwxx.records.models import Envelope, Item, Unit
from zwxx.scoring.month import MonthResult
from zwxx.scoring.periods import Month


class _ChineseHelp(click.HelpFormatter):
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


class _Context(click.Context):
    formatter_class = _ChineseHelp


class _Command(click.Command):
    context_class = _Context

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = "显示本帮助并退出"
        return option


class _Group(_Command, click.Group):
    command_class = _Command
    group_class = type  # subgroups are _Group too


CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(cls=_Group, context_settings=CONTEXT, help="莱芜区政务信息报送自动统计系统（zwxx）")
@click.option(
    "--config",
    "-c",
    type=click.Path(path_type=Path),
    metavar="文件",
    default=None,
    help="设置文件（TOML）；也可用环境变量 ZWXX_CONFIG",
)
@click.option("--verbose", "-v", is_flag=True, help="输出详细日志（英文）")
def app(config: Path | None, verbose: bool) -> None:
    state.config = config
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


@app.group("report", help="报表")
def report_app() -> None:
    pass


@app.group("import", help="导入历史数据")
def import_app() -> None:
    pass


json_option = click.option("--json", "as_json", is_flag=True, help="输出 JSON（键名为英文）")
now_option = click.option("--now", metavar="时间", help="按此时刻计算（ISO 时间，默认为当前时间）")


def parse_now(now: str | None, a: App) -> datetime:
    """``--now`` (naive times are the office's timezone), or the current time."""
    try:
        moment = datetime.fromisoformat(now) if now else datetime.now(a.tz)
    except ValueError:
        raise InputError(f"时间“{now}”无效（应为 ISO 时间，例如 2019-07-15T09:00）") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=a.tz)


# Piped output (make demo, logs) gets room for the wide Chinese tables.
_WIDTH = None if sys.stdout.isatty() or os.environ.get("COLUMNS") else 160
# markup=False: file names and titles such as "[2]" or "[/x]" are text, not styles.
out = Console(highlight=False, markup=False, width=_WIDTH)
err = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)


class State:
    config: Path | None = None
    _app: App | None = None

    def app(self) -> App:
        if self._app is None:
            self._app = load_app(self.config)
        return self._app


state = State()


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


def _sources(a: App) -> list:
    sources = a.sources()
    if not sources:
        raise InputError("未配置任何来源：请在设置文件中填写 [dropfolder] path 或 [[mailbox]]")
    return sources


def run_poll(a: App, report: Callable[[str], None], progress: bool = True) -> Summary:
    """One pass over every source; ``report`` receives the sources' notes (Chinese)."""
    sources = _sources(a)
    done = 0

    def show(name: str) -> None:
        nonlocal done
        done += 1
        err.print(f"已处理 {done} 件：{name}")

    summary = poll(a.job(), sources, show if progress else None)
    for source in sources:
        for problem in getattr(source, "problems", []):
            report(problem)
    return summary


def _print_problem(problem: str) -> None:
    err.print(f"[注意] {problem}")


@app.command("poll", help="检查所有来源（OA 投递文件夹、邮箱）一遍，登记新收到的信息")
def poll_cmd() -> None:
    a = state.app()
    summary = run_poll(a, _print_problem)
    out.print(summary_line(summary))
    if summary.errors:
        raise SourceUnavailable("；".join(summary.errors))


@app.command(
    "run",
    help="常驻运行：按设置的间隔（[schedule] poll_minutes，默认 5 分钟）自动收取，"
    "并按时发送回执、每周催报和月度报告",
)
def run_cmd() -> None:
    from zwxx import notifications
    from zwxx.scheduler import run, timed_jobs

    a = state.app()
    _sources(a)
    logging.getLogger("zwxx").setLevel(logging.INFO)
    logging.getLogger().setLevel(min(logging.getLogger().level, logging.INFO))
    notes = logging.getLogger("zwxx.run")

    def weekly(now: datetime) -> None:
        run_ = notifications.weekly(a, now)
        notes.info("weekly reminders: %s", run_.delivery.summary())

    def digest(now: datetime) -> None:
        run_, _ = notifications.digest(a, notifications.previous_month(now, a), now)
        notes.info("monthly digest: %s", run_.delivery.summary())

    def after_poll() -> None:
        # Separately: a broken receipt template must not stop the retries of the others.
        for what, send in (
            ("receipts", lambda: notifications.receipts(a, datetime.now(a.tz)).delivery),
            ("retries", lambda: notifications.retry_due(a)),
        ):
            try:
                done = send()
            except ZwxxError as exc:
                notes.error("%s failed: %s", what, exc.message)
                continue
            except Exception:
                notes.exception("%s crashed", what)
                continue
            if done.queued or done.sent or done.failed or done.outbox:
                notes.info("%s: %s", what, done.summary())

    timed = timed_jobs(a.settings.schedule, a.tz, weekly, digest)
    out.print(
        f"zwxx 已启动，每 {a.settings.schedule.poll_minutes:g} 分钟收取一次；"
        + "；".join(t.label for t in timed)
        + "。按 Ctrl+C 停止。"
    )
    run(
        a.settings.schedule,
        a.tz,
        lambda: run_poll(a, notes.warning, progress=False),
        timed,
        after_poll,
    )


@app.command("doctor", help="逐项检查设置、数据库、OA 文件夹和邮箱能否正常使用")
def doctor_cmd() -> None:
    from zwxx.doctor import check_all

    a = state.app()
    bad = 0
    for ok, line in check_all(a):
        out.print(("  [正常] " if ok else "  [问题] ") + line, markup=False)
        bad += not ok
    if bad:
        raise SourceUnavailable(f"共发现 {bad} 个问题，请按上面的提示处理。")
    out.print("全部检查通过。")


@app.command("reparse", help="用保存的原件重新解析和分类（修正规则或升级程序后使用）")
@click.option(
    "--envelope",
    "envelope_ids",
    type=int,
    multiple=True,
    metavar="编号",
    help="只重新解析这些件（可多次给出）；默认全部",
)
def reparse_cmd(envelope_ids: tuple[int, ...]) -> None:
    from zwxx.pipeline import reparse
    from zwxx.records.db import session_scope

    a = state.app()
    job = a.job()
    with Session(a.engine) as session:
        query = select(Envelope.id).where(Envelope.source != "import").order_by(col(Envelope.id))
        if envelope_ids:
            query = query.where(col(Envelope.id).in_(envelope_ids))
        ids = list(session.exec(query).all())
    if envelope_ids and len(ids) != len(set(envelope_ids)):
        missing = sorted(set(envelope_ids) - set(ids))
        raise InputError(
            f"没有这些件：{'、'.join(map(str, missing))}（用 zwxx envelopes 查看编号）"
        )
    for n, envelope_id in enumerate(ids, start=1):
        with session_scope(a.engine) as session:
            envelope = session.get(Envelope, envelope_id)
            note = reparse(job, envelope, session)
        err.print(f"[{n}/{len(ids)}] 第 {envelope_id} 件：{note}")
    out.print(f"已重新解析 {len(ids)} 件。")


# ------------------------------------------------------------------------------- items
def _month_range(month: str | None, a: App) -> tuple[datetime, datetime] | None:
    if month is None:
        return None
    try:
        m = Month.parse(month)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    return m.start(a.tz), m.end(a.tz)


def roster_unit(a: App, name: str) -> UnitEntry:
    """A unit of the roster by name or alias, or a Chinese input error."""
    entry = a.roster.find(name)
    if entry is None:
        raise InputError(f"单位“{name}”不在名册中，请核对名称或简称")
    return entry


def _unit_id(session: Session, a: App, name: str | None) -> int | None:
    if name is None:
        return None
    entry = roster_unit(a, name)
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
        "candidates": [c for c in item.candidates.split("、") if c],
        "decided_by": item.decided_by,
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
@click.option("--month", metavar="YYYY-MM", help="只列此月份")
@click.option("--unit", metavar="单位", help="只列此单位（名称或简称）")
@json_option
def items_cmd(month: str | None, unit: str | None, as_json: bool) -> None:
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
@json_option
def envelopes_cmd(as_json: bool) -> None:
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
@click.argument("month", metavar="YYYY-MM")
@json_option
@now_option
def report_month(month: str, as_json: bool, now: str | None) -> None:
    from zwxx.reports import month_report

    a = state.app()
    try:
        m = Month.parse(month)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    moment = parse_now(now, a)
    with Session(a.engine) as session:
        results = month_report(session, a.roster, a.rules, m, moment, a.tz)
    if as_json:
        _dump([month_json(r) for r in results])
    else:
        print_month(a, m, results)


# ------------------------------------------------------------------------------- import
@import_app.command(
    "items",
    help="从台账 CSV（UTF-8 或 GBK）导入历史信息。"
    "列：unit,title,category,received_at,chars,solicited",
)
@click.argument("file", metavar="台账.csv", type=click.Path(path_type=Path))
def import_items(file: Path) -> None:
    from zwxx.records.db import session_scope
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


# ------------------------------------------------------------------------------- demo
@app.command("demo", help="用内置样例数据演示：生成 OA 投递文件、登记、输出月报")
@click.option(
    "--dir",
    "folder",
    type=click.Path(path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="演示数据目录",
)
def demo_cmd(folder: Path) -> None:
    from zwxx.cli_notify import digest_monthly, notice_quarter, remind_weekly
    from zwxx.demo import DEMO_DIGEST, DEMO_MONTH, DEMO_WEEKLY, demo_settings, materialize

    state.config, state._app = demo_settings(folder), None
    a = state.app()
    written = materialize(a.settings.dropfolder.path, a.tz)
    out.print(
        f"已在 {a.settings.dropfolder.path} 生成 {written} 个样例文件（模拟 OA 投递和邮件）。"
    )
    out.print(summary_line(run_poll(a, _print_problem)))
    report_month.callback(DEMO_MONTH, as_json=False, now=None)
    out.print("\n— 通知（未设置邮件服务器和短信网关，全部写入发件箱文件夹）—")
    remind_weekly.callback(now=DEMO_WEEKLY, dry_run=False)
    digest_monthly.callback(month=DEMO_MONTH, now=DEMO_DIGEST, dry_run=False)
    notice_quarter.callback(
        quarter="2026Q4",
        target=None,
        number=1,
        issued="2026-11-02",
        send_sms=False,
        now=DEMO_DIGEST,
        dry_run=False,
    )
    out.print(
        f"催报邮件、月报、通报和短信都在 {a.settings.outbox.path} 中，可用邮件客户端打开 .eml。"
    )


def usage_error(exc: click.UsageError) -> str:
    """Click's English usage errors, said in Chinese."""
    if isinstance(exc, click.NoSuchOption):
        return f"没有这个选项：{exc.option_name}"
    if isinstance(exc, click.MissingParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"缺少参数：{name}"
    if isinstance(exc, click.BadParameter):
        name = exc.param.human_readable_name if exc.param else ""
        return f"参数 {name} 取值无效：{exc.message}"
    if "No such command" in exc.message:
        return f"没有这个命令（{exc.message.split(' ')[-1]}）"
    return f"用法错误：{exc.message}"


def main() -> None:
    """Console entry: Chinese one-line errors, exit 2 for bad input, 3 for sources."""
    try:
        app.main(standalone_mode=False, prog_name="zwxx")
    except click.exceptions.NoArgsIsHelpError as exc:  # `zwxx report` alone: show help
        out.print(exc.ctx.get_help(), markup=False)
    except click.UsageError as exc:
        hint = f"运行 {exc.ctx.command_path} --help 查看用法" if exc.ctx else "运行 zwxx --help"
        err.print(f"{usage_error(exc)}。{hint}。")
        sys.exit(2)
    except click.exceptions.Abort:
        err.print("已中断。")
        sys.exit(130)
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


# Scoring, review and notification commands register themselves on the groups above.
import zwxx.cli_notify  # noqa: E402
import zwxx.cli_review  # noqa: E402
import zwxx.cli_scoring  # noqa: E402, F401
