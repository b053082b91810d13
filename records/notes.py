"""Structured notes on an item: every decision as a stable code, its data, its Chinese text.

Code decides by the codes (and their data), never by the words; people read the words.
``Item.notes`` keeps the list (a JSON column); ``Item.reason`` is always the texts joined
by "；", written only by :func:`set_notes`, so the two never disagree.

The codes (one place, the whole set):

=========================  ==============================================================
code                       meaning, data
=========================  ==============================================================
``document_check``         the document itself asks to be checked (e.g. a sidecar note)
``empty_body``             no text besides a title or sign-off
``attribution``            how the unit was found, or why not; {method, unit}
``over_limit``             字数 over the category's limit, counted all the same;
                           {chars, limit, category, label} (no category when migrated)
``label_contradicted``     an explicit category label the content contradicts; {category}
``unknown_sender``         mail from an unregistered address naming no unit: not counted
``clerk_assigned``         the clerk assigned the unit; {unit_id, unit}
``clerk_ignored``          the clerk confirmed "not counted"; {reason}
``duplicate_of``           the same text again from the unit; {item, clerk_ignored}
``older_version_of``       an older version of what item ``item`` now carries; {item, how}
``revision_of``            a revision (修改稿) whose text item ``item`` now carries;
                           {item, how}
``revised_by``             carries the text of the revision in envelope ``envelope``;
                           {envelope}
``revision_crosses_month`` a revision in a later month under another category: waits for
                           the clerk; {item, month}
``joint``                  perhaps a joint submission (联合报送): waits for the clerk;
                           {item, units, how} (``item`` is None when the sign-off says so)
``gone``                   a re-parse no longer finds this part; {decided, review}
``unreadable``             the part could not be read (status failed)
``imported``               imported from a ledger CSV; {file, line}
``legacy``                 a reason recorded before notes existed that migration 0006 did
                           not recognise (only the text)
=========================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zwxx.records.models import Item

CODES: dict[str, str] = {
    "document_check": "the document itself asks to be checked",
    "empty_body": "no text besides a title or sign-off",
    "attribution": "how the unit was found, or why not",
    "over_limit": "字数 over the category's limit, counted all the same",
    "label_contradicted": "a category label the content contradicts",
    "unknown_sender": "unregistered sender naming no unit: not counted",
    "clerk_assigned": "the clerk assigned the unit",
    "clerk_ignored": "the clerk confirmed: not counted",
    "duplicate_of": "the same text again from the unit",
    "older_version_of": "an older version of what another item carries",
    "revision_of": "a revision whose text another item carries",
    "revised_by": "carries the text of a later revision",
    "revision_crosses_month": "a revision in a later month under another category",
    "joint": "perhaps a joint submission",
    "gone": "a re-parse no longer finds this part",
    "unreadable": "the part could not be read",
    "imported": "imported from a ledger CSV",
    "legacy": "a reason from before notes existed, not recognised",
}

# Notes about the category: a category the clerk sets (or a revision brings) replaces them.
CATEGORY_CODES = ("over_limit", "label_contradicted")


@dataclass(frozen=True)
class Note:
    code: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown note code {self.code!r}")

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "data": dict(self.data), "text": self.text}

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> Note:
        return cls(raw["code"], raw.get("text", ""), dict(raw.get("data") or {}))


def reason_of(notes: list[Note]) -> str:
    """The Chinese text people read: the notes' texts joined by "；"."""
    return "；".join(n.text for n in notes if n.text)


def notes_of(item: Item) -> list[Note]:
    return [Note.from_json(raw) for raw in item.notes or []]


def set_notes(item: Item, notes: list[Note]) -> None:
    """Replace the item's notes (and so its reason). The only writer of ``Item.reason``."""
    item.notes = [n.as_json() for n in notes]  # a new list: the JSON column sees the change
    item.reason = reason_of(notes)


def add_note(item: Item, note: Note, *, first: bool = False) -> None:
    """Append ``note`` (or put it first)."""
    notes = notes_of(item)
    set_notes(item, [note, *notes] if first else [*notes, note])


def drop_notes(item: Item, *codes: str) -> None:
    """Remove every note with one of ``codes``."""
    set_notes(item, [n for n in notes_of(item) if n.code not in codes])


def find_note(item: Item, code: str, /, **data: Any) -> Note | None:
    """The first note with ``code`` whose data has every given key/value."""
    for note in notes_of(item):
        if note.code == code and all(note.data.get(k) == v for k, v in data.items()):
            return note
    return None


def has_note(item: Item, code: str, /, **data: Any) -> bool:
    return find_note(item, code, **data) is not None


def notes_json(item: Item) -> list[dict[str, Any]]:
    """The notes for ``--json`` output: ``[{code, data, text}, ...]``."""
    return [n.as_json() for n in notes_of(item)]


# ------------------------------------------------------------------ notes with fixed words
STRANGER_TEXT = "发件人不是登记的报送单位，正文也未提及任何单位，不计数"
GONE_TEXT = "重新解析后此部分已不存在"
EMPTY_TEXT = "没有正文内容（只有标题或落款），请核对"


def over_limit(chars: int, limit: int, category: str, label: str) -> Note:
    return Note(
        "over_limit",
        f"字数 {chars}，超过{label}原则上 {limit} 字的要求，照常计数",
        {"chars": chars, "limit": limit, "category": category, "label": label},
    )


def unknown_sender() -> Note:
    return Note("unknown_sender", STRANGER_TEXT)


def revised_by(envelope_id: int | None, item_id: int | None) -> Note:
    return Note(
        "revised_by",
        f"内容已按第 {envelope_id} 件收到的修改稿更新",
        {"envelope": envelope_id, "item": item_id},
    )
