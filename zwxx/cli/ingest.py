"""Receiving and what was received: ``poll``, ``run``, ``doctor``, ``reparse``, ``items``,
``envelopes`` (wiring only)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import click
from rich.table import Table
from sqlmodel import Session, col, select

from zwxx.app import App
from zwxx.cli.common import (
    Command,
    dump,
    err,
    iso,
    json_option,
    out,
    parse_month,
    roster_unit,
    state,
)
from zwxx.errors import InputError, SourceUnavailable, ZwxxError
from zwxx.pipeline import Summary, poll
from zwxx.records.models import Envelope, Item, Unit
from zwxx.records.notes import has_note, notes_json


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
    if s.copies:
        parts.append(f"重复收到 {s.copies} 件（与此前收件完全相同，未重复计数）")
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


def print_problem(problem: str) -> None:
    err.print(f"[注意] {problem}")


@click.command(
    "poll", cls=Command, help="检查所有来源（OA 投递文件夹、邮箱）一遍，登记新收到的信息"
)
def poll_cmd() -> None:
    a = state.app()
    summary = run_poll(a, print_problem)
    out.print(summary_line(summary))
    if summary.errors:
        raise SourceUnavailable("；".join(summary.errors))


@click.command(
    "run",
    cls=Command,
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
        # Logged, not raised: a long-running service, not a user-facing error.
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


@click.command("doctor", cls=Command, help="逐项检查设置、数据库、OA 文件夹和邮箱能否正常使用")
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


@click.command(
    "reparse", cls=Command, help="用保存的原件重新解析和分类（修正规则或升级程序后使用）"
)
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
            assert envelope is not None  # listed above
            note = reparse(job, envelope, session)
        err.print(f"[{n}/{len(ids)}] 第 {envelope_id} 件：{note}")
    out.print(f"已重新解析 {len(ids)} 件。")


# ------------------------------------------------------------------------------- items
def _month_range(month: str | None, a: App) -> tuple[datetime, datetime] | None:
    if month is None:
        return None
    m = parse_month(month)
    return m.start(a.tz), m.end(a.tz)


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
        "received_at": iso(item.received_at, a),
        "source": envelope.source if envelope else "import",
        "envelope_id": item.envelope_id,
        "attachment": item.attachment,
        "reason": item.reason,
        "notes": notes_json(item),
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


@click.command("items", cls=Command, help="列出已登记的信息（条）")
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
        dump([item_json(i, u, e, a) for i, u, e in rows])
        return
    table = Table(title=f"信息列表（共 {len(rows)} 条）")
    for head in ("编号", "收到时间", "单位", "分类", "字数", "状态", "标题", "说明"):
        table.add_column(head)
    for i, u, _e in rows:
        note = i.reason + ("（超字数）" if i.over_limit and not has_note(i, "over_limit") else "")
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


@click.command("envelopes", cls=Command, help="列出收到的每一封邮件或每一个文件及其处理结果")
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
            "received_at": iso(e.received_at, a),
            "sha256": e.sha256,
            "duplicate_of": e.duplicate_of,  # a copy (status duplicate): the first envelope
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
        dump(data)
        return
    labels = {
        "new": "新",
        "parsed": "已解析",
        "ignored": "不计",
        "failed": "失败",
        "duplicate": "重复收到",
    }
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


COMMANDS = (poll_cmd, run_cmd, doctor_cmd, reparse_cmd, items_cmd, envelopes_cmd)
