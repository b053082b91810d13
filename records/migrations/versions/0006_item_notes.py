"""item notes: every decision as {code, data, text}; the reason is their texts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 10:00:00

Existing reasons are read once, here, and turned into notes: the fixed words and patterns
the pipeline wrote are mapped to their codes (see zwxx.records.notes), anything else
becomes a ``legacy`` note with the text. The reason column is left as it was, so the
downgrade only drops the column.
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written before notes existed; the words are frozen here (the code may change them later).
STRANGER = "发件人不是登记的报送单位，正文也未提及任何单位，不计数"
GONE = "重新解析后此部分已不存在"
EMPTY = "没有正文内容（只有标题或落款），请核对"

# A reason that is one note as a whole (it replaced whatever was there).
_WHOLE = [
    ("gone", re.compile(re.escape(GONE) + r".*", re.S), lambda m: {}),
    ("clerk_ignored", re.compile(r"信息科确认不计.*", re.S), lambda m: {}),
    (
        "duplicate_of",
        re.compile(
            r"与第 (\d+) 条内容相同(（重复报送），只计一次|，该条已由信息科确认不计，本条一并不计)"
        ),
        lambda m: {"item": int(m.group(1)), "clerk_ignored": "确认不计" in m.group(2)},
    ),
    (
        "older_version_of",
        re.compile(r"第 (\d+) 条已有更新的版本（(.*)），本条为旧稿，只计一次"),
        lambda m: {"item": int(m.group(1)), "how": m.group(2)},
    ),
    (
        "revision_of",
        re.compile(r"修改稿（(.*)）：内容已更新到第 (\d+) 条，只计一次"),
        lambda m: {"item": int(m.group(2)), "how": m.group(1)},
    ),
    (
        "imported",
        re.compile(r"由台账 (.+) 第 (\d+) 行导入"),
        lambda m: {"file": m.group(1), "line": int(m.group(2))},
    ),
]

# One part of a reason joined by "；".
_PARTS = [
    ("unknown_sender", re.compile(re.escape(STRANGER)), lambda m: {}),
    ("empty_body", re.compile(re.escape(EMPTY)), lambda m: {}),
    (
        "over_limit",
        re.compile(r"字数 (\d+)，超过(.+)原则上 (\d+) 字的要求，照常计数"),
        lambda m: {"chars": int(m.group(1)), "limit": int(m.group(3)), "label": m.group(2)},
    ),
    ("label_contradicted", re.compile(r"标注为[^；]+，但内容[^；]+请核对(?:分类)?"), lambda m: {}),
    (
        "revised_by",
        re.compile(r"内容已按第 (\d+) 件收到的修改稿更新"),
        lambda m: {"envelope": int(m.group(1))},
    ),
    (
        "revision_crosses_month",
        re.compile(r"与第 (\d+) 条（(\d+)月）标题相同的修改稿，但分类不同且跨月，请确认"),
        lambda m: {"item": int(m.group(1)), "month": int(m.group(2))},
    ),
    (
        "joint",
        re.compile(r"与第 (\d+) 条（(.*?)）(.+)，可能为联合报送，请确认"),
        lambda m: {"item": int(m.group(1)), "units": [m.group(2)], "how": m.group(3)},
    ),
    (
        "joint",
        re.compile(r"落款为多个单位（(.+)），可能为联合报送，请确认"),
        lambda m: {"item": None, "units": m.group(1).split("、"), "how": ""},
    ),
    ("clerk_assigned", re.compile(r"信息科指定为(.+?)(（.*）)?"), lambda m: {"unit": m.group(1)}),
    # How the unit was found (classify.units), or why not.
    (
        "attribution",
        re.compile(
            r"(发件地址 .+ 已登记为.+|.+为“.+”|.+中出现单位名称“.+”"
            r"|.*出现多个单位名称（.+），请人工确认"
            r"|.+彼此不一致，请人工确认|.*未找到报送单位名称，请人工指定单位"
            r"|.+不是名册中的单位或简称，请核对后指定单位)"
        ),
        lambda m: {},
    ),
]


def notes_for(status: str, reason: str) -> list[dict]:
    """The notes an old ``reason`` stands for (their texts joined give it back)."""
    if not reason:
        return []
    if status == "failed":
        return [_note("unreadable", reason, {})]
    for code, pattern, data in _WHOLE:
        m = pattern.fullmatch(reason)
        if m:
            return [_note(code, reason, data(m))]
    out = []
    for part in reason.split("；"):
        if not part:
            continue
        for code, pattern, data in _PARTS:
            m = pattern.fullmatch(part)
            if m:
                out.append(_note(code, part, data(m)))
                break
        else:
            out.append(_note("legacy", part, {}))
    return out


def _note(code: str, text: str, data: dict) -> dict:
    return {"code": code, "data": data, "text": text}


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notes", sa.JSON(), nullable=False, server_default="[]"))
    conn = op.get_bind()
    item = sa.table(
        "item",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("reason", sa.String),
        sa.column("notes", sa.JSON),
    )
    rows = conn.execute(
        sa.select(item.c.id, item.c.status, item.c.reason).where(item.c.reason != "")
    )
    updates = [{"key": i, "notes": notes_for(s or "", r or "")} for i, s, r in rows]
    if updates:
        conn.execute(
            item.update()
            .where(item.c.id == sa.bindparam("key"))
            .values(notes=sa.bindparam("notes")),
            updates,
        )


def downgrade() -> None:
    # recreate="never": SQLite drops the column in place (3.35+); copying the item table
    # would fail on the rows that refer to it (adoptions, duplicates). The reason column
    # already holds the notes' texts.
    with op.batch_alter_table("item", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("notes")
