"""Notifications: ``remind weekly``, ``digest monthly``, ``notice quarter``,
``notifications`` (wiring only)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from rich import box
from rich.table import Table
from sqlmodel import Session, col, select

from zwxx import notifications
from zwxx.app import App
from zwxx.cli.common import (
    Command,
    Group,
    dump,
    err,
    iso,
    json_option,
    now_option,
    out,
    parse_month,
    parse_now,
    parse_period,
    state,
)
from zwxx.errors import InputError, SourceUnavailable
from zwxx.notify.postman import STATUS_LABELS
from zwxx.records.models import Notification

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="只写入发件箱文件夹（[outbox] path），不发送、不记录"
)


@click.group("remind", cls=Group, help="催报提醒")
def remind_app() -> None:
    pass


@click.group("digest", cls=Group, help="给领导的报告")
def digest_app() -> None:
    pass


@click.group("notice", cls=Group, help="通报")
def notice_app() -> None:
    pass


_NO_CONTACT = "未登记邮箱和信息员手机号（名册中的 emails、officer_phone）"


def _report_run(
    a: App, what: str, run: notifications.Run, dry_run: bool, missing: str = _NO_CONTACT
) -> None:
    """Print what a run did; exit 3 when sends failed (a cron job or the clerk must see it)."""
    plan, delivery = run.plan, run.delivery
    if plan.unreachable:
        out.print(
            f"{len(plan.unreachable)} 个单位{missing}，无法通知：" + "、".join(plan.unreachable)
        )
    if dry_run:
        out.print(
            f"{what}（试运行）：{len(plan.messages)} 条消息已写入 {a.settings.outbox.path}，"
            "未发送、未记录。"
        )
        return
    out.print(f"{what}：{delivery.summary()}。")
    for line in delivery.errors:
        err.print(f"  发送失败：{line}")
    if delivery.failed or delivery.postponed:
        raise SourceUnavailable(
            f"{delivery.failed + delivery.postponed} 条通知未能发出，"
            "详见 zwxx notifications --status failed"
        )


def _not_future(moment: datetime, a: App, dry_run: bool) -> None:
    """A run "in the future" would use up that period's notifications before it comes."""
    if not dry_run and moment > datetime.now(a.tz) + timedelta(minutes=5):
        raise InputError(
            f"--now {moment:%Y-%m-%d %H:%M} 在将来：正式发送只能按已到的时间计算"
            "（预览请加 --dry-run）"
        )


_NAMED = 10  # more units than this are counted, not named (the records list them all)


@remind_app.command("weekly", help="每周催报：提醒进度落后或调研任务未完成的单位")
@now_option
@dry_run_option
def remind_weekly(now: str | None, dry_run: bool) -> None:
    a = state.app()
    moment = parse_now(now, a)
    _not_future(moment, a, dry_run)
    run = notifications.weekly(a, moment, dry_run)
    units = run.plan.units
    named = f"（{'、'.join(units)}）" if 0 < len(units) <= _NAMED else ""
    out.print(f"{moment.astimezone(a.tz):%Y年%m月%d日}：{len(units)} 个单位需要提醒{named}。")
    _report_run(a, "每周催报", run, dry_run)


@digest_app.command("monthly", help="月度报告：上月各组报送情况表（附 Excel），发给领导")
@click.argument("month", metavar="YYYY-MM", required=False)
@now_option
@dry_run_option
def digest_monthly(month: str | None, now: str | None, dry_run: bool) -> None:
    a = state.app()
    moment = parse_now(now, a)
    chosen = parse_month(month) if month else notifications.previous_month(moment, a)
    _not_future(moment, a, dry_run)
    if chosen.end(a.tz) > moment and not dry_run:
        raise InputError(
            f"{chosen.year}年{chosen.month}月尚未结束，月度报告要到下个月才能发送"
            "（预览请加 --dry-run）"
        )
    if not a.settings.leaders.emails and not a.settings.leaders.phones and not dry_run:
        err.print("提示：设置文件中没有 [leaders] emails / phones，月报只生成 Excel，不发送。")
    run, workbook = notifications.digest(a, chosen, moment, dry_run)
    out.print(f"{chosen.year}年{chosen.month}月月报：Excel 已写入 {workbook}")
    _report_run(a, "月度报告", run, dry_run)


