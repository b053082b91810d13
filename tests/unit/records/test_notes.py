"""Item notes (zwxx.records.notes) and migration 0006's reading of old reasons."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path

import pytest

from zwxx.records import notes as N
from zwxx.records.models import Item

ROOT = Path(__file__).resolve().parents[3]


def _item() -> Item:
    return Item(category="dynamic", received_at=datetime(2026, 10, 9, tzinfo=UTC))


def test_the_reason_is_the_notes_texts_joined() -> None:
    item = _item()
    N.set_notes(item, [N.Note("attribution", "甲"), N.over_limit(500, 400, "dynamic", "动态信息")])
    assert item.reason == "甲；字数 500，超过动态信息原则上 400 字的要求，照常计数"
    N.add_note(item, N.Note("joint", "乙"), first=True)
    assert item.reason.startswith("乙；甲；")
    N.drop_notes(item, "over_limit")
    assert item.reason == "乙；甲"
    assert [n["code"] for n in N.notes_json(item)] == ["joint", "attribution"]
    assert item.reason == N.reason_of(N.notes_of(item))


def test_codes_and_data_are_what_code_reads() -> None:
    item = _item()
    N.set_notes(item, [N.revised_by(7, 12)])
    assert N.has_note(item, "revised_by", envelope=7)
    assert not N.has_note(item, "revised_by", envelope=8)
    assert not N.has_note(item, "over_limit")
    assert N.find_note(item, "revised_by").data == {"envelope": 7, "item": 12}
    assert N.notes_json(item) == [
        {"code": "revised_by", "data": {"envelope": 7, "item": 12}, "text": item.reason}
    ]


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError):
        N.Note("over-limit", "x")


def test_every_code_is_documented_in_the_module() -> None:
    for code in N.CODES:
        assert f"``{code}``" in (N.__doc__ or ""), code


def test_the_notes_json_is_a_fresh_list_each_time() -> None:
    # The JSON column only sees a change when a new list is assigned.
    item = _item()
    N.set_notes(item, [N.unknown_sender()])
    before = item.notes
    N.add_note(item, N.Note("legacy", "x"))
    assert item.notes is not before and len(before) == 1


def _migration():
    path = ROOT / "records" / "migrations" / "versions" / "0006_item_notes.py"
    spec = importlib.util.spec_from_file_location("migration_0006", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


OLD_REASONS = [
    (
        "counted",
        "落款中出现单位名称“区民政局”；字数 520，超过动态信息原则上 400 字的要求，照常计数",
        ["attribution", "over_limit"],
    ),
    (
        "counted",
        "OA 子文件夹为“区发改委”；标注为动态信息，但内容（1800字、分5部分）更像调研信息，请核对",
        ["attribution", "label_contradicted"],
    ),
    (
        "counted",
        "OA 子文件夹为“区发改委”；内容已按第 3 件收到的修改稿更新",
        ["attribution", "revised_by"],
    ),
    ("ignored", N.STRANGER_TEXT, ["unknown_sender"]),
    ("duplicate", "与第 4 条内容相同（重复报送），只计一次", ["duplicate_of"]),
    ("duplicate", "修改稿（7 天内标题相同）：内容已更新到第 1 条，只计一次", ["revision_of"]),
    ("ignored", "信息科确认不计：个人转发；非报送（小王，2026-11-02）", ["clerk_ignored"]),
    ("ignored", f"{N.GONE_TEXT}；信息科此前已作出决定：确认不计（小王，2026-11-02）", ["gone"]),
    (
        "review",
        "与第 2 条（区财政局）内容相同，可能为联合报送，请确认；登记邮箱",
        ["joint", "legacy"],
    ),
    ("failed", "无法读取此格式；请安装 LibreOffice", ["unreadable"]),
]


@pytest.mark.parametrize(("status", "reason", "codes"), OLD_REASONS)
def test_migration_reads_old_reasons_once(status: str, reason: str, codes: list[str]) -> None:
    notes = _migration().notes_for(status, reason)
    assert [n["code"] for n in notes] == codes
    assert "；".join(n["text"] for n in notes) == reason  # nothing lost, nothing added


def test_migration_keeps_the_data_code_reads() -> None:
    notes_for = _migration().notes_for
    (revised,) = notes_for("counted", "内容已按第 3 件收到的修改稿更新")
    assert revised["data"] == {"envelope": 3}
    assert notes_for("counted", "") == []
