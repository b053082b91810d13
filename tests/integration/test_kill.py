"""Crash safety with real processes: SIGKILL in the middle of a poll, and two polls at
once. Nothing may be lost, nothing counted twice (SPEC §1.2, §2)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

from tests.helpers import cli_json, left_in_drop, numbered_docx

UNITS = ("区发改委", "区民政局", "区财政局", "区审计局", "凤城街道")
PROGRESS = re.compile(r"已处理 (\d+) 件：")


def fill(drop: Path, count: int) -> set[str]:
    """``count`` distinct .docx files in unit sub-folders; their paths below ``drop``."""
    names = set()
    for n in range(count):
        rel = f"{UNITS[n % len(UNITS)]}/信息{n:03d}.docx"
        path = drop / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(numbered_docx(n))
        names.add(rel)
    return names


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("ZWXX_")}
    out["COLUMNS"] = "200"
    return out


def start_poll(workdir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "zwxx", "--config", str(workdir / "zwxx.toml"), "poll"],
        cwd=workdir,
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )


def kill_after(proc: subprocess.Popen[str], done: int) -> int:
    """Read progress lines until ``done`` files are processed, then SIGKILL; the count."""
    watchdog = threading.Timer(60, proc.kill)  # a hung poll ends the test, not the run
    watchdog.start()
    seen, lines = 0, []
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            match = PROGRESS.search(line)
            if match:
                seen = int(match.group(1))
                if seen >= done:
                    proc.send_signal(signal.SIGKILL)
                    break
    finally:
        watchdog.cancel()
        proc.wait(timeout=30)
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]
    assert seen >= done, f"poll ended after {seen} files:\n{''.join(lines)}"
    assert proc.returncode == -signal.SIGKILL
    return seen


def archived(drop: Path) -> list[str]:
    """Paths below archive/<date>/ (a list: a file archived twice shows twice)."""
    return sorted(
        p.relative_to(day).as_posix()
        for day in (drop / "archive").iterdir()
        for p in day.rglob("*")
        if p.is_file()
    )


def assert_all_counted_once(zwxx, drop: Path, inputs: set[str]) -> None:
    assert left_in_drop(drop) == []
    assert not (drop / "failed").exists()
    assert archived(drop) == sorted(inputs)  # every file once, no "(2)" copies

    envelopes = cli_json(zwxx, "envelopes")
    assert len(envelopes) == len(inputs)
    assert len({e["sha256"] for e in envelopes}) == len(inputs)
    assert {e["path"] for e in envelopes} == inputs
    assert all(e["status"] == "parsed" for e in envelopes)

    items = cli_json(zwxx, "items")
    assert len(items) == len(inputs)
    assert all(i["counted"] is True and i["status"] == "counted" for i in items)
    assert len({i["envelope_id"] for i in items}) == len(inputs)
    assert len({i["title"] for i in items}) == len(inputs)
    assert {f"{i['attachment']}" for i in items} == {rel.split("/")[1] for rel in inputs}


def test_sigkill_mid_poll_loses_nothing_and_counts_nothing_twice(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    inputs = fill(drop, 150)

    kill_after(start_poll(workdir), 10)
    recorded = len(cli_json(zwxx, "envelopes"))
    waiting = left_in_drop(drop)
    assert 10 <= recorded < 150, recorded  # the kill really hit the middle of the run
    assert waiting, "the first poll was not interrupted"
    assert len(waiting) + len(archived(drop)) == 150  # every file is somewhere, once

    kill_after(start_poll(workdir), 5)  # and once more, mid-way through the rest
    # (one of those 5 may be a file recorded just before the first kill, not yet moved)
    assert len(cli_json(zwxx, "envelopes")) >= recorded + 4

    final = zwxx("poll")
    assert "内部错误" not in final.stderr
    assert_all_counted_once(zwxx, drop, inputs)
    assert "新计数" in final.stdout


def _parse_counted(stdout: str) -> int:
    match = re.search(r"新计数 (\d+) 条", stdout)
    assert match, stdout
    return int(match.group(1))


def _two_polls(workdir: Path) -> list[subprocess.CompletedProcess[str]]:
    procs = [start_poll(workdir) for _ in range(2)]
    results = []
    for proc in procs:
        try:
            stdout, stderr = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
        results.append(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr))
    return results


def test_two_polls_at_once_count_each_file_once(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    zwxx("envelopes", "--json")  # the database exists, as it does in service
    inputs = fill(drop, 60)

    results = _two_polls(workdir)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "内部错误" not in result.stderr
    assert sum(_parse_counted(r.stdout) for r in results) == 60
    assert_all_counted_once(zwxx, drop, inputs)


def test_two_polls_at_once_on_a_fresh_database(workdir: Path, zwxx) -> None:
    """Both processes also create the schema and mirror the roster at the same moment."""
    drop = workdir / "drop"
    inputs = fill(drop, 60)

    results = _two_polls(workdir)
    for result in results:
        assert result.returncode == 0, result.stderr
        assert "内部错误" not in result.stderr
    assert sum(_parse_counted(r.stdout) for r in results) == 60
    assert_all_counted_once(zwxx, drop, inputs)
