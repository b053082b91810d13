"""What each notification says and to whom (SPEC §8): the weekly reminder, the monthly
digest, receipts and the quarterly notice's SMS. Everything here reads the records and
renders the templates; nothing is sent here (``notify.postman`` does that).
"""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import sqlalchemy as sa
from sqlmodel import Session, col, select

from zwxx.config.roster import Roster, UnitEntry
from zwxx.config.rules import Rules
from zwxx.config.settings import OfficeSettings, Settings
from zwxx.errors import ConfigError
from zwxx.notify.notice import period_name
from zwxx.records import store
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    REVIEW,
    Adoption,
    Envelope,
    Item,
    Notification,
    Unit,
)
from zwxx.reports import PeriodReport, month_report
from zwxx.scoring.month import MonthResult
from zwxx.scoring.periods import Month

TEMPLATES = Path(__file__).resolve().parent / "templates"
_STATUS = {COUNTED: "已计数", DUPLICATE: "重复（不另计）", REVIEW: "待确认"}


@dataclass
class Outgoing:
    """One message to one recipient, before it is recorded and sent."""

    kind: str  # receipt | weekly | weekly_sms | digest | digest_sms | notice_sms
    period: str  # what makes it "the same notification" together with kind and recipient
    channel: str  # email | sms
    recipient: str
    subject: str
    text: str
    unit: str = ""  # the unit it concerns; "" for the leaders
    html: str | None = None
    attachments: list[Path] = field(default_factory=list)


@dataclass
class Plan:
    """What a notification run would send, and who could not be reached."""

    messages: list[Outgoing] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # units concerned
    unreachable: list[str] = field(default_factory=list)  # concerned, but no address or phone


class Templates:
    """The Jinja2 templates: the office's folder first, then the built-in ones."""

    def __init__(self, office: OfficeSettings) -> None:
        folders = [str(p) for p in (office.templates, TEMPLATES) if p is not None]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(folders),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
        )
        self.office = office

    def _template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(
                f"通知模板 {exc.filename or name} 第 {exc.lineno} 行有误：{exc.message}"
            ) from None

    def _render(self, template: jinja2.Template, context: dict[str, Any]) -> str:
        try:
            return template.render(office=self.office, **context)
        except jinja2.TemplateError as exc:
            raise ConfigError(
                f"通知模板 {template.filename} 无法使用：{exc}"
                "（请对照 notify/templates 中的原模板修改）"
            ) from None

    def email(self, name: str, **context: Any) -> tuple[str, str, str | None]:
        """(subject, plain text, HTML or None): the .txt file's first line is the subject.
        The HTML part comes from the same folder as the .txt, so an office that edits
        only the plain text does not keep sending the built-in HTML."""
        plain = self._template(f"{name}.txt")
        text = self._render(plain, context).strip("\n")
        subject, _, body = text.partition("\n")
        html = None
        sibling = Path(plain.filename or "").with_suffix(".html")
        if sibling.is_file():
            page = self._template(f"{name}.html")
            html = self._render(page, {"subject": subject.strip(), **context})
        return subject.strip(), body.strip("\n") + "\n", html

    def sms(self, name: str, **context: Any) -> str:
        return " ".join(self._render(self._template(f"{name}.sms"), context).split())


# ------------------------------------------------------------------------------ items
@dataclass
class ItemLine:
    """An item as a unit sees it in its reminder."""

    id: int
    received: str
    title: str
    category: str
    chars: int
    status: str
    over_limit: bool


def _item_lines(
    session: Session, unit_id: int, start: datetime, end: datetime, rules: Rules, tz: ZoneInfo
) -> list[ItemLine]:
    rows = session.exec(
        select(Item)
        .where(
            Item.unit_id == unit_id,
            col(Item.status).in_([COUNTED, DUPLICATE, REVIEW]),
            Item.received_at >= start,
            Item.received_at < end,
        )
        .order_by(col(Item.received_at), col(Item.id))
    ).all()
    return [
        ItemLine(
            id=i.id or 0,
            received=i.received_at.astimezone(tz).strftime("%m月%d日"),
            title=i.title or i.attachment or "（无标题）",
            category=rules.category_label(i.category),
            chars=i.chars,
            status=_STATUS.get(i.status, i.status),
            over_limit=i.over_limit and i.status == COUNTED,
        )
        for i in rows
    ]


