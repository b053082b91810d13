"""Backfill historical items from the clerk's ledger (台账) CSV — all or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.errors import InputError
from zwxx.records import notes as N
from zwxx.records import rawstore, store
from zwxx.records.models import COUNTED, ENV_PARSED, Envelope, Item
from zwxx.types import decode_text

COLUMNS = ("unit", "title", "category", "received_at", "chars", "solicited")
_TRUE = {"true", "1", "yes", "y", "是", "√", "t"}
_FALSE = {"false", "0", "no", "n", "否", "", "f"}


@dataclass
class LedgerRow:
    line: int
    unit: str
    title: str
    category: str
    received_at: datetime
    chars: int
    solicited: bool


def _category(value: str, rules: Rules) -> str | None:
    value = value.strip().strip("【】[]")
    if value in rules.categories:
        return value
    for key, cat in rules.categories.items():
        if value == cat.label or value in cat.tags:
            return key
    return None


def parse_ledger(data: bytes, roster: Roster, rules: Rules, tz: ZoneInfo) -> list[LedgerRow]:
    """Check every row; raise InputError listing every bad line (with line numbers)."""
    reader = csv.DictReader(io.StringIO(decode_text(data)))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(f"缺少列：{'、'.join(missing)}（需要的列：{', '.join(COLUMNS)}）")
    errors: list[str] = []
    rows: list[LedgerRow] = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        problems = []
        unit = roster.find(row["unit"])
        if unit is None:
            problems.append(f"单位“{row['unit']}”不在名册中")
        if not row["title"]:
            problems.append("标题为空")
        category = _category(row["category"], rules)
        if category is None:
            labels = "、".join(c.label for c in rules.categories.values())
            problems.append(f"分类“{row['category']}”无效（可用：{labels}）")
        try:
            received = datetime.fromisoformat(row["received_at"])
            received = received if received.tzinfo else received.replace(tzinfo=tz)
        except ValueError:
            problems.append(
                f"收到时间“{row['received_at']}”无效（应为 2019-04-05 或 2019-04-05T09:30）"
            )
            received = None
        chars = 0
        if row["chars"]:
            if row["chars"].isdigit():
                chars = int(row["chars"])
            else:
                problems.append(f"字数“{row['chars']}”应为非负整数")
        solicited = row["solicited"].lower()
        if solicited not in _TRUE | _FALSE:
            problems.append(f"约稿“{row['solicited']}”应为 是/否")
        if problems:
            errors.append(f"第 {line} 行：" + "；".join(problems))
            continue
        assert unit is not None and category is not None and received is not None
        rows.append(
            LedgerRow(line, unit.name, row["title"], category, received, chars, solicited in _TRUE)
        )
    if errors:
        shown = errors[:20] + ([f"另有 {len(errors) - 20} 行有误"] if len(errors) > 20 else [])
        raise InputError("台账文件有误，未导入任何数据。" + " ".join(f"{e}。" for e in shown))
    if not rows:
        raise InputError("台账文件没有数据行，未导入")
    return rows


def import_ledger(
    session: Session, path: Path, roster: Roster, rules: Rules, tz: ZoneInfo, raw_dir: Path
) -> int | None:
    """Import ``path`` in the caller's transaction. None if this file was imported before."""
    data = path.read_bytes()
    rows = parse_ledger(data, roster, rules, tz)
    digest, _ = rawstore.store(raw_dir, data)
    if store.find_envelope(session, "import", digest):
        return None
    envelope = Envelope(
        source="import",
        sha256=digest,
        identity=digest,
        size=len(data),
        path=path.name,
        received_at=datetime.now(tz),
        subject=f"台账导入：{path.name}",
        status=ENV_PARSED,
    )
    session.add(envelope)
    session.flush()
    ids = store.unit_ids(session)
    for part, row in enumerate(rows):
        limit = rules.categories[row.category].limit
        item = Item(
            envelope_id=envelope.id,
            part=part,
            unit_id=ids[row.unit],
            title=row.title,
            category=row.category,
            category_reason=f"台账第 {row.line} 行",
            chars=row.chars,
            over_limit=bool(limit) and row.chars > limit,
            status=COUNTED,
            solicited=row.solicited,
            received_at=row.received_at,
            attribution="import",
        )
        said = f"由台账 {path.name} 第 {row.line} 行导入"
        N.set_notes(item, [N.Note("imported", said, {"file": path.name, "line": row.line})])
        session.add(item)
    return len(rows)
