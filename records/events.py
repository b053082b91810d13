"""Scoring events — adoptions, instructions, bonuses, deductions, explanations — from the
command line or from a CSV file, checked whole and written all or nothing.

A row names its item by ``item_id`` or by ``unit`` + ``title``; the clerk's Chinese labels
(《莱芜政务信息》, 简讯, 国办, 以干代训, 区约稿, ...) are accepted beside the English keys.
An explanation (情况说明) cancels the solicitation deduction of the same unit and kind
recorded on the date the explanation row gives (``date`` = the deduction's date).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TypedDict

from sqlmodel import Session, col, select

from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.errors import InputError
from zwxx.records import store
from zwxx.records.models import (
    COUNTED,
    Adoption,
    Bonus,
    Deduction,
    EventImport,
    Explanation,
    Instruction,
    Item,
)
from zwxx.types import decode_text

COLUMNS = (
    "type",
    "item_id",
    "unit",
    "title",
    "date",
    "publication",
    "form",
    "level",
    "composite",
    "kind",
    "count",
    "note",
)
TYPES = ("adoption", "instruction", "bonus", "deduction", "explanation")
EXPLAINABLE = {"city_solicitation": "市约稿", "district_solicitation": "区约稿"}  # 减分 2 and 3

_TYPE_WORDS = {
    "采用": "adoption",
    "批示": "instruction",
    "领导批示": "instruction",
    "加分": "bonus",
    "减分": "deduction",
    "扣分": "deduction",
    "说明": "explanation",
    "情况说明": "explanation",
}
# Publication words; a value may also fix the form (《济南政务信息·专报》).
_PUBLICATION_WORDS: dict[str, tuple[str, str | None]] = {
    "莱芜政务信息": ("laiwu", None),
    "莱芜": ("laiwu", None),
    "报市": ("to_city", "forward"),
    "报送市政府办公厅": ("to_city", "forward"),
    "报济南市": ("to_city", "forward"),
    "报市政府办公厅": ("to_city", "forward"),
    "济南政务信息": ("jinan", None),
    "济南": ("jinan", None),
    "济南政务信息·专报": ("jinan", "special"),
    "济南政务信息专报": ("jinan", "special"),
    "市专报": ("jinan", "special"),
    "报国办": ("to_state", "composite"),
    "报送国务院办公厅": ("to_state", "composite"),
    "国办": ("state", "composite"),
    "国务院办公厅": ("state", "composite"),
}
_FORM_WORDS = {
    "正刊": "full",
    "采用": "full",
    "综合": "composite",
    "简讯": "brief",
    "专报": "special",
    "报送": "forward",
    "转报": "forward",
    "报市": "forward",
}
_DEFAULT_FORM = {
    "laiwu": "full",
    "jinan": "full",
    "to_city": "forward",
    "to_state": "composite",
    "state": "composite",
}
_LEVEL_WORDS = {
    "国办": "state",
    "国务院": "state",
    "国办领导": "state",
    "省": "province",
    "省领导": "province",
    "省办": "province",
    "市": "city",
    "济南市": "city",
    "市领导": "city",
    "市委市政府": "city",
    "区": "district",
    "区领导": "district",
    "区委区政府": "district",
}
_KIND_WORDS = {
    "bonus": {
        "专职信息人员": "staff",
        "专职信息工作人员": "staff",
        "专职人员": "staff",
        "考核制度": "system",
        "考核通报制度": "system",
        "以干代训": "training",
        "轮训": "training",
        "联合调研": "joint_research",
    },
    "deduction": {
        "市约稿": "city_solicitation",
        "市政府办公厅约稿": "city_solicitation",
        "区约稿": "district_solicitation",
        "莱芜政务信息约稿": "district_solicitation",
        "重大信息": "major_info",
        "重大信息迟报": "major_info",
        "重大信息漏报": "major_info",
        "信息失实": "major_info",
    },
}
_TRUE = {"true", "1", "yes", "y", "是", "√", "t", "综合"}
_FALSE = {"false", "0", "no", "n", "否", "", "f", "非综合"}
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


@dataclass
class EventRow:
    """One checked event; ``unit`` is the roster name, ``key`` the rules key it scores."""

    line: int  # 0 when typed on the command line
    type: str
    date: date
    item_id: int | None = None
    unit: str | None = None
    title: str = ""
    key: str = ""  # adoption "publication:form", instruction level, bonus/deduction kind
    composite: bool = False
    count: int = 1
    note: str = ""


def _clean(value: str) -> str:
    return re.sub(r"\s+", "", value).strip("《》<>〈〉【】[]")


def _parse_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _adoption_key(publication: str, form: str, rules: Rules) -> str | None:
    pub_text = _clean(publication).replace("《", "").replace("》", "")
    if pub_text in _DEFAULT_FORM:
        pub, implied = pub_text, None
    elif pub_text in _PUBLICATION_WORDS:
        pub, implied = _PUBLICATION_WORDS[pub_text]
    else:
        return None
    form_text = _clean(form)
    form_key = _FORM_WORDS.get(form_text, form_text) or implied or _DEFAULT_FORM[pub]
    key = f"{pub}:{form_key}"
    return key if key in rules.adoption else None


def _level(text: str, rules: Rules) -> str | None:
    text = _clean(text)
    if text in rules.instructions:
        return text
    for key, rule in rules.instructions.items():
        if text == rule.label:
            return key
    return _LEVEL_WORDS.get(text.removesuffix("批示"))


def _kind(kind_type: str, text: str, rules: Rules) -> str | None:
    table = rules.bonuses if kind_type == "bonus" else rules.deductions
    text = _clean(text)
    if text in table:
        return text
    for key, rule in table.items():
        if text == rule.label:
            return key
    return _KIND_WORDS[kind_type].get(text)


def parse_row(row: dict[str, str], line: int, roster: Roster, rules: Rules) -> EventRow:
    """Check one row (keys = COLUMNS, missing ones empty); InputError lists every problem."""
    get = {c: (row.get(c) or "").strip() for c in COLUMNS}
    problems: list[str] = []
    kind_type = get["type"].lower()
    kind_type = _TYPE_WORDS.get(kind_type, kind_type)
    if kind_type not in TYPES:
        problems.append(f"类型“{get['type']}”无效（可用：{'、'.join(TYPES)}）")
    when = _parse_date(get["date"])
    if when is None:
        problems.append(f"日期“{get['date']}”无效（应为 2019-04-05）")
    unit = None
    if get["unit"]:
        entry = roster.find(get["unit"])
        if entry is None:
            problems.append(f"单位“{get['unit']}”不在名册中")
        else:
            unit = entry.name
    item_id = None
    if get["item_id"]:
        if get["item_id"].isdigit():
            item_id = int(get["item_id"])
        else:
            problems.append(f"信息编号“{get['item_id']}”应为整数")
    count = 1
    if get["count"]:
        if get["count"].isdigit() and int(get["count"]) >= 1:
            count = int(get["count"])
        else:
            problems.append(f"数量“{get['count']}”应为正整数")
    event = EventRow(line, kind_type, when or date.min, item_id, unit, get["title"], count=count)
    event.note = get["note"]
    if kind_type in ("adoption", "instruction"):
        if item_id is None and not (get["unit"] and get["title"]):
            problems.append("请用 item_id 或 unit + title 指明是哪一条信息")
    elif kind_type in TYPES and not get["unit"]:
        problems.append("缺少单位（unit）")
    if kind_type == "adoption":
        key = _adoption_key(get["publication"], get["form"], rules)
        if key is None:
            choices = "、".join(rules.adoption)
            problems.append(
                f"刊物/形式“{get['publication']}”/“{get['form']}”无效（可用：{choices}）"
            )
        event.key = key or ""
    elif kind_type == "instruction":
        level = _level(get["level"], rules)
        if level is None:
            problems.append(f"批示级别“{get['level']}”无效（可用：国办、省、市、区）")
        composite = get["composite"].lower()
        if composite not in _TRUE | _FALSE:
            problems.append(f"综合“{get['composite']}”应为 是/否")
        event.key, event.composite = level or "", composite in _TRUE
    elif kind_type in ("bonus", "deduction", "explanation"):
        table = "bonus" if kind_type == "bonus" else "deduction"
        kind = _kind(table, get["kind"], rules)
        known = rules.bonuses if table == "bonus" else rules.deductions
        if kind is None:
            problems.append(f"项目“{get['kind']}”无效（可用：{'、'.join(known)}）")
        elif kind_type == "explanation" and kind not in EXPLAINABLE:
            problems.append("情况说明只能取消约稿减分（city_solicitation、district_solicitation）")
        event.key = kind or ""
    if problems:
        raise InputError(_where(line) + "；".join(problems))
    return event


def _where(line: int) -> str:
    return f"第 {line} 行：" if line else ""


def parse_events(data: bytes, roster: Roster, rules: Rules) -> list[EventRow]:
    """Check every row of an events CSV (UTF-8 or GBK); InputError names every bad line."""
    reader = csv.DictReader(io.StringIO(decode_text(data)))
    header = [(h or "").strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("type", "date") if c not in header]
    if missing:
        raise InputError(f"缺少列：{'、'.join(missing)}（可用的列：{', '.join(COLUMNS)}）")
    rows: list[EventRow] = []
    errors: list[str] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "") for k, v in raw.items() if k is not None}
        if not any(v.strip() for v in row.values()):
            continue
        try:
            rows.append(parse_row(row, line, roster, rules))
        except InputError as exc:
            errors.append(exc.message)
    _raise_all(errors)
    if not rows:
        raise InputError("事件文件没有数据行，未导入")
    return rows


def _raise_all(errors: list[str]) -> None:
    if errors:
        shown = errors[:20] + ([f"另有 {len(errors) - 20} 行有误"] if len(errors) > 20 else [])
        raise InputError("事件有误，未记录任何数据。" + " ".join(f"{e}。" for e in shown))


def _resolve_items(session: Session, rows: list[EventRow], ids: dict[str, int]) -> list[str]:
    """Fill ``item_id`` of rows naming an item by unit + title; return the problems."""
    errors: list[str] = []
    wanted = [r for r in rows if r.type in ("adoption", "instruction")]
    by_id = {r.item_id for r in wanted if r.item_id is not None}
    found: dict[int, tuple[int | None, str, str]] = {}
    if by_id:
        for item_id, unit_id, status, title in session.exec(
            select(Item.id, Item.unit_id, Item.status, Item.title).where(col(Item.id).in_(by_id))
        ).all():
            assert item_id is not None  # a stored item's primary key
            found[item_id] = (unit_id, status, title)
    titles = {r.title for r in wanted if r.item_id is None}
    by_title: dict[tuple[int | None, str], list[int]] = {}
    if titles:
        for item_id, unit_id, title in session.exec(
            select(Item.id, Item.unit_id, Item.title).where(
                Item.status == COUNTED, col(Item.title).in_(titles)
            )
        ).all():
            assert item_id is not None  # a stored item's primary key
            by_title.setdefault((unit_id, title), []).append(item_id)
    for r in wanted:
        where = _where(r.line)
        if r.item_id is not None:
            if r.item_id not in found:
                errors.append(f"{where}没有编号为 {r.item_id} 的信息")
                continue
            unit_id, status, _title = found[r.item_id]
            if status != COUNTED:
                errors.append(f"{where}第 {r.item_id} 条信息未计数（状态 {status}），不能计分")
            elif r.unit and ids.get(r.unit) != unit_id:
                errors.append(f"{where}第 {r.item_id} 条信息不属于{r.unit}")
            continue
        matches = by_title.get((ids.get(r.unit or ""), r.title), [])
        if not matches:
            errors.append(f"{where}{r.unit}没有标题为《{r.title}》的已计数信息")
        elif len(matches) > 1:
            listed = "、".join(map(str, sorted(matches)))
            errors.append(
                f"{where}{r.unit}有 {len(matches)} 条《{r.title}》（{listed}），请用 item_id"
            )
        else:
            r.item_id = matches[0]
    return errors


class _Common(TypedDict):
    """The fields every recorded event row has."""

    date: date
    recorded_by: str
    note: str


def record_events(session: Session, rows: list[EventRow], recorded_by: str) -> Counter[str]:
    """Write checked rows in the caller's transaction; InputError (naming every bad row)
    when an item, unit or deduction is unknown — the caller's rollback then drops all."""
    ids = store.unit_ids(session)
    errors = _resolve_items(session, rows, ids)
    _raise_all(errors)
    done: Counter[str] = Counter()
    for r in rows:
        common: _Common = {"date": r.date, "recorded_by": recorded_by, "note": r.note}
        if r.type == "adoption":
            assert r.item_id is not None  # parse_row asks for it or unit + title, resolved above
            publication, form = r.key.split(":")
            session.add(Adoption(item_id=r.item_id, publication=publication, form=form, **common))
        elif r.type == "instruction":
            assert r.item_id is not None  # as for an adoption
            session.add(
                Instruction(item_id=r.item_id, level=r.key, composite=r.composite, **common)
            )
        elif r.type == "bonus":
            assert r.unit is not None  # parse_row requires it
            session.add(Bonus(unit_id=ids[r.unit], kind=r.key, count=r.count, **common))
        elif r.type == "deduction":
            assert r.unit is not None  # parse_row requires it
            session.add(Deduction(unit_id=ids[r.unit], kind=r.key, count=r.count, **common))
        else:
            continue
        done[r.type] += 1
    # Explanations last, so that they may cancel a deduction from the same file.
    session.flush()
    for r in rows:
        if r.type != "explanation":
            continue
        assert r.unit is not None  # parse_row requires it
        deduction = session.exec(
            select(Deduction)
            .where(
                Deduction.unit_id == ids[r.unit],
                Deduction.kind == r.key,
                Deduction.date == r.date,
                col(Deduction.explained).is_(False),
            )
            .order_by(col(Deduction.id))
        ).first()
        if deduction is None:
            what = EXPLAINABLE[r.key]
            errors.append(f"{_where(r.line)}{r.unit}在 {r.date} 没有未说明的{what}减分可以取消")
            continue
        deduction.explained = True
        session.add(deduction)
        assert deduction.id is not None  # a stored row
        session.add(
            Explanation(
                deduction_id=deduction.id,
                unit_id=ids[r.unit],
                date=r.date,
                recorded_by=recorded_by,
                note=r.note,
            )
        )
        session.flush()
        done["explanation"] += 1
    _raise_all(errors)
    return done


def import_events(
    session: Session, path: Path, roster: Roster, rules: Rules, recorded_by: str
) -> Counter[str] | None:
    """Import ``path`` in the caller's transaction. None if this file was imported before."""
    data = path.read_bytes()
    rows = parse_events(data, roster, rules)
    digest = hashlib.sha256(data).hexdigest()
    if session.exec(select(EventImport.id).where(EventImport.sha256 == digest)).first():
        return None
    done = record_events(session, rows, recorded_by)
    session.add(EventImport(sha256=digest, name=path.name, rows=len(rows), recorded_by=recorded_by))
    return done
