"""The OA drop folder (SPEC §1.2) through the DropFolder class itself: which files are
taken and when, sidecars, races the CLI cannot stage, and the moves to archive/ and
failed/. The end-to-end runs are in tests/integration/test_dropfolder.py."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import TZ, at, put
from zwxx.ingest.dropfolder import DropFolder


# --------------------------------------------------------------------------- settling
def test_settle_uses_the_clock_and_the_sidecar(tmp_path: Path) -> None:
    t0 = at("2019-04-05T09:00:00")
    now = [t0 + 5]
    folder = DropFolder(tmp_path, TZ, settle_seconds=10, clock=lambda: now[0])
    doc = put(tmp_path / "区民政局" / "x.txt", "标题\n正文。\n", when=t0)
    assert folder.candidates() == []
    now[0] = t0 + 11
    assert folder.candidates() == [doc]
    put(tmp_path / "区民政局" / "x.txt.json", "{}", when=t0 + 8)
    assert folder.candidates() == []  # the sidecar changed 3 s ago
    now[0] = t0 + 18
    assert folder.candidates() == [doc]


def test_temporary_and_hidden_files_are_not_candidates(tmp_path: Path) -> None:
    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    real = put(tmp_path / "区民政局" / "正式.docx", b"x")
    for name in ("~$正式.docx", ".正式.docx.swp", "正式.docx.tmp", "下载.part", "a.crdownload"):
        put(tmp_path / "区民政局" / name, b"x")
    put(tmp_path / ".hidden" / "x.txt", b"x")
    put(tmp_path / "archive" / "2019-04-05" / "old.txt", b"x")
    put(tmp_path / "failed" / "2019-04-05" / "old.txt", b"x")
    put(tmp_path / "failed" / "2019-04-05" / "old.txt.error.txt", b"x")
    put(tmp_path / "lonely.txt.json", b"{}")
    assert folder.candidates() == [real]


# ------------------------------------------------------------------------ sidecars
def test_sidecar_gives_unit_sender_and_received_at(tmp_path: Path) -> None:
    """The values the end-to-end sidecar tests see, as the source hands them on."""
    put(tmp_path / "a1.docx", b"PK\x03\x04 any bytes")
    put(
        tmp_path / "a1.docx.json",
        json.dumps(
            {"unit": "区发改委", "sender": "OA@Laiwu.gov.cn", "received_at": "2019-04-05T09:30:00"},
            ensure_ascii=False,
        ),
    )
    put(tmp_path / "区民政局" / "b2.txt", "社区服务提质增效\n全区社区服务中心实现全覆盖。\n")
    put(
        tmp_path / "区民政局" / "b2.txt.json",
        '{"received_at": "2019-04-30T17:30:00Z"}',
        encoding="utf-8-sig",
    )
    got = {i.name: i for i in DropFolder(tmp_path, TZ, settle_seconds=0).incoming()}
    assert set(got) == {"a1.docx", "b2.txt"}
    a1, b2 = got["a1.docx"], got["b2.txt"]
    assert (a1.sidecar_unit, a1.folder_unit, a1.failure) == ("区发改委", None, None)
    assert a1.sender == "oa@laiwu.gov.cn"
    assert a1.received_at.isoformat() == "2019-04-05T09:30:00+08:00"  # naive: Asia/Shanghai
    assert (b2.sidecar_unit, b2.folder_unit, b2.failure) == (None, "区民政局", None)
    # UTC at the end of April is already May in Asia/Shanghai.
    assert b2.received_at.astimezone(TZ).isoformat() == "2019-05-01T01:30:00+08:00"


def test_a_sidecar_that_cannot_be_used_fails_its_file_with_a_reason(tmp_path: Path) -> None:
    text = "养老服务站建设\n全区新建养老服务站5处。\n"
    put(tmp_path / "a.txt", text)
    (tmp_path / "a.txt.json").mkdir()  # a "sidecar" that is a folder
    put(tmp_path / "b.txt", text)
    put(tmp_path / "b.txt.json", json.dumps({"unit": 5, "received_at": 12}))
    put(tmp_path / "c.txt", text)
    put(tmp_path / "c.txt.json", json.dumps({"unit": "区民政局", "received_at": "昨天"}))
    put(tmp_path / "d.txt", text)
    put(tmp_path / "d.txt.json", b"{not json")
    put(tmp_path / "e.txt", text)
    put(tmp_path / "e.txt.json", '["区民政局"]')
    os.symlink("loop.txt.json", tmp_path / "loop.txt.json")  # a symlink loop
    put(tmp_path / "loop.txt", text)
    put(tmp_path / "空.docx", b"")
    put(tmp_path / "good.txt", text)
    got = {i.name: i for i in DropFolder(tmp_path, TZ, settle_seconds=0).incoming()}
    assert set(got) == {
        "a.txt",
        "b.txt",
        "c.txt",
        "d.txt",
        "e.txt",
        "loop.txt",
        "空.docx",
        "good.txt",
    }
    for name in ("a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "loop.txt"):
        assert got[name].failure.startswith(f"附带说明文件 {name}.json 无法使用："), name
    assert "文件夹" in got["a.txt"].failure
    assert "“unit”应为文字" in got["b.txt"].failure
    assert "不是有效时间" in got["c.txt"].failure
    assert "不是 UTF-8 编码的 JSON" in got["d.txt"].failure
    assert "应为 JSON 对象" in got["e.txt"].failure
    assert "无法读取" in got["loop.txt"].failure
    assert "文件为空" in got["空.docx"].failure
    assert got["good.txt"].failure is None
    # The failed file's identity includes its sidecar: corrected, it is a new envelope.
    put(tmp_path / "c.txt.json", json.dumps({"received_at": "2019-04-05 09:30"}))
    (again,) = [
        i for i in DropFolder(tmp_path, TZ, settle_seconds=0).incoming() if i.name == "c.txt"
    ]
    assert again.failure is None and again.identity != got["c.txt"].identity
    assert again.received_at.isoformat() == "2019-04-05T09:30:00+08:00"


def test_unreadable_or_nested_unit_folder_does_not_stop_the_listing(tmp_path: Path) -> None:
    put(
        tmp_path / "区民政局" / "a.txt",
        "养老服务\n全区新建养老服务站5处。\n",
        when=at("2019-04-05T09:00"),
    )
    put(
        tmp_path / "区民政局" / "旧稿" / "b.txt",
        "旧稿\n不应被收取。\n",
        when=at("2019-04-05T09:01"),
    )
    put(
        tmp_path / "口镇" / "c.txt",
        "秋种\n口镇完成小麦播种3.2万亩。\n",
        when=at("2019-04-05T09:02"),
    )
    source = DropFolder(tmp_path, ZoneInfo("Asia/Shanghai"), settle_seconds=0)
    assert [p.name for p in source.candidates()] == ["a.txt", "c.txt"]
    assert any("旧稿" in p and "不会被收取" in p for p in source.problems)
    real_iterdir = Path.iterdir

    def flaky(self: Path):
        if self.name == "区民政局":
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    source = DropFolder(tmp_path, ZoneInfo("Asia/Shanghai"), settle_seconds=0)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Path, "iterdir", flaky)
        names = [p.name for p in source.candidates()]
    assert names == ["c.txt"]
    assert any("区民政局" in p and "无法读取" in p for p in source.problems)


# ------------------------------------------------------------- races and locked files
def test_file_vanishing_between_listing_and_reading_is_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    for n in range(3):
        put(
            tmp_path / "区民政局" / f"{n}.txt",
            f"标题{n}\n正文{n}。\n",
            when=at(f"2019-04-0{n + 1}T09:00"),
        )
    listed = folder.candidates()
    assert [p.name for p in listed] == ["0.txt", "1.txt", "2.txt"]
    listed[1].unlink()  # the OA (or a colleague) takes it back
    monkeypatch.setattr(folder, "candidates", lambda: listed)
    taken = list(folder.incoming())
    assert [i.name for i in taken] == ["0.txt", "2.txt"]
    assert taken[0].folder_unit == "区民政局" and taken[0].raw == "标题0\n正文0。\n".encode()
    assert folder.problems == []

    # Recorded, then gone before the move: no error, nothing invented.
    listed[2].unlink()
    folder.after_commit(taken[1], "parsed", None)
    folder.after_commit(taken[1], "failed", "无法读取")
    assert list(tmp_path.rglob("2.txt*")) == []


def test_file_vanishing_during_iteration_is_skipped(tmp_path: Path) -> None:
    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    for n in range(3):
        put(tmp_path / f"{n}.txt", f"标题{n}\n正文{n}。\n", when=at(f"2019-04-0{n + 1}T09:00"))
    stream = folder.incoming()
    assert next(stream).name == "0.txt"
    (tmp_path / "1.txt").unlink()
    assert [i.name for i in stream] == ["2.txt"]


def test_file_that_cannot_be_read_waits_for_the_next_poll(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = put(tmp_path / "区民政局" / "锁定.docx", b"locked")
    free = put(tmp_path / "区民政局" / "可读.txt", "标题\n正文。\n")
    real_read = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self == locked:  # what Windows sharing or a missing permission looks like
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    with monkeypatch.context() as m:
        m.setattr(Path, "read_bytes", read_bytes)
        assert [i.name for i in folder.incoming()] == ["可读.txt"]
    assert locked.exists() and free.exists()
    assert any("锁定.docx" in p and "暂时无法读取" in p for p in folder.problems)
    assert not (tmp_path / "failed").exists()  # not a failure: just not yet

    later = DropFolder(tmp_path, TZ, settle_seconds=0)
    assert sorted(i.name for i in later.incoming()) == ["可读.txt", "锁定.docx"]


def test_file_without_read_permission_is_left_for_the_next_poll(tmp_path: Path) -> None:
    locked = put(tmp_path / "区民政局" / "无权限.txt", "标题\n正文。\n")
    locked.chmod(0)
    try:
        if os.geteuid() == 0:
            pytest.skip("running as root: chmod 000 does not stop root from reading the file")
        folder = DropFolder(tmp_path, TZ, settle_seconds=0)
        assert list(folder.incoming()) == []
        assert locked.exists()
        assert any("无权读取" in p for p in folder.problems)
    finally:
        locked.chmod(0o644)
    assert [i.name for i in DropFolder(tmp_path, TZ, settle_seconds=0).incoming()] == ["无权限.txt"]


def test_moves_keep_the_sidecar_and_never_overwrite(tmp_path: Path) -> None:
    # 07:00 in Asia/Shanghai is still the previous day in UTC: the folder uses local time.
    moment = at("2019-04-06T07:00:00")
    folder = DropFolder(tmp_path, TZ, settle_seconds=0, clock=lambda: moment)
    outcomes = ["parsed", "duplicate", "failed", "failed"]
    for n, status in enumerate(outcomes):
        put(tmp_path / "区民政局" / "同名.txt", f"标题\n第{n}版。\n", when=moment - 60)
        put(tmp_path / "区民政局" / "同名.txt.json", f'{{"sender": "v{n}@x.cn"}}', when=moment - 60)
        (item,) = folder.incoming()
        folder.after_commit(item, status, f"无法读取：第{n}版")
    archived = tmp_path / "archive" / "2019-04-06" / "区民政局"
    failed = tmp_path / "failed" / "2019-04-06" / "区民政局"
    assert sorted(p.name for p in archived.iterdir()) == [
        "同名 (2).txt",
        "同名 (2).txt.json",
        "同名.txt",
        "同名.txt.json",
    ]
    assert sorted(p.name for p in failed.iterdir()) == [
        "同名 (2).txt",
        "同名 (2).txt.error.txt",
        "同名 (2).txt.json",
        "同名.txt",
        "同名.txt.error.txt",
        "同名.txt.json",
    ]
    assert (archived / "同名 (2).txt").read_text(encoding="utf-8") == "标题\n第1版。\n"
    assert (archived / "同名 (2).txt.json").read_text(encoding="utf-8") == '{"sender": "v1@x.cn"}'
    assert (failed / "同名 (2).txt.json").read_text(encoding="utf-8") == '{"sender": "v3@x.cn"}'
    assert (failed / "同名 (2).txt.error.txt").read_text(encoding="utf-8") == "无法读取：第3版\n"
    assert list((tmp_path / "区民政局").iterdir()) == []


class Killed(BaseException):
    """What SIGKILL looks like from inside: nothing after it runs."""


def test_file_replaced_while_being_recorded_is_not_archived_unread(tmp_path: Path) -> None:
    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    path = put(
        tmp_path / "区民政局" / "修改稿.txt", "标题\n第一版。\n", when=at("2019-04-05T09:00")
    )
    (item,) = folder.incoming()
    assert item.raw == "标题\n第一版。\n".encode()
    # The OA exports a corrected version under the same name while the first is recorded.
    second = "标题\n第二版，内容有修改。\n"
    put(path, second, when=at("2019-04-05T09:01"))
    folder.after_commit(item, "parsed", None)
    assert path.read_text(encoding="utf-8") == second  # not archived: it was never read
    assert not (tmp_path / "archive").exists() or not any((tmp_path / "archive").rglob("*.txt"))
    assert any("修改稿.txt" in p and "替换" in p for p in folder.problems)

    later = DropFolder(tmp_path, TZ, settle_seconds=0)
    (again,) = later.incoming()
    assert again.raw == second.encode()
    later.after_commit(again, "parsed", None)
    assert not path.exists()
    (archived,) = (tmp_path / "archive").rglob("修改稿*.txt")
    assert archived.read_text(encoding="utf-8") == second


def test_crash_between_moving_a_file_and_its_sidecar_strands_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = tmp_path / "区民政局"
    put(unit / "报告.txt", "标题\n正文。\n", when=at("2019-04-05T09:00"))
    put(
        unit / "报告.txt.json",
        '{"received_at": "2019-04-05T09:00:00"}',
        when=at("2019-04-05T09:00"),
    )
    folder = DropFolder(tmp_path, TZ, settle_seconds=0)
    (item,) = folder.incoming()

    real_move, moved = shutil.move, []

    def move_then_die(src, dst):
        if moved:
            raise Killed
        moved.append(Path(src).name)
        return real_move(src, dst)

    with monkeypatch.context() as m:
        m.setattr(shutil, "move", move_then_die)
        with pytest.raises(Killed):
            folder.after_commit(item, "parsed", None)
    assert len(moved) == 1  # killed between the two moves

    # Whatever is left must be taken by the next poll: a stray sidecar would never be,
    # and would be read as the metadata of the next file called 报告.txt.
    leftovers = sorted(unit.iterdir())
    assert leftovers
    after = DropFolder(tmp_path, TZ, settle_seconds=0)
    assert after.candidates() == leftovers
    for again in after.incoming():
        after.after_commit(again, "seen", None)
    assert list(unit.iterdir()) == []
    archived = sorted(p.name for p in (tmp_path / "archive").rglob("*") if p.is_file())
    assert len(archived) == 2 and archived.count("报告.txt.json") == 1
