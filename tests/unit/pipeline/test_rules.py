"""The pipeline's rules as plain calls on items (no database): revisions, joint
submissions, the unknown-sender rule, the clerk's decisions, and the stage list."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.unit.classify.helpers import ROSTER, RULES
from zwxx.classify.item import Context, build
from zwxx.pipeline import ITEM_STAGES, PARSE_STAGES, STAGES, attribution, clerk, revisions
from zwxx.pipeline.stages import match
from zwxx.records import notes as N
from zwxx.records.models import COUNTED, DUPLICATE, IGNORED, REVIEW, Item
from zwxx.types import Document

TZ = ZoneInfo("Asia/Shanghai")


def _item(id: int, **kw) -> Item:
    fields = dict(
        id=id,
        envelope_id=id * 10,
        unit_id=1,
        title=f"标题{id}",
        body=f"正文{id}",
        category="dynamic",
        chars=100,
        status=COUNTED,
        text_hash=f"h{id}",
        received_at=datetime(2026, 10, id, 1, tzinfo=UTC),
    )
    return Item(**{**fields, **kw})


def test_a_revision_is_carried_by_the_earlier_item() -> None:
    earlier, item = _item(1), _item(2, title="新标题", body="新正文", chars=450)
    N.set_notes(earlier, [N.Note("attribution", "OA 子文件夹为“区民政局”")])
    revisions.revise(earlier, item, earlier, {earlier.text_hash}, "7 天内标题相同", RULES, TZ)
    assert (earlier.title, earlier.body, earlier.status) == ("新标题", "新正文", COUNTED)
    assert earlier.text_hash == "h1"  # keeps its own: a re-send of it is a duplicate
    assert [n.code for n in N.notes_of(earlier)] == ["attribution", "revised_by", "over_limit"]
    assert earlier.over_limit and N.find_note(earlier, "over_limit").data["chars"] == 450
    assert item.status == DUPLICATE and item.duplicate_of == 1
    assert N.find_note(item, "revision_of").data == {"item": 1, "how": "7 天内标题相同"}
    assert revisions.revised_by(earlier, item)
    assert not revisions.revised_by(earlier, _item(3, title="新标题", body="新正文"))


def test_an_older_version_never_replaces_a_newer_one() -> None:
    earlier, newer = _item(1), _item(3)
    old = _item(2, received_at=datetime(2026, 10, 2, tzinfo=UTC))
    revisions.revise(earlier, old, newer, {"h1"}, "", RULES, TZ)
    assert earlier.title == "标题1"  # untouched
    assert old.status == DUPLICATE and N.has_note(old, "older_version_of", item=1)
    resent = _item(4, text_hash="h1")  # the earlier item's own text, sent again
    revisions.revise(earlier, resent, earlier, {"h1"}, "", RULES, TZ)
    assert resent.status == DUPLICATE and earlier.title == "标题1"


def test_a_revision_in_a_later_month_under_another_category_waits() -> None:
    earlier = _item(1, received_at=datetime(2026, 10, 30, tzinfo=UTC))
    later = _item(2, category="research", received_at=datetime(2026, 11, 2, tzinfo=UTC))
    assert revisions.crosses_month(earlier, later, TZ)
    assert not revisions.crosses_month(earlier, _item(3, received_at=later.received_at), TZ)
    N.set_notes(later, [N.Note("attribution", "甲")])
    revisions.hold_across_months(later, earlier, TZ, "区民政局")
    assert later.status == REVIEW and later.candidates == "区民政局"
    assert [n.code for n in N.notes_of(later)] == ["revision_crosses_month", "attribution"]


def test_a_joint_submission_by_its_signoff() -> None:
    body = "区财政局、区税务局联合开展减税降费政策宣讲。\n供稿单位：区财政局、区税务局"
    assert revisions.signed_jointly(body, "区财政局", ROSTER) == ["区财政局", "区税务局"]
    assert revisions.signed_jointly(body, "区民政局", ROSTER) == []
    assert revisions.signed_jointly("正文。\n供稿单位：区财政局", "区财政局", ROSTER) == []
    item = _item(1)
    revisions.mark_joint(item, "区财政局", ["区财政局", "区税务局"], None, "")
    assert item.status == REVIEW and item.candidates == "区财政局、区税务局"
    assert N.find_note(item, "joint").data["units"] == ["区财政局", "区税务局"]
    assert "落款为多个单位（区财政局、区税务局）" in item.reason


def test_the_same_text_from_another_unit_is_a_joint_submission() -> None:
    item = _item(2)
    revisions.mark_joint(item, "区民政局", ["区财政局"], 1, "内容相同")
    assert item.reason == "与第 1 条（区财政局）内容相同，可能为联合报送，请确认"
    assert item.candidates == "区民政局、区财政局" and N.has_note(item, "joint", item=1)


def test_a_copy_of_an_item_the_clerk_ignored_is_not_counted_either() -> None:
    first, copy = _item(1, manual_status=IGNORED, status=IGNORED), _item(2)
    revisions.mark_duplicate(copy, first)
    assert copy.status == DUPLICATE and N.has_note(copy, "duplicate_of", clerk_ignored=True)


def _draft(body: list[str], ctx: Context):
    return build(Document(name="", title="周末特惠", paragraphs=body), ctx, ROSTER, RULES)


def test_unknown_sender_rule() -> None:
    mail = Context(sender="shop@example.com")
    assert attribution.unknown_sender("全场五折。\n联系人：张三 电话：123", mail)
    assert not attribution.unknown_sender("全场五折。\n撰稿：张三", mail)  # a writer: review
    assert not attribution.unknown_sender("全场五折。", Context(folder_unit="区民政局"))
    assert not attribution.unknown_sender("全场五折。", Context())


def test_unknown_sender_follow_up_sets_the_item_aside() -> None:
    mail = Context(sender="shop@example.com")
    draft = _draft(["本店周末全场五折，欢迎选购。"], mail)
    item = _item(1, status=REVIEW, unit_id=None)
    N.set_notes(item, draft.notes())
    attribution.follow_up(item, draft, mail, ROSTER)
    assert item.status == IGNORED and N.notes_of(item) == [N.unknown_sender()]
    assert item.reason == N.STRANGER_TEXT
    # A body naming a unit is offered to the clerk instead.
    named = _draft(["区民政局开展冬季救助，走访困难群众。"], mail)
    other = _item(2, status=REVIEW, unit_id=None)
    attribution.follow_up(other, named, mail, ROSTER)
    assert other.status == REVIEW and other.candidates == "区民政局"


def test_the_clerks_category_replaces_the_over_limit_note() -> None:
    item = _item(1, chars=500, over_limit=True, manual_category="research")
    N.set_notes(
        item,
        [
            N.Note("attribution", "甲"),
            N.over_limit(500, 400, "dynamic", "动态信息"),
            N.Note("label_contradicted", "标注为动态信息，但内容更像调研信息，请核对"),
        ],
    )
    clerk.apply_decisions(item, RULES, TZ, {})
    assert item.category == "research" and not item.over_limit  # no limit for 调研
    assert [n.code for n in N.notes_of(item)] == ["attribution"] and item.reason == "甲"
    item.manual_category = "experience"
    item.chars = 2100
    clerk.apply_decisions(item, RULES, TZ, {})
    assert item.over_limit and N.find_note(item, "over_limit").data["limit"] == 2000
    assert item.reason == "甲；字数 2100，超过经验做法原则上 2000 字的要求，照常计数"


def test_the_clerks_unit_and_ignore() -> None:
    item = _item(1, status=REVIEW, unit_id=None, manual_unit_id=5, decided_by="小王")
    item.decided_at = datetime(2026, 11, 1, 20, tzinfo=UTC)  # 11-02 in Beijing
    clerk.apply_decisions(item, RULES, TZ, {5: "口镇"})
    assert (item.status, item.unit_id, item.attribution) == (COUNTED, 5, "clerk")
    assert item.reason == "信息科指定为口镇（小王，2026-11-02）"
    assert N.find_note(item, "clerk_assigned").data == {"unit_id": 5, "unit": "口镇"}
    item.manual_status, item.manual_reason = IGNORED, "个人转发"
    clerk.apply_decisions(item, RULES, TZ, {5: "口镇"})
    assert item.status == IGNORED and [n.code for n in N.notes_of(item)] == ["clerk_ignored"]
    assert item.reason.startswith("信息科确认不计：个人转发")


def test_a_vanished_part_goes_back_to_the_clerk_only_when_decided() -> None:
    plain = _item(1)
    clerk.set_aside(plain, RULES, TZ, {})
    assert plain.status == IGNORED and plain.reason == N.GONE_TEXT
    decided = _item(2, manual_category="research")
    clerk.set_aside(decided, RULES, TZ, {})
    assert decided.status == REVIEW and N.find_note(decided, "gone").data["review"]
    assert "分类指定为调研信息" in decided.reason


def test_parts_continue_by_name_then_by_position() -> None:
    a, b = _item(1, attachment="a.docx", part=1), _item(2, attachment="b.docx", part=0)
    existing = [a, b]
    found = match(existing, [("b.docx", "x"), ("c.docx", "y"), ("d.docx", "z")])
    assert found == [b, a, None] and existing == []
    left = [_item(3, attachment="e.docx", part=5)]
    assert match(left, [("f.docx", "x")]) == [None] and len(left) == 1  # set aside later


def test_the_stage_lists_have_one_signature_and_the_order() -> None:
    for stage in (*STAGES, *ITEM_STAGES):
        assert list(inspect.signature(stage).parameters) == ["ctx"], stage
    names = [s.__name__ for s in STAGES]
    assert names[:3] == ["seen_before", "new_envelope", "copy_of"]
    assert STAGES[3:] == PARSE_STAGES
    assert names.index("read_documents") < names.index("classify") < names.index("each_item")
    assert [s.__name__ for s in ITEM_STAGES] == [
        "from_draft",
        "follow_up",
        "clerk_decisions",
        "dedupe",
        "record",
    ]
