"""Crash safety with real processes: SIGKILL in the middle of a poll, and two polls at
once. Nothing may be lost, nothing counted twice (SPEC §1.2, §2)."""

from __future__ import annotations

import functools
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import docx

UNITS = ("区发改委", "区民政局", "区财政局", "区审计局", "凤城街道")
PLACE = "ZWXXPLACEHOLDER"
PROGRESS = re.compile(r"已处理 (\d+) 件：")


@functools.cache
def _template() -> bytes:
    document = docx.Document()
    document.add_heading(f"标题{PLACE}", level=1)
    document.add_paragraph(f"正文{PLACE}：全区各项工作稳步推进，完成情况良好。")
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@functools.cache
def numbered_docx(n: int) -> bytes:
    """A .docx whose title and body are unique to ``n`` (template with a placeholder)."""
    label = f"第{n:03d}号（{'甲乙丙丁戊己庚辛壬癸'[n % 10]}{n * 7919 % 1000:03d}）"
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(_template())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(PLACE.encode(), label.encode())
            dst.writestr(info, data)
    return out.getvalue()


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


def cli_json(zwxx, *args: str) -> list[dict]:
    return json.loads(zwxx(*args, "--json").stdout)


def left_in_drop(drop: Path) -> list[str]:
    return sorted(
        p.relative_to(drop).as_posix()
        for p in drop.rglob("*")
        if p.is_file() and p.relative_to(drop).parts[0] not in ("archive", "failed")
    )


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


def test_helpers_make_distinct_documents() -> None:
    docs = {numbered_docx(n) for n in range(150)}
    assert len(docs) == 150
    text = "".join(p.text for p in docx.Document(io.BytesIO(numbered_docx(7))).paragraphs)
    assert "第007号" in text and PLACE not in text
