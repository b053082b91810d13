"""Notification runs: what the scheduler and the commands call (SPEC §8).

Each run reads what its messages need (``zwxx.records.facts`` and the reports), has
``zwxx.notify.compose`` compose them from that data, queues them (idempotently) and sends
what is due. ``dry_run`` writes the messages to the outbox folder instead and records
nothing, so it can be repeated freely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from zwxx.app import App
from zwxx.errors import InputError
from zwxx.notify.channels import SendError, channels_for
from zwxx.notify.compose import (
    RECEIPT_DAYS,
    Digest,
    DigestCounts,
    Plan,
    Receipt,
    WeekData,
    digest_data,
    digest_plan,
    duty_window,
    notice_sms_plan,
    receipt_plan,
)
from zwxx.notify.compose import weekly_plan as compose_weekly
from zwxx.notify.postman import Delivery, Postman
from zwxx.notify.postman import resend as postman_resend
from zwxx.notify.workbook import workbook_name, write_workbook
from zwxx.records import facts
from zwxx.records.models import utcnow
from zwxx.reports import PeriodReport, month_report, period_report
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


def week_data(session: Session, a: App, now: datetime) -> WeekData:
    """What the weekly reminder of the week of ``now`` is composed from."""
    tz = a.tz
    month = Month.of(now, tz)
    ids = facts.unit_ids(session)
    results = {r.unit: r for r in month_report(session, a.roster, a.rules, month, now, tz)}
    data = WeekData(results=results, items={})
    solicited = a.rules.task.solicited_counts_toward_duty  # as scoring.month.duty_met counts
    for entry in a.roster.units:
        unit_id = ids[entry.name]
        if results[entry.name].research_met is not True:
            window = duty_window(entry, month, a.rules)
            data.duty_counts[entry.name] = facts.category_counts(
                session, unit_id, window[0].start(tz), window[-1].end(tz), solicited=solicited
            )
        data.items[entry.name] = facts.unit_items(session, unit_id, month.start(tz), month.end(tz))
    return data


def weekly(a: App, now: datetime, dry_run: bool = False) -> Run:
    """The weekly reminder (催报) to units below pace or with the research duty open."""
    with Session(a.engine) as session:
        data = week_data(session, a, now)
    return _dispatch(a, compose_weekly(a.settings, a.roster, a.rules, now, data), dry_run)


def digest_of(session: Session, a: App, month: Month, now: datetime) -> Digest:
    """The monthly digest's data for ``month`` as of ``now``."""
    tz = a.tz
    start, end = month.start(tz), month.end(tz)
    results = month_report(session, a.roster, a.rules, month, now, tz)
    counts = DigestCounts(
        adopted=facts.adoptions_by_unit(
            session, start.astimezone(tz).date(), end.astimezone(tz).date()
        ),
        over_limit=facts.over_limit_by_unit(session, start, end),
        review=facts.review_count(session, start, end),
        failed_notifications=facts.failed_notifications(session),
    )
    return digest_data(a.roster, a.rules, month, results, counts)


def digest(a: App, month: Month, now: datetime, dry_run: bool = False) -> tuple[Run, Path]:
    """The monthly digest to the leaders, with its workbook. Once the digest has been
    recorded, its workbook is kept as it was sent (a retry sends the same file)."""
    with Session(a.engine) as session:
        data = digest_of(session, a, month, now)
        recorded = facts.notification_recorded(session, "digest", str(month))
    folder = a.settings.storage.notify_dir / "digest" / str(month)
    if dry_run:
        folder = a.settings.outbox.path
    workbook = folder / workbook_name(data)
    try:
        if dry_run or not recorded or not workbook.is_file():
            workbook = write_workbook(data, folder)
    except OSError as exc:
        raise InputError(f"无法写入月报 Excel（{folder}）：{exc.strerror or exc}") from None
    return _dispatch(a, digest_plan(a.settings, data, workbook), dry_run), workbook


def receipts_due(session: Session, a: App, now: datetime) -> list[Receipt]:
    """Items recorded in the last ``RECEIPT_DAYS`` from units that asked for receipts
    (回执) and not receipted yet, each with its unit's count for its month."""
    wanted = [u.name for u in a.roster.units if u.receipt]
    if not wanted:
        return []
    out, counted = [], {}
    for row in facts.receipt_items(session, wanted, now - timedelta(days=RECEIPT_DAYS)):
        month = Month.of(row.item.received_at, a.tz)
        key = (row.item.unit_id, month)
        if key not in counted:
            counted[key] = facts.counted_count(
                session, row.item.unit_id, month.start(a.tz), month.end(a.tz)
            )
        out.append(Receipt(row, counted[key]))
    return out


def receipts(a: App, now: datetime) -> Run:
    with Session(a.engine) as session:
        due = receipts_due(session, a, now)
    return _dispatch(a, receipt_plan(a.settings, a.roster, a.rules, due), False)


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