@notice_app.command("quarter", help="季度通报：生成公文格式的 .docx，可向各单位负责人发短信")
@click.argument("quarter", metavar="YYYYQn")
@click.option(
    "--out",
    "target",
    type=click.Path(path_type=Path, dir_okay=False),
    help="通报文件（.docx）保存位置；默认写入发件箱文件夹",
)
@click.option("--number", type=click.IntRange(min=1), default=1, show_default=True, help="发文序号")
@click.option("--date", "issued", metavar="YYYY-MM-DD", help="成文日期（默认今天）")
@click.option("--sms", "send_sms", is_flag=True, help="同时把得分和名次短信发给各单位负责人")
@now_option
@dry_run_option
def notice_quarter(
    quarter: str,
    target: Path | None,
    number: int,
    issued: str | None,
    send_sms: bool,
    now: str | None,
    dry_run: bool,
) -> None:
    from zwxx.notify.notice import build_notice, notice_title, period_name, save_notice

    a = state.app()
    period = parse_period(quarter, True)
    try:
        day = date.fromisoformat(issued) if issued else notifications.today(a)
    except ValueError:
        raise InputError(f"日期“{issued}”无效，应为 YYYY-MM-DD，例如 2026-10-08") from None
    moment = parse_now(now, a)
    _not_future(moment, a, dry_run or not send_sms)
    closed = moment.astimezone(a.tz).date() > period.end
    if send_sms and not closed and not dry_run:
        raise InputError(
            f"{period_name(period)}尚未结束，不能发送通报短信（可先生成通报预览，不加 --sms）"
        )
    report = notifications.quarter_report(a, period, moment)
    if target is None:
        target = a.settings.outbox.path / f"{notice_title(period)}.docx"
    if target.suffix.lower() != ".docx":
        raise InputError(f"通报文件名应以 .docx 结尾：{target}")
    doc = build_notice(report, a.rules, a.settings.office, number, day)
    try:
        save_notice(doc, target)
    except OSError as exc:
        raise InputError(f"无法写入 {target}：{exc.strerror or exc}") from None
    note = "" if closed else f"（季度尚未结束，为截至 {moment:%Y-%m-%d} 的预览）"
    out.print(f"{period_name(period)}通报已生成{note}：{target}")
    if report.changes and report.frozen is not None:  # changes are only found when frozen
        err.print(
            f"注意：{period_name(period)}的结果已于 {report.frozen['frozen_at'][:10]} 冻结发布，"
            f"此后有 {len(report.changes)} 处变化，本通报和短信按当前数据生成"
            f"（运行 zwxx report quarter {period} 查看变化）。"
        )
    if send_sms or dry_run:
        run = notifications.notice_sms(a, report, dry_run)
        _report_run(a, "通报短信", run, dry_run, "未登记主要负责人手机号（名册中的 head_phone）")


_KINDS = {
    "receipt": "回执",
    "weekly": "每周催报",
    "weekly_sms": "催报短信",
    "digest": "月度报告",
    "digest_sms": "月报短信",
    "notice_sms": "通报短信",
}


@click.command("notifications", cls=Command, help="列出已发送和待发送的通知；补发失败的通知")
@click.option(
    "--status",
    type=click.Choice(["pending", "sending", "sent", "outbox", "failed"]),
    help="只列此状态（pending 待发送，sent 已发送，outbox 只写入发件箱，failed 失败）",
)
@click.option(
    "--resend",
    "resend_ids",
    metavar="编号",
    type=int,
    multiple=True,
    help="把失败（或只写入了发件箱）的通知重新排队并发送；可重复",
)
@click.option("--resend-failed", is_flag=True, help="把全部失败的通知重新排队并发送")
@json_option
def notifications_cmd(
    status: str | None, resend_ids: tuple[int, ...], resend_failed: bool, as_json: bool
) -> None:
    a = state.app()
    if resend_ids or resend_failed:
        for line in notifications.resend(a, None if resend_failed else list(resend_ids)):
            out.print(line)
        delivery = notifications.retry_due(a)
        out.print(f"补发：{delivery.summary()}。")
        return
    query = select(Notification).order_by(col(Notification.id))
    if status:
        query = query.where(Notification.status == status)
    with Session(a.engine) as session:
        rows = session.exec(query).all()
    if as_json:
        dump(
            [
                {
                    "id": n.id,
                    "kind": n.kind,
                    "period": n.period,
                    "recipient": n.recipient,
                    "channel": n.channel,
                    "via": n.via,
                    "unit": n.unit,
                    "subject": n.subject,
                    "status": n.status,
                    "attempts": n.attempts,
                    "segments": n.segments,
                    "error": n.error,
                    "attachments": json.loads(n.attachments or "[]"),
                    "sent_at": iso(n.sent_at, a),
                    "next_attempt_at": iso(n.next_attempt_at, a),
                }
                for n in rows
            ]
        )
        return
    table = Table(box=box.SIMPLE_HEAD, title=f"通知（共 {len(rows)} 条）")
    for head in ("编号", "类别", "期间", "单位", "收件人", "状态", "次数", "时间", "说明"):
        table.add_column(head)
    for n in rows:
        when = n.sent_at or n.next_attempt_at or n.created_at
        table.add_row(
            str(n.id),
            _KINDS.get(n.kind, n.kind),
            n.period,
            n.unit or "",
            n.recipient,
            STATUS_LABELS.get(n.status, n.status),
            str(n.attempts),
            when.astimezone(a.tz).strftime("%m-%d %H:%M"),
            n.error or "",
        )
    out.print(table)


COMMANDS = (remind_app, digest_app, notice_app, notifications_cmd)
