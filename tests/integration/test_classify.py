"""Classification end to end: the label-conflict note and revisions (修改稿) through
``zwxx poll``. The rules themselves (cue words, labels, conflicting unit sources) are
unit tests in tests/unit/classify/."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import at, body_of, cli_json, put
from tests.unit.classify.helpers import conflict_document


def test_conflict_note_reaches_the_item_reason_and_it_still_counts(workdir: Path, zwxx) -> None:
    doc = conflict_document()
    body = "\n".join(doc.paragraphs) + "\n供稿：区发改委\n"
    put(workdir / "drop" / "区发改委" / "【动态】全区民间投资运行分析.txt", body)
    zwxx("poll")
    (item,) = cli_json(zwxx, "items")
    assert item["counted"] and item["category"] == "dynamic"
    assert "标注为动态信息，但内容" in item["reason"] and "更像调研信息，请核对" in item["reason"]


def test_revision_replaces_the_earlier_version(workdir: Path, zwxx) -> None:
    drop = workdir / "drop" / "区发改委"
    text = "全区重点项目推进会召开\n会议部署项目{n}个，总投资38.6亿元。\n"
    put(drop / "推进会.txt", text.format(n=12), when=at("2026-10-09T09:00:00"))
    put(drop / "推进会（修改稿）.txt", text.format(n=13), when=at("2026-10-10T09:00:00"))
    # The same title eleven days later is a new item, not a revision.
    put(drop / "下周.txt", text.format(n=20), when=at("2026-10-20T09:00:00"))
    zwxx("poll")
    first, revision, later = cli_json(zwxx, "items")
    assert first["counted"] and "13个" in body_of(workdir, first["id"])
    assert first["received_at"].startswith("2026-10-09")  # counts in the first version's month
    assert revision["status"] == "duplicate" and "修改稿" in revision["reason"]
    assert later["counted"]
