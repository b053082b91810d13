"""`zwxx run`: the poll every N minutes, and the notifications on their days, with
APScheduler in the office's timezone.

Never two polls at once (max_instances=1), missed runs coalesced into one, and after
``backoff_after`` failed polls in a row the interval doubles up to a ceiling, so a
mailbox that is down is not hammered. Each pass logs one line.

The weekly reminder and the monthly digest run on cron triggers. APScheduler's memory
job store forgets a run missed while the service was down, so on start each one whose
last due time lies within ``grace_hours`` is run once; sending is idempotent (the
notification records), so a run that had in fact happened sends nothing again.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from zwxx.config.settings import ScheduleSettings
from zwxx.errors import ZwxxError
from zwxx.pipeline import Summary

log = logging.getLogger("zwxx.run")


def next_interval(schedule: ScheduleSettings, failures: int) -> float:
    """Minutes until the next poll after ``failures`` failed polls in a row."""
    if failures < schedule.backoff_after:
        return schedule.poll_minutes
    doublings = failures - schedule.backoff_after + 1
    return min(schedule.poll_minutes * 2**doublings, schedule.max_backoff_minutes)


class PollJob:
    """The scheduled job: runs one poll, logs one line, adjusts the interval."""

    def __init__(
        self,
        scheduler: BlockingScheduler,
        schedule: ScheduleSettings,
        poll: Callable[[], Summary],
        after_poll: Callable[[], None] | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.schedule = schedule
        self.poll = poll
        self.after_poll = after_poll
        self.failures = 0
        self.interval = schedule.poll_minutes

    def __call__(self) -> None:
        started = time.monotonic()
        try:
            summary = self.poll()
            ok = not summary.errors
            log.info(
                "poll %s: %d new envelopes, %d items counted, %d review, %d seen before, "
                "%d failed in %.1fs%s",
                "ok" if ok else "partial",
                summary.envelopes,
                summary.items.get("counted", 0),
                summary.items.get("review", 0),
                summary.seen_before,
                summary.failed,
                time.monotonic() - started,
                "" if ok else f"; source errors: {' | '.join(summary.errors)}",
            )
        except ZwxxError as exc:
            ok = False
            log.error("poll failed: %s", exc.message)
        except Exception:  # keep the service alive; the next pass may succeed
            ok = False
            log.exception("poll crashed")
        self.failures = 0 if ok else self.failures + 1
        if self.after_poll is not None:  # receipts and due retries: not blocked by a bad poll
            try:
                self.after_poll()
            except Exception:
                log.exception("sending notifications failed")
        interval = next_interval(self.schedule, self.failures)
        if interval != self.interval:
            self.interval = interval
            log.warning("next poll in %.1f minutes (%d failures in a row)", interval, self.failures)
            self.scheduler.reschedule_job("poll", trigger=IntervalTrigger(minutes=interval))


_WEEKDAYS = dict(
    zip(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "一二三四五六日", strict=True)
)


@dataclass
class Timed:
    """A job on a calendar trigger; ``func`` gets the moment it runs for."""

    id: str
    label: str  # Chinese, for the start-up line
    trigger: BaseTrigger
    func: Callable[[datetime], None]


def timed_jobs(
    schedule: ScheduleSettings,
    tz: tzinfo,
    weekly: Callable[[datetime], None],
    digest: Callable[[datetime], None],
) -> list[Timed]:
    """The weekly reminder and the monthly digest at the configured times."""
    wh, wm = (int(x) for x in schedule.weekly_time.split(":"))
    dh, dm = (int(x) for x in schedule.digest_time.split(":"))
    return [
        Timed(
            "weekly",
            f"每周{_WEEKDAYS[schedule.weekly_day]} {schedule.weekly_time} 催报",
            CronTrigger(day_of_week=schedule.weekly_day, hour=wh, minute=wm, timezone=tz),
            weekly,
        ),
        Timed(
            "digest",
            f"每月{schedule.digest_day}日 {schedule.digest_time} 月度报告",
            CronTrigger(day=schedule.digest_day, hour=dh, minute=dm, timezone=tz),
            digest,
        ),
    ]


def missed_run(trigger: BaseTrigger, now: datetime, grace: timedelta) -> datetime | None:
    """The last time ``trigger`` was due within ``grace`` before ``now``, if any."""
    due = None
    moment = trigger.get_next_fire_time(None, now - grace)
    while moment is not None and moment <= now:
        due = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return due


def _guarded(job: Timed, at: datetime | None = None) -> Callable[[], None]:
    """The job as the scheduler calls it: never raises. A catch-up runs ``at`` the time it
    was due, so it makes the same notifications (the same week, the same month) as the
    missed run would have."""

    def call() -> None:
        try:
            job.func(at or datetime.now(UTC))
        except ZwxxError as exc:
            log.error("%s failed: %s", job.id, exc.message)
        except Exception:  # keep the service alive; the next run may succeed
            log.exception("%s crashed", job.id)

    return call


def run(
    schedule: ScheduleSettings,
    tz,
    poll: Callable[[], Summary],
    timed: Sequence[Timed] = (),
    after_poll: Callable[[], None] | None = None,
) -> None:
    """Block, polling and notifying on schedule, until SIGTERM or SIGINT."""
    scheduler = BlockingScheduler(timezone=tz)
    job = PollJob(scheduler, schedule, poll, after_poll)
    scheduler.add_job(
        job,
        IntervalTrigger(minutes=schedule.poll_minutes),
        id="poll",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(schedule.poll_minutes * 60),
        next_run_time=datetime.now(tz),
    )
    grace = timedelta(hours=schedule.grace_hours)
    now = datetime.now(tz)
    for t in timed:
        scheduler.add_job(
            _guarded(t),
            t.trigger,
            id=t.id,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=int(grace.total_seconds()),
        )
        due = missed_run(t.trigger, now, grace)
        if due is not None:  # missed while the service was down: run it once now
            log.info("%s was due at %s: running it now", t.id, due.isoformat())
            scheduler.add_job(
                _guarded(t, due),
                id=f"{t.id}-catch-up",
                next_run_time=now,
                misfire_grace_time=None,  # a slow start must not skip it
            )
        log.info("scheduled: %s", t.label)

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the current pass", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("zwxx run: polling every %.1f minutes", schedule.poll_minutes)
    scheduler.start()
