"""Recording and sending notifications, exactly once.

Every message becomes a ``Notification`` row first, keyed by (kind, period, recipient,
channel): queueing the same reminder again finds the row and adds nothing, so a re-run,
a restart or the scheduler catching up never sends twice. Rows are then sent one by one:
each is claimed with a conditional UPDATE (only one process can win it), sent, and marked
sent or failed. A failed send is retried later with a doubling delay (capped at
``schedule.max_backoff_minutes``), up to ``schedule.max_attempts``; what still fails stays
visible (``zwxx notifications``) and in the monthly digest.

Never twice beats never late: a send whose fate is unknown — the process was killed
between sending and recording (a row left in ``sending``), or the server took the
request and never answered — is reported, not sent blindly again; the clerk checks and
uses ``zwxx notifications --resend``. A server that cannot be reached at all stops that
channel for the rest of the pass (the other messages wait for the next pass, without
using up an attempt), so a dead mail server does not hold up the poll for an hour.

Without an SMTP server or SMS gateway configured, messages are written to the outbox
folder and recorded as ``outbox`` — never as sent.
"""

from __future__ import annotations

import json
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from zwxx.config.settings import Settings
from zwxx.notify.channels import Attachment, Channel, Email, SendError, Sms, fit_sms, sms_segments
from zwxx.notify.compose import Outgoing
from zwxx.records.db import session_scope
from zwxx.records.models import Notification, utcnow

log = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, OUTBOX = "pending", "sending", "sent", "failed", "outbox"
STATUS_LABELS = {
    PENDING: "待发送",
    SENDING: "发送中",
    SENT: "已发送",
    OUTBOX: "已写入发件箱（未发出）",
    FAILED: "失败",
}
STALE_SENDING = timedelta(minutes=10)  # longer than any one send (timeouts are shorter)


@dataclass
class Delivery:
    """What a run did, for the Chinese summary line."""

    queued: int = 0  # new notifications recorded
    already: int = 0  # recorded before (sent, or waiting): not queued again
    sent: int = 0
    outbox: int = 0  # written to the outbox folder: no server configured for the channel
    failed: int = 0
    retrying: int = 0  # of the failed, how many will be retried automatically
    postponed: int = 0  # not tried: the channel's server could not be reached this pass
    written: list[Path] = field(default_factory=list)  # outbox files (dry run)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"新增 {self.queued} 条", f"发送成功 {self.sent} 条"]
        if self.outbox:
            parts.append(f"写入发件箱 {self.outbox} 条（未设置邮件服务器或短信网关，未实际发出）")
        if self.failed:
            later = f"，其中 {self.retrying} 条稍后自动重试" if self.retrying else ""
            parts.append(f"发送失败 {self.failed} 条{later}")
        if self.postponed:
            parts.append(f"{self.postponed} 条因服务器无法连接推迟到下次")
        if self.already:
            parts.append(f"{self.already} 条此前已发送或已在队列中，不重复发送")
        return "，".join(parts)


