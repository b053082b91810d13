"""The clerk's decisions (``zwxx review``: the ``manual_*`` columns) applied on top of the
automatic ones, on every parse and re-parse; and what becomes of a decided part that a
re-parse no longer finds. Plain functions on an item: the unit names are handed in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from zwxx.classify.item import length_note
from zwxx.config.rules import Rules
from zwxx.records import notes as N
from zwxx.records.models import COUNTED, FAILED, IGNORED, REVIEW, Item
from zwxx.records.notes import Note


def decided_suffix(item: Item, tz: ZoneInfo) -> str:
    """（经办人，date）of the clerk's decision, the date in the office's timezone."""
    who = f"{item.decided_by}，" if item.decided_by else ""
    when = item.decided_at.astimezone(tz).strftime("%Y-%m-%d") if item.decided_at else ""
    return f"（{who}{when}）" if who or when else ""


def unit_name(names: dict[int | None, str], unit_id: int) -> str:
    return names.get(unit_id, f"单位 {unit_id}")


def assign_category(item: Item, category: str, rules: Rules, tz: ZoneInfo) -> None:
    """The clerk's category on ``item``, with the reason saying who decided it."""
    item.category = category
    label = rules.category_label(category)
    item.category_reason = f"信息科指定为{label}{decided_suffix(item, tz)}"


def set_category(item: Item, category: str, rules: Rules, tz: ZoneInfo) -> None:
    """The clerk's category on ``item``: its reason, its own length limit; the notes about
    the automatic category (over the limit, a contradicted label) go."""
    assign_category(item, category, rules, tz)
    note = length_note(rules, item.category, item.chars)
    item.over_limit = note is not None
    N.drop_notes(item, *N.CATEGORY_CODES)
    if note is not None:
        N.add_note(item, note)


def apply_decisions(item: Item, rules: Rules, tz: ZoneInfo, names: dict[int | None, str]) -> None:
    """Apply the clerk's decisions on top of the automatic ones: a category (with its own
    length limit), ignore, or a unit (counted from then on, whatever the attribution said;
    still a duplicate if the unit sent it before). ``names``: unit id -> name."""
    category = item.manual_category
    if category is not None and category in rules.categories and item.status != FAILED:
        set_category(item, category, rules, tz)
    when = decided_suffix(item, tz)
    if item.manual_status == IGNORED:
        item.status, item.duplicate_of = IGNORED, None
        said = f"：{item.manual_reason}" if item.manual_reason else ""
        text = f"信息科确认不计{said}{when}"
        N.set_notes(item, [Note("clerk_ignored", text, {"reason": item.manual_reason})])
    elif item.manual_unit_id is not None and item.status != FAILED:
        name = unit_name(names, item.manual_unit_id)
        item.unit_id, item.status, item.duplicate_of = item.manual_unit_id, COUNTED, None
        item.attribution, item.candidates = "clerk", ""
        assigned = Note(
            "clerk_assigned",
            f"信息科指定为{name}{when}",
            {"unit_id": item.manual_unit_id, "unit": name},
        )
        over = length_note(rules, item.category, item.chars)
        N.set_notes(item, [assigned, *([over] if over else [])])


def set_aside(item: Item, rules: Rules, tz: ZoneInfo, names: dict[int | None, str]) -> None:
    """An item a re-parse no longer finds. Without a decision of the clerk's it is set
    aside; with one, it goes back to the clerk naming that decision (never silently)."""
    item.duplicate_of = None
    decided = []
    if item.manual_status == IGNORED:
        decided.append("确认不计")
    if item.manual_unit_id is not None:
        decided.append(f"指定为{unit_name(names, item.manual_unit_id)}")
    if item.manual_category in rules.categories:
        decided.append(f"分类指定为{rules.category_label(item.manual_category)}")
    if not decided:
        item.status = IGNORED
        N.set_notes(item, [Note("gone", N.GONE_TEXT, {"decided": [], "review": False})])
        return
    said = "、".join(decided)
    when = decided_suffix(item, tz)
    # The clerk's "ignore" stands (asking again would never end), named in the reason;
    # any other decision goes back to the clerk.
    if item.manual_status == IGNORED:
        item.status = IGNORED
        text = f"{N.GONE_TEXT}；信息科此前已作出决定：{said}{when}"
    else:
        item.status = REVIEW
        text = f"{N.GONE_TEXT}，但信息科此前已对其作出决定：{said}{when}，请核对"
    N.set_notes(item, [Note("gone", text, {"decided": decided, "review": item.status == REVIEW})])