# ------------------------------------------------------------------------------ weekly
@dataclass
class UnitWeek:
    """One unit's standing in the current month, for the weekly reminder."""

    result: MonthResult
    days_elapsed: int
    days_left: int
    expected: int  # by pace: quota × days elapsed ÷ days in month, rounded up
    below_pace: bool
    duty_open: bool
    missing: list[str]
    items: list[ItemLine]

    @property
    def over_limit(self) -> list[ItemLine]:
        return [i for i in self.items if i.over_limit]

    @property
    def due(self) -> bool:
        return self.below_pace or self.duty_open


def pace(quota: int, now: datetime, tz: ZoneInfo) -> tuple[int, int, int]:
    """(days elapsed, days left, expected items) at ``now`` in its month. Days elapsed are
    whole days before today: on the 1st nobody is behind yet."""
    local = now.astimezone(tz)
    days = monthrange(local.year, local.month)[1]
    elapsed = local.day - 1
    return elapsed, days - elapsed, math.ceil(quota * elapsed / days)


def _duty_missing(
    session: Session, unit_id: int, entry: UnitEntry, month: Month, rules: Rules, tz: ZoneInfo
) -> list[str]:
    duty = rules.groups[entry.group].duty
    months = (month,) if duty.period == "month" else month.quarter_months()
    query = select(Item.category, sa.func.count()).where(
        Item.unit_id == unit_id,
        Item.status == COUNTED,
        Item.received_at >= months[0].start(tz),
        Item.received_at < months[-1].end(tz),
    )
    if not rules.task.solicited_counts_toward_duty:  # as scoring.month.duty_met counts
        query = query.where(col(Item.solicited).is_(False))
    counts = dict(session.exec(query.group_by(Item.category)).all())
    span = "本月" if duty.period == "month" else "本季度"
    out = []
    for key, need in (("research", duty.research), ("special", duty.special)):
        short = need - counts.get(key, 0)
        if short > 0:
            out.append(f"{span}还需报送{rules.category_label(key)} {short} 篇")
    return out


def reachable(entry: UnitEntry) -> bool:
    """Whether a unit can be reminded at all (an e-mail address or the officer's phone)."""
    return bool(entry.emails or entry.officer_phone)


def _limits(rules: Rules) -> str:
    """ "动态信息不超过400字、经验做法不超过2000字…" from the rules file."""
    return "、".join(f"{c.label}不超过{c.limit}字" for c in rules.categories.values() if c.limit)


def weekly_plan(
    session: Session, settings: Settings, roster: Roster, rules: Rules, now: datetime
) -> Plan:
    """Reminders to every unit below pace or with its research duty open (SPEC §8)."""
    tz = settings.tz
    month = Month.of(now, tz)
    local = now.astimezone(tz)
    year, week, _ = local.isocalendar()
    period = f"{year}-W{week:02d}"
    today = f"{local.month}月{local.day}日"
    templates = Templates(settings.office)
    ids = store.unit_ids(session)
    results = {r.unit: r for r in month_report(session, roster, rules, month, now, tz)}
    plan = Plan()
    for entry in roster.units:
        r = results[entry.name]
        elapsed, left, expected = pace(r.quota, now, tz)
        unit_id = ids[entry.name]
        missing = []
        if r.quota_items < expected:
            missing.append(f"按进度还差 {expected - r.quota_items} 条")
        duty = []
        if r.research_met is not True:  # the duty as scoring sees it
            duty = _duty_missing(session, unit_id, entry, month, rules, tz)
        w = UnitWeek(
            result=r,
            days_elapsed=elapsed,
            days_left=left,
            expected=expected,
            below_pace=r.quota_items < expected,
            duty_open=bool(duty),
            missing=missing + duty,
            items=_item_lines(session, unit_id, month.start(tz), month.end(tz), rules, tz),
        )
        if not w.due:
            continue
        plan.units.append(entry.name)
        if not reachable(entry):
            plan.unreachable.append(entry.name)
            continue
        ctx = {"unit": entry, "w": w, "month": month, "today": today, "limits": _limits(rules)}
        subject, text, html = templates.email("weekly", **ctx)
        for email in entry.emails:
            plan.messages.append(
                Outgoing("weekly", period, "email", email, subject, text, entry.name, html)
            )
        if entry.officer_phone:
            sms = templates.sms("weekly", **ctx)
            plan.messages.append(
                Outgoing("weekly_sms", period, "sms", entry.officer_phone, "", sms, entry.name)
            )
    return plan


