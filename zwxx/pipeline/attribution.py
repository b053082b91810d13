"""Follow-ups after classification on who sent an item: an item nobody could attribute
is offered the units its text names, and mail from an unknown address naming no unit at
all is no submission (SPEC §2). Plain functions: no database."""

from __future__ import annotations

import re

from zwxx.classify.item import Context, ItemDraft, signoff_text
from zwxx.classify.units import names_in
from zwxx.config.roster import Roster
from zwxx.records import notes as N
from zwxx.records.models import IGNORED, REVIEW, Item

_WRITER = re.compile(r"供稿|撰稿|撰写|执笔|信息员|报送单位|报送人|审核|审稿|签发|作者")


def unknown_sender(body: str, ctx: Context) -> bool:
    """Mail from an address no unit registered, naming no unit anywhere (the caller has
    looked for unit names in the body and the sender's name). Any clue keeps it in
    review instead: an OA folder or sidecar, or a sign-off naming a writer
    (供稿/撰稿人/信息员……) — the shape of a submission whose unit the clerk can tell. A
    bare 联系人/电话 line is no such clue: advertisements carry one too."""
    if not ctx.sender or ctx.folder_unit or ctx.sidecar_unit:
        return False  # a file in the OA folder came through the OA: a unit sent it
    return not _WRITER.search(signoff_text(body.split("\n")))


def follow_up(item: Item, draft: ItemDraft, ctx: Context, roster: Roster) -> None:
    """When nothing named a unit where attribution looks, offer those the body (or the
    sender's name) names; with none at all and no clue of a submission, set the item
    aside as ``unknown_sender``."""
    if not (item.status == REVIEW and draft.attribution.method == "none" and not item.candidates):
        return
    named = names_in(f"{ctx.sender_name}\n{draft.body}", roster)
    item.candidates = "、".join(u.name for u in named[:5])
    if not own_review(draft) and not named and unknown_sender(draft.body, ctx):
        item.status = IGNORED
        N.set_notes(item, [N.unknown_sender()])


def own_review(draft: ItemDraft) -> bool:
    """The document asks to be checked itself (or has no text): the clerk looks at it."""
    return bool(draft.review) or draft.chars == 0