class Postman:
    """Queues ``Outgoing`` messages as records and sends what is due."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        email: Channel,
        sms: Channel,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.engine, self.settings = engine, settings
        self.channels = {"email": email, "sms": sms}
        self.clock = clock

    # -------------------------------------------------------------------- queueing
    def queue(self, messages: list[Outgoing], out: Delivery) -> None:
        """Record each message unless the same one (kind, period, recipient, channel)
        was recorded before."""
        for m in messages:
            text = m.text
            segments = 0
            if m.channel == "sms":
                text = fit_sms(text, self.settings.sms.max_chars)
                segments = sms_segments(text)
            row = Notification(
                kind=m.kind,
                period=m.period,
                recipient=m.recipient[:254],
                channel=m.channel,
                unit=m.unit[:100],
                subject=m.subject,
                body=text,
                html=m.html,
                attachments=json.dumps([str(p) for p in m.attachments], ensure_ascii=False),
                segments=segments,
                status=PENDING,
            )
            try:
                with session_scope(self.engine) as session:
                    if self._exists(session, m):
                        out.already += 1
                        continue
                    session.add(row)
                out.queued += 1
            except IntegrityError:  # another process recorded it first
                out.already += 1

    @staticmethod
    def _exists(session: Session, m: Outgoing) -> bool:
        return (
            session.exec(
                select(Notification.id).where(
                    Notification.kind == m.kind,
                    Notification.period == m.period,
                    Notification.recipient == m.recipient[:254],
                    Notification.channel == m.channel,
                    Notification.unit == m.unit[:100],
                )
            ).first()
            is not None
        )

    # -------------------------------------------------------------------- sending
    def deliver_due(self, out: Delivery) -> None:
        """Send every pending notification and every failed one whose retry is due."""
        now = self.clock()
        self._mark_stale(now)
        with Session(self.engine) as session:
            due = session.exec(
                select(Notification.id, Notification.channel)
                .where(
                    sa.or_(
                        col(Notification.status) == PENDING,
                        sa.and_(
                            col(Notification.status) == FAILED,
                            col(Notification.next_attempt_at).is_not(None),
                            col(Notification.next_attempt_at) <= now,
                        ),
                    )
                )
                .order_by(col(Notification.id))
            ).all()
        down: set[str] = set()  # channels whose server could not be reached this pass
        for nid, channel in due:
            if nid is None:
                continue
            if channel in down:
                out.postponed += 1
                continue
            if self._send_one(nid, out) == "unreachable":
                down.add(channel)

    def _claim(self, nid: int, now: datetime) -> bool:
        with session_scope(self.engine) as session:
            result = session.exec(
                sa.update(Notification)
                .where(
                    col(Notification.id) == nid,
                    col(Notification.status).in_([PENDING, FAILED]),
                )
                .values(status=SENDING, attempts=Notification.attempts + 1, claimed_at=now)
            )
            return result.rowcount == 1

    def _send_one(self, nid: int, out: Delivery) -> str:
        """Send one claimed row; returns "sent", "failed", "unreachable" or "taken"."""
        now = self.clock()
        if not self._claim(nid, now):
            return "taken"  # another process took it
        with Session(self.engine) as session:
            row = session.get(Notification, nid)
            assert row is not None
            session.expunge(row)
        channel = self.channels[row.channel]
        error, unreachable, uncertain = None, False, False
        try:
            channel.send(self._message(row))
        except SendError as exc:
            error, unreachable, uncertain = exc.message, exc.unreachable, exc.uncertain
        except OSError as exc:  # an attachment gone from disk, a full outbox disk
            error = f"发送准备失败：{exc}"
        except Exception as exc:  # a bug must not stop the other sends
            log.exception("notification %s: unexpected error", nid)
            error = f"内部错误（{type(exc).__name__}）"
        with session_scope(self.engine) as session:
            fresh = session.get(Notification, nid)
            assert fresh is not None
            fresh.via = channel.via
            if error is None:
                fresh.status = OUTBOX if channel.via == "outbox" else SENT
                fresh.error, fresh.next_attempt_at = None, None
                fresh.sent_at = self.clock()
                if fresh.status == OUTBOX:
                    out.outbox += 1
                else:
                    out.sent += 1
                return "sent"
            schedule = self.settings.schedule
            fresh.status, fresh.next_attempt_at = FAILED, None
            if uncertain:
                error += "；为免重复，未自动重发，核实后可用 zwxx notifications --resend 补发"
            elif fresh.attempts < schedule.max_attempts:
                delay = min(
                    schedule.retry_minutes * 2 ** (fresh.attempts - 1),
                    schedule.max_backoff_minutes,
                )
                fresh.next_attempt_at = self.clock() + timedelta(minutes=delay)
                out.retrying += 1
            else:
                error += f"；已尝试 {fresh.attempts} 次，不再自动重试"
            fresh.error = error[:2000]
            out.failed += 1
            out.errors.append(f"{fresh.recipient}：{error}")
            log.warning("notification %s to %s failed: %s", nid, fresh.recipient, error)
        return "unreachable" if unreachable else "failed"

    def _mark_stale(self, now: datetime) -> None:
        """Rows left in ``sending`` by a killed process: unknown whether they arrived."""
        with session_scope(self.engine) as session:
            session.exec(
                sa.update(Notification)
                .where(
                    col(Notification.status) == SENDING,
                    col(Notification.claimed_at) < now - STALE_SENDING,
                )
                .values(
                    status=FAILED,
                    next_attempt_at=None,
                    error="发送过程中程序中断，不能确定是否已送达，未自动重发；"
                    "核实后可用 zwxx notifications --resend 编号 补发",
                )
            )

    @staticmethod
    def _message(row: Notification) -> Email | Sms:
        if row.channel == "sms":
            return Sms(phone=row.recipient, text=row.body)
        attachments = []
        for name in json.loads(row.attachments or "[]"):
            path = Path(name)
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            attachments.append(Attachment(path.name, path.read_bytes(), mime))
        return Email(
            to=[row.recipient],
            subject=row.subject,
            text=row.body,
            html=row.html,
            attachments=attachments,
        )

    # -------------------------------------------------------------------- dry run
    def dry_run(self, messages: list[Outgoing], out: Delivery) -> None:
        """Write the messages to the outbox only: nothing recorded, nothing sent."""
        for m in messages:
            row = Notification(
                kind=m.kind,
                period=m.period,
                recipient=m.recipient,
                channel=m.channel,
                unit=m.unit,
                subject=m.subject,
                body=fit_sms(m.text, self.settings.sms.max_chars) if m.channel == "sms" else m.text,
                html=m.html,
                attachments=json.dumps([str(p) for p in m.attachments]),
            )
            out.written.append(Path(self.channels[m.channel].send(self._message(row))))


def resend(engine: Engine, ids: list[int] | None) -> list[str]:
    """Put notifications that failed (or only went to the outbox) back in the queue: the
    clerk checked they did not arrive. ``None``: every failed one."""
    notes = []
    with session_scope(engine) as session:
        if ids is None:
            rows = session.exec(select(Notification).where(Notification.status == FAILED)).all()
            for row in rows:
                row.status, row.next_attempt_at = PENDING, None
            return [f"{len(rows)} 条失败的通知已重新排队"]
        for nid in ids:
            found = session.get(Notification, nid)
            if found is None:
                notes.append(f"第 {nid} 条通知不存在")
            elif found.status not in (FAILED, OUTBOX):
                label = STATUS_LABELS.get(found.status, found.status)
                notes.append(f"第 {nid} 条通知状态为“{label}”，只有失败或只写入发件箱的可以补发")
            else:
                found.status, found.next_attempt_at = PENDING, None
                notes.append(f"第 {nid} 条通知已重新排队")
    return notes