# ------------------------------------------------------------------------------ digest
@dataclass
class DigestRow:
    rank: int
    unit: str
    items: int
    by_category: list[int]
    quota_met: str
    duty: str
    adoptions: int
    over_limit: int
    score: int


@dataclass
class Digest:
    month: Month
    units: list[str]
    total_items: int
    categories: list[dict[str, Any]]
    groups: list[dict[str, Any]]
    quota_met: int
    below_quota: list[str]
    no_items: list[str]
    adoptions: int
    over_limit: int
    review: int
    unreachable: list[str]
    failed_notifications: int


def _per_unit_counts(session: Session, query: Any) -> dict[int, int]:
    return {uid: n for uid, n in session.exec(query).all() if uid is not None}


def digest_data(
    session: Session, settings: Settings, roster: Roster, rules: Rules, month: Month, now: datetime
) -> Digest:
    """The month's per-group tables and lists for the leaders (SPEC §8)."""
    tz = settings.tz
    start, end = month.start(tz), month.end(tz)
    ids = store.unit_ids(session)
    results = month_report(session, roster, rules, month, now, tz)
    adopted = _per_unit_counts(
        session,
        select(Item.unit_id, sa.func.count())
        .join(Adoption, col(Adoption.item_id) == Item.id)
        .where(
            Adoption.date >= start.astimezone(tz).date(),
            Adoption.date < end.astimezone(tz).date(),
        )
        .group_by(Item.unit_id),
    )
    over = _per_unit_counts(
        session,
        select(Item.unit_id, sa.func.count())
        .where(
            Item.status == COUNTED,
            col(Item.over_limit).is_(True),
            Item.received_at >= start,
            Item.received_at < end,
        )
        .group_by(Item.unit_id),
    )
    met = {True: "是", False: "否", "pending": "季末确认"}
    cats = list(rules.categories)
    groups = []
    for key, group in rules.groups.items():
        rows = sorted(
            (r for r in results if r.group == key), key=lambda r: (-r.task_score, -r.items)
        )
        table, previous, rank = [], None, 0
        for position, r in enumerate(rows, start=1):
            if (r.task_score, r.items) != previous:
                rank, previous = position, (r.task_score, r.items)
            uid = ids.get(r.unit)
            table.append(
                DigestRow(
                    rank=rank,
                    unit=r.unit,
                    items=r.items,
                    by_category=[r.by_category.get(c, 0) for c in cats],
                    quota_met=met[r.quota_met],
                    duty=met[r.research_met],
                    adoptions=adopted.get(uid, 0) if uid else 0,
                    over_limit=over.get(uid, 0) if uid else 0,
                    score=r.task_score,
                )
            )
        groups.append({"key": key, "label": group.label, "quota": group.quota, "rows": table})
    review = session.exec(
        select(sa.func.count()).where(
            Item.status == REVIEW, Item.received_at >= start, Item.received_at < end
        )
    ).one()
    failed = session.exec(select(sa.func.count()).where(Notification.status == "failed")).one()
    return Digest(
        month=month,
        units=[r.unit for r in results],
        total_items=sum(r.items for r in results),
        categories=[
            {
                "key": c,
                "label": rules.category_label(c),
                "short": rules.categories[c].short,
                "count": sum(r.by_category.get(c, 0) for r in results),
            }
            for c in cats
        ],
        groups=groups,
        quota_met=sum(1 for r in results if r.quota_met),
        below_quota=[r.unit for r in results if not r.quota_met],
        no_items=[r.unit for r in results if r.items == 0],
        adoptions=sum(adopted.values()),
        over_limit=sum(over.values()),
        review=review,
        unreachable=[u.name for u in roster.units if not reachable(u)],
        failed_notifications=failed,
    )


