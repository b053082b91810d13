"""Titles end to end through the OA drop folder and the real CLI (issue 12): a body-only
mail under a cover subject is titled and attributed by its heading, a cover note with
nothing attached is no item, a 简报's masthead is neither title nor 字数, tags go."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from tests.helpers import cli_json, eml_bytes, put

HEADING = "区城管局：开展“清洁家园”集中整治行动"
TEXT = (
    "近日，区城管局组织执法人员对城区主次干道开展集中整治，清理占道经营摊点42处，"
    "拆除违规广告牌15块，规范共享单车停放点位36处。"
)


def _docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for text in lines:
        document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def test_titles_cover_notes_and_mastheads_through_the_drop_folder(workdir: Path, zwxx) -> None:
    drop = workdir / "drop"
    put(drop / "heading.eml", eml_bytes("报送信息一条", f"{HEADING}\n\n{TEXT}\n", []))
    put(drop / "cover.eml", eml_bytes("6月份信息", "附件是6月份信息，请查收。\n", []))
    short = "近日，寨里镇举办小米产业发展推进会，全镇小米种植面积达到1.2万亩，带动农户增收。"
    put(drop / "tags.eml", eml_bytes("动态 | 寨里镇 | 小米产业发展驶入快车道", short, []))
    masthead = ["卫健信息", "第15期", "区卫生健康局编", "2026年11月3日"]
    title = "全区开展家庭医生签约服务提质行动"
    body = "今年以来，区卫生健康局组织家庭医生团队入户走访，签约居民12.6万人。"
    put(drop / "区卫健局" / "卫健信息第15期.docx", _docx([*masthead, title, body]))

    zwxx("poll")
    by_title = {i["title"]: i for i in cli_json(zwxx, "items")}
    assert set(by_title) == {HEADING, "寨里镇小米产业发展驶入快车道", title}

    cg = by_title[HEADING]
    assert cg["unit"] == "区城市管理局" and cg["status"] == "counted"
    assert cg["chars"] == 61  # the text, without the heading

    zl = by_title["寨里镇小米产业发展驶入快车道"]
    assert zl["unit"] == "寨里镇" and zl["status"] == "counted"
    assert zl["category"] == "dynamic" and "动态" in zl["category_reason"]
    assert zl["chars"] == 39

    wj = by_title[title]
    assert wj["unit"] == "区卫生健康局" and wj["status"] == "counted"
    assert wj["chars"] == 32  # the masthead counts no 字

    envelopes = {e["path"]: e for e in cli_json(zwxx, "envelopes")}
    cover = envelopes["cover.eml"]
    assert cover["status"] == "ignored"
    assert "只有附言" in cover["reason"]
    assert sum(1 for e in envelopes.values() if e["status"] == "parsed") == 3
