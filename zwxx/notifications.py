"""Notification runs: what the scheduler and the commands call (SPEC §8).

Each run composes its messages from the records, queues them (idempotently) and sends
what is due. ``dry_run`` writes the messages to the outbox folder instead and records
nothing, so it can be repeated freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlmodel import Session, select

from zwxx.app import App
from zwxx.errors import InputError
from zwxx.notify.channels import SendError, channels_for
from zwxx.notify.compose import Plan, digest_data, digest_plan, notice_sms_plan, receipt_plan
from zwxx.notify.compose import weekly_plan as compose_weekly
from zwxx.notify.postman import Delivery, Postman
from zwxx.notify.postman import resend as postman_resend
from zwxx.notify.workbook import workbook_name, write_workbook
from zwxx.records.models import Notification, utcnow
from zwxx.reports import PeriodReport, period_report
from zwxx.scoring.periods import Month
from zwxx.scoring.quarter import Period
from zwxx.scoring.ranks import previous_month as scoring_previous_month


@dataclass
class Run:
    plan: Plan
    delivery: Delivery


def postman(a: App, dry_run: bool = False) -> Postman:
    email, sms = channels_for(a.settings, dry_run=dry_run)
    return Postman(a.engine, a.settings, email, sms)


def _dispatch(a: App, plan: Plan, dry_run: bool) -> Run:
    delivery = Delivery()
    man = postman(a, dry_run)
    if dry_run:
        try:
            man.dry_run(plan.messages, delivery)
        except SendError as exc:  # the outbox folder cannot be written
            raise InputError(exc.message) from None
    else:
        man.queue(plan.messages, delivery)
        man.deliver_due(delivery)
    return Run(plan, delivery)


def weekly(a: App, now: datetime, dry_run: bool = False) -> Run:
    """The weekly reminder (催报) to units below pace or with the research duty open."""
    with Session(a.engine) as session:
        plan = compose_weekly(session, a.settings, a.roster, a.rules, now)
    return _dispatch(a, plan, dry_run)


def digest(a: App, month: Month, now: datetime, dry_run: bool = False) -> tuple[Run, Path]:
    """The monthly digest to the leaders, with its workbook. Once the digest has been
    recorded, its workbook is kept as it was sent (a retry sends the same file)."""
    with Session(a.engine) as session:
        data = digest_data(session, a.settings, a.roster, a.rules, month, now)
        recorded = session.exec(
            select(Notification.id).where(
                Notification.kind == "digest", Notification.period == str(month)
            )
        ).first()
    folder = a.settings.storage.notify_dir / "digest" / str(month)
    if dry_run:
        folder = a.settings.outbox.path
    workbook = folder / workbook_name(data)
    try:
        if dry_run or recorded is None or not workbook.is_file():
            workbook = write_workbook(data, folder)
    except OSError as exc:
        raise InputError(f"无法写入月报 Excel（{folder}）：{exc.strerror or exc}") from None
    return _dispatch(a, digest_plan(a.settings, data, workbook), dry_run), workbook


def receipts(a: App, now: datetime) -> Run:
    with Session(a.engine) as session:
        plan = receipt_plan(session, a.settings, a.roster, a.rules, now)
    return _dispatch(a, plan, False)


def quarter_report(a: App, period: Period, now: datetime) -> PeriodReport:
    with Session(a.engine) as session:
        return period_report(session, a.roster, a.rules, period, now, a.tz)


def notice_sms(a: App, report: PeriodReport, dry_run: bool = False) -> Run:
    return _dispatch(a, notice_sms_plan(a.settings, a.roster, a.rules, report), dry_run)


def retry_due(a: App) -> Delivery:
    """Send what is pending or due for a retry (the scheduler runs this after each poll)."""
    delivery = Delivery()
    postman(a).deliver_due(delivery)
    return delivery


def previous_month(now: datetime, a: App) -> Month:
    """The month before the one ``now`` is in (the monthly digest's month)."""
    return scoring_previous_month(Month.of(now, a.tz))


def resend(a: App, ids: list[int] | None) -> list[str]:
    return postman_resend(a.engine, ids)


def today(a: App) -> date:
    return utcnow().astimezone(a.tz).date()