def digest_plan(settings: Settings, digest: Digest, workbook: Path) -> Plan:
    """The digest e-mail (with the workbook) to each leader, and a short SMS."""
    templates = Templates(settings.office)
    period = str(digest.month)
    ctx = {"d": digest, "month": digest.month, "attachment_name": workbook.name}
    subject, text, html = templates.email("digest", **ctx)
    plan = Plan(units=digest.units)
    for email in settings.leaders.emails:
        plan.messages.append(
            Outgoing("digest", period, "email", email, subject, text, "", html, [workbook])
        )
    if settings.leaders.phones:
        sms = templates.sms("digest", **ctx)
        for phone in settings.leaders.phones:
            plan.messages.append(Outgoing("digest_sms", period, "sms", phone, "", sms))
    return plan


# ------------------------------------------------------------------------------ receipts
RECEIPT_DAYS = 3  # receipts only for items recorded this recently (never a flood of old ones)


def receipt_plan(
    session: Session, settings: Settings, roster: Roster, rules: Rules, now: datetime
) -> Plan:
    """A receipt (回执) for each item recently received from a unit that asked for them."""
    wanted = {u.name: u for u in roster.units if u.receipt}
    plan = Plan()
    if not wanted:
        return plan
    tz = settings.tz
    templates = Templates(settings.office)
    done = select(Notification.period).where(Notification.kind == "receipt")
    rows = session.exec(
        select(Item, Unit, Envelope)
        .join(Unit, col(Unit.id) == Item.unit_id)
        .join(Envelope, col(Envelope.id) == Item.envelope_id)
        .where(
            col(Unit.name).in_(list(wanted)),
            col(Item.status).in_([COUNTED, DUPLICATE]),
            Envelope.source != "import",  # the clerk's ledger is history, not a submission
            Item.created_at >= now - timedelta(days=RECEIPT_DAYS),
            sa.cast(Item.id, sa.String).not_in(done),
        )
        .order_by(col(Item.id))
    ).all()
    for item, unit, envelope in rows:
        entry = wanted[unit.name]
        sender = (envelope.sender or "").strip().lower()
        recipients = [sender] if "@" in sender else list(entry.emails)
        if not recipients:
            if entry.name not in plan.unreachable:
                plan.unreachable.append(entry.name)
            continue
        month = Month.of(item.received_at, tz)
        month_items = session.exec(
            select(sa.func.count()).where(
                Item.unit_id == unit.id,
                Item.status == COUNTED,
                Item.received_at >= month.start(tz),
                Item.received_at < month.end(tz),
            )
        ).one()
        line = {
            "title": item.title or item.attachment or "（无标题）",
            "category": rules.category_label(item.category),
            "chars": item.chars,
            "over_limit": item.over_limit,
            "duplicate": item.status == DUPLICATE,
        }
        subject, text, html = templates.email(
            "receipt", unit=entry, item=line, month=month, month_items=month_items
        )
        for to in recipients:
            plan.messages.append(
                Outgoing("receipt", str(item.id), "email", to, subject, text, entry.name, html)
            )
        if entry.name not in plan.units:
            plan.units.append(entry.name)
    return plan


# ------------------------------------------------------------------------------ notice
def notice_sms_plan(settings: Settings, roster: Roster, rules: Rules, report: PeriodReport) -> Plan:
    """After the quarterly notice: each unit head's score and rank, by SMS (SPEC §8)."""
    templates = Templates(settings.office)
    period = str(report.period)
    sizes: dict[str, int] = {}
    for u in report.units:
        sizes[u.group] = sizes.get(u.group, 0) + 1
    plan = Plan()
    for score in report.units:
        entry: UnitEntry | None = roster.by_name.get(score.unit)
        if entry is None:
            continue
        plan.units.append(score.unit)
        if not entry.head_phone:
            plan.unreachable.append(score.unit)
            continue
        text = templates.sms(
            "notice",
            unit=entry,
            score=score,
            period_label=period_name(report.period),
            group_label=rules.groups[score.group].label,
            group_size=sizes[score.group],
        )
        plan.messages.append(
            Outgoing("notice_sms", period, "sms", entry.head_phone, "", text, score.unit)
        )
    return plan
