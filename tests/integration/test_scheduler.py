"""`zwxx run`: the scheduled poll, its back-off, and a real service process."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from tests.conftest import start_service
from zwxx.config.settings import ScheduleSettings
from zwxx.errors import SourceUnavailable
from zwxx.pipeline import Summary
from zwxx.scheduler import PollJob, next_interval


def test_back_off_after_consecutive_failures() -> None:
    s = ScheduleSettings(poll_minutes=5, backoff_after=3, max_backoff_minutes=60)
    assert [next_interval(s, n) for n in range(7)] == [5, 5, 5, 10, 20, 40, 60]


class FakeScheduler:
    def __init__(self) -> None:
        self.rescheduled: list[float] = []

    def reschedule_job(self, job_id: str, trigger) -> None:
        assert job_id == "poll"
        self.rescheduled.append(trigger.interval.total_seconds() / 60)


def test_poll_job_backs_off_and_recovers() -> None:
    outcomes = [SourceUnavailable("邮箱无法连接")] * 4 + [Summary(), Summary()]

    def poll() -> Summary:
        result = outcomes.pop(0)
        if isinstance(result, Exception):
            raise result
        return result

    sched = FakeScheduler()
    job = PollJob(sched, ScheduleSettings(poll_minutes=1, backoff_after=2), poll)
    for _ in range(6):
        job()  # a failing poll never escapes the job: the service keeps running
    assert sched.rescheduled == [2, 4, 8, 1]
    assert job.failures == 0


def test_run_service_polls_and_stops_on_sigterm(workdir: Path) -> None:
    drop = workdir / "drop"
    (drop / "区民政局").mkdir()
    (drop / "区民政局" / "a.txt").write_text("养老服务站建设\n全区新建养老服务站5处。\n", "utf-8")
    proc = start_service(workdir, {"ZWXX_SCHEDULE__POLL_MINUTES": "0.02"})  # every 1.2 s
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not list((drop / "archive").rglob("a.txt")):
            time.sleep(0.2)
        (drop / "区民政局" / "b.txt").write_text("低保提标\n城乡低保标准提高。\n", "utf-8")
        os.utime(drop / "区民政局" / "b.txt", (time.time() - 60, time.time() - 60))
        while time.monotonic() < deadline and not list((drop / "archive").rglob("b.txt")):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "每 0.02 分钟收取一次" in out
    passes = [line for line in err.splitlines() if "poll ok:" in line]
    assert len(passes) >= 2  # one line per pass
    assert any("1 items counted" in line for line in passes)
    assert list((drop / "archive").rglob("a.txt")) and list((drop / "archive").rglob("b.txt"))
