"""``review``: the clerk's decisions on items the system does not guess (wiring only).

Decisions are stored on the item (``manual_*``) and applied after classification on
every (re)parse, so ``zwxx reparse`` never undoes them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import click
from rich.table import Table
from sqlmodel import Session

from zwxx.app import App
from zwxx.cli.common import Group, dump, iso, json_option, out, roster_unit, state, whoami
from zwxx.errors import InputError
from zwxx.pipeline import redecide
from zwxx.records import store
from zwxx.records.db import session_scope
from zwxx.records.models import DUPLICATE, FAILED, IGNORED, REVIEW, Envelope, Item, Unit
from zwxx.records.notes import notes_json

by_option = click.option("--by", "decided_by", metavar="经办人", help="经办人（默认为当前用户）")


@click.group(
    "review",
    cls=Group,
    invoke_without_command=True,
    subcommand_metavar="[命令 [参数]...]",
    help="待确认队列：列出无法自动确定单位或需要核对的信息，并由信息科指定单位、分类或不计。"
    "不带子命令时列出待确认的信息。",
)
@json_option
@click.option("--ignored", "with_ignored", is_flag=True, help="同时列出已判为不计的信息")
@click.pass_context
def review_app(ctx: click.Context, as_json: bool, with_ignored: bool) -> None:
    if ctx.invoked_subcommand is not None:
        return
    a = state.app()
    statuses = (REVIEW, IGNORED) if with_ignored else (REVIEW,)
    with Session(a.engine) as session:
        rows = store.items_for_review(session, statuses)
        strangers = 0 if with_ignored else store.stranger_count(session)
    if as_json:
        dump([_review_json(i, e, u, a) for i, e, u in rows])
        return
    hint = (
        f"另有 {strangers} 条来信因发件人未登记且未提及任何单位被判为不计，"
        "可用 zwxx review --ignored 查看"
        if strangers
        else ""
    )
    if not rows:
        out.print("没有待确认的信息。")
        if hint:
            out.print(hint)
        return
    table = Table(title=f"待确认信息（共 {len(rows)} 条）")
    for head in (
        "编号",
        "收到时间",
        "发件人/文件",
        "主题",
        "标题",
        "原因",
        "可能的单位",
        "建议分类",
    ):
        table.add_column(head)
    for i, e, u in rows:
        candidates = _candidates(i, u)
        reason = i.reason if i.status == REVIEW else f"［不计］{i.reason}"
        table.add_row(
            str(i.id),
            i.received_at.astimezone(a.tz).strftime("%m-%d %H:%M"),
            (e.sender or e.path or "") if e else "",
            (e.subject or "") if e else "",
            i.title,
            reason,
            "、".join(candidates),
            a.rules.category_label(i.category),
        )
    out.print(table)
    out.print(
        "用 zwxx review assign 编号 --unit 单位 指定单位（加 --remember 记住发件地址），"
        "zwxx review category 编号 分类 改分类，zwxx review ignore 编号 不计。"
    )
    if hint:
        out.print(hint)


def _candidates(item: Item, unit: Unit | None) -> list[str]:
    names = [n for n in item.candidates.split("、") if n]
    if unit is not None and unit.name not in names:
        names.insert(0, unit.name)
    return names


def _review_json(item: Item, envelope: Envelope | None, unit: Unit | None, a: App) -> dict:
    return {
        "id": item.id,
        "status": item.status,
        "received_at": iso(item.received_at, a),
        "envelope_id": item.envelope_id,
        "source": envelope.source if envelope else "import",
        "sender": envelope.sender if envelope else None,
        "subject": envelope.subject if envelope else None,
        "path": envelope.path if envelope else None,
        "title": item.title,
        "attachment": item.attachment,
        "reason": item.reason,
        "notes": notes_json(item),
        "unit": unit.name if unit else None,
        "candidates": _candidates(item, unit),
        "category": item.category,
        "category_label": a.rules.category_label(item.category),
        "category_reason": item.category_reason,
        "chars": item.chars,
        "decided_by": item.decided_by,
        "decided_at": iso(item.decided_at, a),
    }


_ID = re.compile(r"[0-9]{1,19}")


def _item(session: Session, item_id: str) -> Item:
    if not _ID.fullmatch(item_id) or int(item_id) >= 2**63:
        raise InputError(f"“{item_id}”不是信息编号（用 zwxx review 或 zwxx items 查看编号）")
    item = session.get(Item, int(item_id))
    if item is None:
        raise InputError(f"没有第 {item_id} 条信息（用 zwxx review 或 zwxx items 查看编号）")
    if item.status == FAILED:
        raise InputError(f"第 {item.id} 条无法读取（{item.reason}），请修正原件后重新报送")
    return item


def _decide(item: Item, decided_by: str | None) -> None:
    item.decided_by = (decided_by or whoami())[:100] or None
    item.decided_at = datetime.now(UTC)


def _category_key(a: App, text: str) -> str:
    """A category by key (research), label (调研信息) or short label (调研)."""
    wanted = text.strip()
    for key, category in a.rules.categories.items():
        if wanted in (key, category.label, category.short):
            return key
    choices = "、".join(f"{c.label}（{k}）" for k, c in a.rules.categories.items())
    raise InputError(f"没有“{text}”这个分类，可选：{choices}")


@review_app.command("assign", help="把一条信息指定给某单位并计数（--remember 同时记住其发件地址）")
@click.argument("item_id", metavar="编号")
@click.option("--unit", "unit_name", required=True, metavar="单位", help="单位名称或简称（必填）")
@click.option(
    "--remember",
    is_flag=True,
    help="记住这封邮件的发件地址属于该单位，今后来信自动计入该单位",
)
@by_option
def assign_cmd(item_id: str, unit_name: str, remember: bool, decided_by: str | None) -> None:
    a = state.app()
    entry = roster_unit(a, unit_name)
    notes: list[str] = []
    with session_scope(a.engine) as session:
        item = _item(session, item_id)
        unit_id = a.job().units(session)[0].get(entry.name)
        if unit_id is None:
            raise InputError(f"单位“{entry.name}”尚未同步到数据库，请重新运行命令")
        if remember:
            notes.append(_remember(session, item, unit_id, entry.name))
        item.manual_unit_id = unit_id
        item.manual_status = None  # counting it for a unit undoes an earlier "ignore"
        item.manual_reason = None
        _decide(item, decided_by)
        redecide(a.job(), session, item)
        status, duplicate_of, number = item.status, item.duplicate_of, item.id
        if status == DUPLICATE and duplicate_of is not None:
            first = session.get(Item, duplicate_of)
            if first is not None and first.manual_status == IGNORED:
                status = IGNORED  # a copy of what the clerk ignored
    if status == IGNORED:
        head = (
            f"已将第 {number} 条指定为{entry.name}，但它与信息科已确认不计的第 {duplicate_of} 条"
            "内容相同，一并不计。"
        )
    elif status == DUPLICATE:
        head = (
            f"已将第 {number} 条指定为{entry.name}，但它与该单位已计数的第 {duplicate_of} 条"
            "内容相同（或为其修改稿），不重复计数。"
        )
    else:
        head = f"已将第 {number} 条指定为{entry.name}，计入该单位。"
    out.print("".join([head, *notes]))


def _remember(session: Session, item: Item, unit_id: int, unit_name: str) -> str:
    """Register the item's sender address for the unit; a Chinese note, or InputError."""
    envelope = session.get(Envelope, item.envelope_id) if item.envelope_id else None
    sender = (envelope.sender or "").strip().lower() if envelope else ""
    if not sender or "@" not in sender:
        raise InputError(f"第 {item.id} 条没有发件邮箱地址，无法记住；请去掉 --remember 后重试")
    owner = store.address_owner(session, sender)
    if owner is not None:
        address, owner_name = owner
        if address.unit_id != unit_id:
            how = (
                f"如确需更改，请先运行 zwxx review forget {sender}"
                if address.origin == "clerk"
                else "如确需更改，请修改单位名册（config/units.toml）"
            )
            raise InputError(
                f"发件地址 {sender} 已登记为{owner_name}，不能再记为{unit_name}；{how}"
            )
        return f"发件地址 {sender} 此前已登记为{unit_name}。"
    others = [n for n in store.sender_units(session, sender, exclude=item.id) if n != unit_name]
    if others:
        raise InputError(
            f"发件地址 {sender} 的其他来信已计入{'、'.join(others)}，可能是多个单位共用或"
            f"转发的地址，不能记为{unit_name}；请去掉 --remember 后只指定这一条"
        )
    store.remember_address(session, sender, unit_id)
    return f"已记住发件地址 {sender} 属于{unit_name}，今后来信自动计入该单位。"


