"""`zwxx run`: the poll every N minutes with APScheduler.

Never two polls at once (max_instances=1), missed runs coalesced into one, and after
``backoff_after`` failed polls in a row the interval doubles up to a ceiling, so a
mailbox that is down is not hammered. Each pass logs one line.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from config.settings import ScheduleSettings
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
    ) -> None:
        self.scheduler = scheduler
        self.schedule = schedule
        self.poll = poll
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
        interval = next_interval(self.schedule, self.failures)
        if interval != self.interval:
            self.interval = interval
            log.warning("next poll in %.1f minutes (%d failures in a row)", interval, self.failures)
            self.scheduler.reschedule_job("poll", trigger=IntervalTrigger(minutes=interval))


def run(schedule: ScheduleSettings, tz, poll: Callable[[], Summary]) -> None:
    """Block, polling on schedule, until SIGTERM or SIGINT."""
    scheduler = BlockingScheduler(timezone=tz)
    job = PollJob(scheduler, schedule, poll)
    scheduler.add_job(
        job,
        IntervalTrigger(minutes=schedule.poll_minutes),
        id="poll",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=int(schedule.poll_minutes * 60),
        next_run_time=datetime.now(tz),
    )

    def stop(signum: int, _frame: object) -> None:
        log.info("signal %d: stopping after the current pass", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("zwxx run: polling every %.1f minutes", schedule.poll_minutes)
    scheduler.start()
