"""Titles (issue 12): cover phrases, tag runs before a title, a 简报's masthead, and the
unit a heading starts with as the sender's claim."""

from __future__ import annotations

import pytest

from tests.unit.classify.helpers import ROSTER, RULES
from zwxx.classify.item import Context, build, clean_title
from zwxx.classify.titles import is_cover_note, is_cover_phrase, skip_masthead, strip_tags
from zwxx.classify.units import heading_claim
from zwxx.types import Document


@pytest.mark.parametrize(
    "subject",
    [
        "报送信息一条",
        "信息一条",
        "请查收",
        "转发",
        "投稿",
        "上报",
        "区民政局报送信息两篇",
        "【动态】报送信息一则",
        "10月份政务信息",
        "和庄镇信息",
        "寨里镇2026年10月信息3条，请查收",
        "区城管局",
    ],
)
def test_cover_subjects_name_no_topic(subject: str) -> None:
    assert is_cover_phrase(strip_tags(subject))


@pytest.mark.parametrize(
    "subject",
    [
        "区城管局开展占道经营集中整治",
        "秋季茶叶管护",
        "税费政策宣传进企业活动",
        "休假制度落实情况调研",
        "关于雪野湖周边民宿发展中存在问题的建议",
        "区大数据局推进信息化建设",
    ],
)
def test_subjects_with_a_topic_are_no_cover(subject: str) -> None:
    assert not is_cover_phrase(strip_tags(subject))


@pytest.mark.parametrize(
    ("title", "clean"),
    [
        ("动态 | 寨里镇 | 小米产业发展驶入快车道", "寨里镇小米产业发展驶入快车道"),
        ("动态|口镇开展秸秆禁烧专项督查", "口镇开展秸秆禁烧专项督查"),
        ("经验丨区司法局构建“一站式”调解机制", "区司法局构建“一站式”调解机制"),
        ("【动态】区民政局开展敬老月活动", "区民政局开展敬老月活动"),
        ("[经验]【工作动态】区司法局构建调解机制", "区司法局构建调解机制"),
        ("信息一则：区民政局开展敬老月活动", "区民政局开展敬老月活动"),
        ("动态信息：区民政局开展敬老月活动", "区民政局开展敬老月活动"),
        ("寨里镇信息：寨里镇举办农民丰收节", "寨里镇举办农民丰收节"),
        # A unit's name before a colon is part of the heading, not a tag.
        ("区城管局：开展“清洁家园”集中整治行动", "区城管局：开展“清洁家园”集中整治行动"),
        ("一图读懂：全区三季度经济运行", "一图读懂：全区三季度经济运行"),
    ],
)
def test_tag_runs_are_removed_from_titles(title: str, clean: str) -> None:
    assert clean_title(title) == clean


def test_a_barred_tag_is_still_the_category_label() -> None:
    draft = build(
        Document(
            name="x.docx",
            title="经验 | 口镇“三链融合”推动产业振兴",
            paragraphs=["口镇推动种植、加工、销售三链融合，带动农户增收。"],
        ),
        Context(),
        ROSTER,
        RULES,
    )
    assert draft.category == "experience" and "标题标注" in draft.category_reason
    assert draft.title == "口镇“三链融合”推动产业振兴"


def test_a_heading_naming_a_unit_before_a_colon_attributes_like_a_signoff() -> None:
    body = ["近日，区城管局组织执法人员对城区主次干道开展集中整治，清理占道经营摊点42处。"]
    doc = Document(
        name="报送信息一条", title="区城管局：开展“清洁家园”集中整治行动", paragraphs=body
    )
    draft = build(doc, Context(subject="报送信息一条", sender="x@163.com"), ROSTER, RULES)
    assert draft.attribution.unit == "区城市管理局"
    assert draft.attribution.method == "name" and "标题开头" in draft.attribution.reason
    assert draft.chars == 38  # the body alone
    # Sent in another unit's OA folder, the heading contradicts it, as a sign-off would.
    other = build(doc, Context(subject="报送信息一条", folder_unit="区民政局"), ROSTER, RULES)
    assert other.attribution.unit is None and other.attribution.method == "conflict"
    same = build(doc, Context(subject="报送信息一条", folder_unit="区城管局"), ROSTER, RULES)
    assert same.attribution.unit == "区城市管理局" and same.attribution.method == "folder"


@pytest.mark.parametrize(
    ("title", "unit"),
    [
        ("区城管局：开展集中整治", "区城市管理局"),
        ("区城管局：联合区市场监管局开展检查", "区城市管理局"),
        ("区民政局开展敬老月走访慰问活动", "区民政局"),
        ("区财政局区税务局联合开展税费政策宣传", None),  # a joint text
        ("区农业农村局到寨里镇调研小米产业", None),  # a visit, not a claim
        ("全区开展家庭医生签约服务提质行动", None),
    ],
)
def test_heading_claim(title: str, unit: str | None) -> None:
    assert heading_claim(title, ROSTER) == unit


@pytest.mark.parametrize(
    "lines",
    [
        ["附件是6月份信息，请查收。"],
        ["请查收。", "", "王小明"],
        ["各位领导：", "附件是我局10月份政务信息3条，请查收，谢谢！"],
        ["此为修改稿，请以此稿为准。"],
        ["现将我局10月份政务信息报送如下：", "《区民政局开展敬老月活动》", "请审阅。"],
    ],
)
def test_cover_notes(lines: list[str]) -> None:
    assert is_cover_note(lines)


@pytest.mark.parametrize(
    "lines",
    [
        ["近日，区民政局开展敬老月走访慰问活动，走访80岁以上老人360户，发放慰问金10.8万元。"],
        ["请查收。", "近日，区民政局开展敬老月走访慰问活动，走访老人360户。"],
        ["区民政局召开大会"],
        [],
    ],
)
def test_texts_are_no_cover_notes(lines: list[str]) -> None:
    assert not is_cover_note(lines)


@pytest.mark.parametrize(
    "head",
    [
        ["卫健信息", "第15期", "区卫生健康局编", "2026年11月3日"],
        ["城管动态", "（第3期）", "区城市管理局办公室 编印", "2026年10月9日"],
        [
            "内部资料 注意保存",
            "政务信息",
            "2026年第8期（总第123期）",
            "区委办公室编  2026年10月9日",
        ],
        ["农业农村简报 第7期", "——————————"],
        ["第41期", "区民政局编"],
    ],
)
def test_masthead_lines_are_skipped(head: list[str]) -> None:
    text = ["全区开展家庭医生签约服务提质行动", "今年以来，区卫生健康局组织家庭医生入户。"]
    assert skip_masthead([*head, *text]) == len(head)


@pytest.mark.parametrize(
    "lines",
    [
        ["城管动态", "今年以来，区城管局开展集中整治。"],  # a title, no masthead beside it
        ["区史志办完成地方志续编", "今年以来，区史志办完成续编。"],
        ["区民政局开展敬老活动", "2026年10月9日", "近日，区民政局开展敬老活动。"],
    ],
)
def test_titles_are_no_masthead(lines: list[str]) -> None:
    assert skip_masthead(lines) == 0
