"""One document and what is known about it -> the item draft (classify.item.build): the
rules the end-to-end tests see through ``zwxx poll``, as plain function calls."""

from __future__ import annotations

from tests.unit.classify.helpers import ROSTER, RULES, conflict_document
from zwxx.classify.item import Context, build
from zwxx.types import Document

# SPEC §3's example: 16 characters + 4 words (38.6, 52%, PPP, 3) = 20.
BODY20 = "今年完成投资38.6亿元，增长52%。PPP项目3个。"


def test_conflict_note_reaches_the_limit_note_and_it_still_counts() -> None:
    draft = build(conflict_document(), Context(sender="lwqfgw@163.com"), ROSTER, RULES)
    assert draft.category == "dynamic" and draft.over_limit
    assert "更像调研信息，请核对" in draft.limit_note and "照常计数" in draft.limit_note


def test_unit_folder_alias_label_and_signoff() -> None:
    doc = Document(
        name="【调研】全区投资情况.docx",
        title="关于全区投资情况的调研报告",
        paragraphs=[BODY20, "供稿：区发改委  撰稿：李明"],
    )
    draft = build(doc, Context(folder_unit="区发改委"), ROSTER, RULES)
    assert draft.attribution.unit == "区发展和改革委员会"  # alias 区发改委 resolved
    assert draft.attribution.method == "folder" and "区发改委" in draft.attribution.reason
    assert draft.title == "关于全区投资情况的调研报告"
    assert draft.category == "research" and "调研" in draft.category_reason
    assert draft.chars == 20  # the sign-off line does not count
    assert draft.author == "李明"
    assert not draft.over_limit and draft.review is None


def test_tag_in_the_title_is_removed_and_decides_the_category() -> None:
    doc = Document(name="养老服务.txt", title="【动态】区民政局推进养老服务", paragraphs=[BODY20])
    draft = build(doc, Context(folder_unit="区民政局"), ROSTER, RULES)
    assert draft.title == "区民政局推进养老服务"
    assert draft.category == "dynamic" and "动态" in draft.category_reason
    assert draft.attribution.unit == "区民政局" and draft.chars == 20


def test_signoff_names_the_unit_and_the_subject_the_category() -> None:
    doc = Document(
        name="项目建设.docx",
        title="高新项目建设提速",
        paragraphs=["全区新开工项目12个，完成投资5.2亿元。", "供稿单位：区审计局", "撰稿人：张华"],
    )
    ctx = Context(
        subject="【动态】报送信息一则", sender="wxm_info@example.com", sender_name="王小明"
    )
    draft = build(doc, ctx, ROSTER, RULES)
    assert draft.attribution.unit == "区审计局"
    assert draft.attribution.method == "name" and "落款" in draft.attribution.reason
    assert draft.category == "dynamic" and "邮件主题" in draft.category_reason
    assert draft.author == "张华"


def test_subject_names_the_unit() -> None:
    doc = Document(
        name="第一篇.docx", title="春耕生产有序推进", paragraphs=["全区春耕生产有序推进。"]
    )
    draft = build(doc, Context(subject="区民政局报送信息两篇"), ROSTER, RULES)
    assert draft.attribution.unit == "区民政局"
    assert "邮件主题" in draft.attribution.reason


def test_folder_and_sidecar_naming_different_units_go_to_review() -> None:
    doc = Document(name="e5.txt", title="标题一则", paragraphs=["正文内容一段。"])
    conflict = build(doc, Context(folder_unit="区民政局", sidecar_unit="区财政局"), ROSTER, RULES)
    assert conflict.attribution.unit is None
    assert "区民政局" in conflict.attribution.reason and "区财政局" in conflict.attribution.reason
    alias = build(doc, Context(folder_unit="区民政局", sidecar_unit="莱芜区民政局"), ROSTER, RULES)
    assert alias.attribution.unit == "区民政局"  # an alias: they agree


def test_unknown_folder_no_unit_and_two_units_are_never_guessed() -> None:
    news = Document(name="新闻.txt", title="工作推进", paragraphs=["全区重点工作推进顺利。"])
    unknown = build(news, Context(folder_unit="区新设局"), ROSTER, RULES).attribution
    assert unknown.unit is None
    assert "区新设局" in unknown.reason and "不是名册中的单位" in unknown.reason
    nameless = Document(
        name="无名.txt", title="工作推进会召开", paragraphs=["会议部署了下一阶段重点工作。"]
    )
    none = build(nameless, Context(), ROSTER, RULES).attribution
    assert none.unit is None and "未找到报送单位" in none.reason
    two = Document(
        name="两家.txt",
        title="联合开展检查",
        paragraphs=["区民政局和区财政局联合开展专项检查。", "供稿：区民政局、区财政局"],
    )
    both = build(two, Context(), ROSTER, RULES).attribution
    assert both.unit is None and "多个单位" in both.reason