@review_app.command("category", help="指定一条信息的分类（如 research 或 调研信息、调研）")
@click.argument("item_id", metavar="编号")
@click.argument("category", metavar="分类")
@by_option
def category_cmd(item_id: str, category: str, decided_by: str | None) -> None:
    a = state.app()
    key = _category_key(a, category)
    with session_scope(a.engine) as session:
        item = _item(session, item_id)
        if item.status == DUPLICATE and item.duplicate_of is not None:
            raise InputError(
                f"第 {item.id} 条是第 {item.duplicate_of} 条的重复件，"
                f"请对第 {item.duplicate_of} 条操作"
            )
        item.manual_category = key
        _decide(item, decided_by)
        redecide(a.job(), session, item)
        number, over, status = item.id, item.over_limit, item.status
    label = a.rules.category_label(key)
    limit = a.rules.categories[key].limit
    line = f"已将第 {number} 条的分类改为{label}。"
    if over:
        line += f"字数超过{label}原则上 {limit} 字的要求（照常计数，已标注）。"
    if status == REVIEW:
        line += "该条仍待确认单位，请用 zwxx review assign 指定。"
    out.print(line)


@review_app.command("ignore", help="确认一条信息不计数（如非报送信息、误发）")
@click.argument("item_id", metavar="编号")
@click.option("--reason", "reason", default="", metavar="原因", help="不计的原因")
@by_option
def ignore_cmd(item_id: str, reason: str, decided_by: str | None) -> None:
    a = state.app()
    with session_scope(a.engine) as session:
        item = _item(session, item_id)
        item.manual_status = IGNORED
        item.manual_reason = reason.strip()[:500] or None
        _decide(item, decided_by)
        copies = redecide(a.job(), session, item)
        number = item.id
    said = f"（原因：{reason.strip()}）" if reason.strip() else ""
    also = f"另有 {copies} 条重复件一并不计。" if copies else ""
    out.print(f"已将第 {number} 条标为不计{said}。{also}")


@review_app.command(
    "forget", help="忘记此前用 --remember 记住的发件地址（名册中登记的邮箱请改名册）"
)
@click.argument("address", metavar="邮箱地址")
def forget_cmd(address: str) -> None:
    a = state.app()
    email = address.strip().lower()
    with session_scope(a.engine) as session:
        owner = store.address_owner(session, email)
        if owner is None:
            raise InputError(f"发件地址 {email} 没有登记给任何单位")
        registered, unit_name = owner
        if registered.origin != "clerk":
            raise InputError(
                f"发件地址 {email} 是单位名册中登记的{unit_name}邮箱，请修改 config/units.toml"
            )
        session.delete(registered)
    out.print(
        f"已忘记发件地址 {email}（原记为{unit_name}）。已登记的信息不变；今后来信将重新识别单位。"
    )


COMMANDS = (review_app,)
