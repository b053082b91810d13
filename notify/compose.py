"""What each notification says and to whom (SPEC §8): the weekly reminder, the monthly
digest, receipts and the quarterly notice's SMS. Everything here composes from data the
caller hands in (``zwxx.notifications`` reads it through ``zwxx.records.facts`` and the
reports) and renders the templates: no database, no clock; nothing is sent here
(``notify.postman`` does that).
"""

from __future__ import annotations

import math
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from zwxx.config.roster import Roster, UnitEntry
from zwxx.config.rules import Rules
from zwxx.config.settings import OfficeSettings, Settings
from zwxx.errors import ConfigError
from zwxx.notify.notice import ScoredPeriod, period_name
from zwxx.records.facts import ItemRecord, ReceiptItem
from zwxx.records.models import COUNTED, DUPLICATE, REVIEW
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


def item_lines(items: list[ItemRecord], rules: Rules, tz: ZoneInfo) -> list[ItemLine]:
    """The items as a reminder lists them (in the order given)."""
    return [
        ItemLine(
            id=i.id,
            received=i.received_at.astimezone(tz).strftime("%m月%d日"),
            title=i.title or i.attachment or "（无标题）",
            category=rules.category_label(i.category),
            chars=i.chars,
            status=_STATUS.get(i.status, i.status),
            over_limit=i.over_limit and i.status == COUNTED,
        )
        for i in items
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


def duty_window(entry: UnitEntry, month: Month, rules: Rules) -> tuple[Month, ...]:
    """The months a unit's research/专报 duty is counted over: the month or its quarter."""
    duty = rules.groups[entry.group].duty
    return (month,) if duty.period == "month" else month.quarter_months()


def _duty_missing(counts: dict[str, int], entry: UnitEntry, rules: Rules) -> list[str]:
    """What is still missing of the duty, from the unit's counted items by category in
    its duty window (``duty_window``; without solicited ones unless the rules count them,
    as scoring.month.duty_met does)."""
    duty = rules.groups[entry.group].duty
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


@dataclass
class WeekData:
    """What the weekly reminder is composed from (the caller reads it from the records)."""

    results: dict[str, MonthResult]  # this month's task result of every roster unit
    items: dict[str, list[ItemRecord]]  # each unit's items received this month, oldest first
    # Counted items by category in the unit's duty window (``duty_window``), for every
    # unit whose duty scoring does not see as met (research_met is not True).
    duty_counts: dict[str, dict[str, int]] = field(default_factory=dict)


def weekly_plan(
    settings: Settings, roster: Roster, rules: Rules, now: datetime, data: WeekData
) -> Plan:
    """Reminders to every unit below pace or with its research duty open (SPEC §8)."""
    tz = settings.tz
    month = Month.of(now, tz)
    local = now.astimezone(tz)
    year, week, _ = local.isocalendar()
    period = f"{year}-W{week:02d}"
    today = f"{local.month}月{local.day}日"
    templates = Templates(settings.office)
    plan = Plan()
    for entry in roster.units:
        r = data.results[entry.name]
        elapsed, left, expected = pace(r.quota, now, tz)
        missing = []
        if r.quota_items < expected:
            missing.append(f"按进度还差 {expected - r.quota_items} 条")
        duty = []
        if r.research_met is not True:  # the duty as scoring sees it
            duty = _duty_missing(data.duty_counts[entry.name], entry, rules)
        w = UnitWeek(
            result=r,
            days_elapsed=elapsed,
            days_left=left,
            expected=expected,
            below_pace=r.quota_items < expected,
            duty_open=bool(duty),
            missing=missing + duty,
            items=item_lines(data.items.get(entry.name, []), rules, tz),
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


@dataclass
class DigestCounts:
    """The month's counts the digest needs besides the task results (read by the caller)."""

    adopted: dict[str, int]  # adoptions dated in the month, per unit name (any unit)
    over_limit: dict[str, int]  # counted items over the 字数 limit, per unit name
    review: int  # items received in the month waiting for the clerk
    failed_notifications: int  # notifications that failed, at any time


def digest_data(
    roster: Roster, rules: Rules, month: Month, results: list[MonthResult], counts: DigestCounts
) -> Digest:
    """The month's per-group tables and lists for the leaders (SPEC §8), from the month
    report (``results``, roster order) and the counts."""
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
            table.append(
                DigestRow(
                    rank=rank,
                    unit=r.unit,
                    items=r.items,
                    by_category=[r.by_category.get(c, 0) for c in cats],
                    quota_met=met[r.quota_met],
                    duty=met[r.research_met],
                    adoptions=counts.adopted.get(r.unit, 0),
                    over_limit=counts.over_limit.get(r.unit, 0),
                    score=r.task_score,
                )
            )
        groups.append({"key": key, "label": group.label, "quota": group.quota, "rows": table})
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
        adoptions=sum(counts.adopted.values()),
        over_limit=sum(counts.over_limit.values()),
        review=counts.review,
        unreachable=[u.name for u in roster.units if not reachable(u)],
        failed_notifications=counts.failed_notifications,
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


@dataclass
class Receipt:
    """A recently recorded item to acknowledge, with its unit's count for the month."""

    item: ReceiptItem
    month_items: int  # the unit's counted items in the month the item was received


def receipt_plan(settings: Settings, roster: Roster, rules: Rules, receipts: list[Receipt]) -> Plan:
    """A receipt (回执) for each item recently received from a unit that asked for them
    (``receipts``: in item order, only of such units, not yet receipted)."""
    wanted = {u.name: u for u in roster.units if u.receipt}
    plan = Plan()
    if not wanted:
        return plan
    tz = settings.tz
    templates = Templates(settings.office)
    for receipt in receipts:
        item, entry = receipt.item.item, wanted[receipt.item.unit]
        sender = (receipt.item.sender or "").strip().lower()
        recipients = [sender] if "@" in sender else list(entry.emails)
        if not recipients:
            if entry.name not in plan.unreachable:
                plan.unreachable.append(entry.name)
            continue
        month = Month.of(item.received_at, tz)
        line = {
            "title": item.title or item.attachment or "（无标题）",
            "category": rules.category_label(item.category),
            "chars": item.chars,
            "over_limit": item.over_limit,
            "duplicate": item.status == DUPLICATE,
        }
        subject, text, html = templates.email(
            "receipt", unit=entry, item=line, month=month, month_items=receipt.month_items
        )
        for to in recipients:
            plan.messages.append(
                Outgoing("receipt", str(item.id), "email", to, subject, text, entry.name, html)
            )
        if entry.name not in plan.units:
            plan.units.append(entry.name)
    return plan


# ------------------------------------------------------------------------------ notice
def notice_sms_plan(settings: Settings, roster: Roster, rules: Rules, report: ScoredPeriod) -> Plan:
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
