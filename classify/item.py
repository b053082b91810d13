"""One document in its context -> the fields of an item (category, 字数, unit, author)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from zwxx.classify.category import CLAUSE_END, EXTENSION, decide, tag_table
from zwxx.classify.titles import strip_tags
from zwxx.classify.units import Attribution, attribute, heading_claim
from zwxx.classify.wordcount import count_chars, count_no_spaces, countable_lines, is_signoff
from zwxx.config.roster import Roster
from zwxx.config.rules import Rules
from zwxx.records import notes as N
from zwxx.types import Document, safe_text

_AUTHOR = re.compile(r"(?:撰稿人?|撰写|执笔|信息员|作者)\s*[：:]\s*([\u4e00-\u9fff·]{2,4})")
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Context:
    """What is known about a document besides its text."""

    subject: str = ""
    sender: str | None = None
    sender_name: str = ""
    folder_unit: str | None = None
    sidecar_unit: str | None = None
    # The mail's cover note beside its attachments, and how many documents it carries:
    # the note speaks of a document when it is the only one or the note names it.
    note: str = ""
    documents: int = 1


@dataclass
class ItemDraft:
    title: str
    body: str
    category: str
    category_reason: str
    chars: int
    chars_no_spaces: int
    doc_chars: int | None
    over_limit: bool
    # Notes about the category: over the length limit, a label the content contradicts.
    category_notes: tuple[N.Note, ...]
    attribution: Attribution
    author: str | None
    attachment: str | None
    text_hash: str
    review: str | None = None  # the document's own reason to be checked by the clerk

    @property
    def limit_note(self) -> str:
        """The category notes' words, as the item's reason shows them."""
        return N.reason_of(list(self.category_notes))

    def notes(self) -> list[N.Note]:
        """The item's notes as classification leaves them: the document's own reason to
        be checked (or an empty body), how the unit was found, the category notes."""
        notes = []
        if self.review:
            notes.append(N.Note("document_check", safe_text(self.review)))
        elif self.chars == 0:
            notes.append(N.Note("empty_body", N.EMPTY_TEXT))
        if self.attribution.reason:
            who = {"method": self.attribution.method, "unit": self.attribution.unit}
            notes.append(N.Note("attribution", safe_text(self.attribution.reason), who))
        return [*notes, *self.category_notes]


def length_note(rules: Rules, category: str, chars: int) -> N.Note | None:
    """The ``over_limit`` note when 字数 exceed the category's limit (counted all the same)."""
    limit = rules.categories[category].limit
    if not (limit and chars > limit):
        return None
    return N.over_limit(chars, limit, category, rules.category_label(category))


def clean_title(title: str, tags: Iterable[str] = ()) -> str:
    """The title without the tags before it ("【动态】", "动态 | 寨里镇 | ……", "信息一则：");
    ``tags`` are the rules' category tags. The category reads the label before this."""
    return strip_tags(title, tags)


def text_hash(lines: list[str]) -> str:
    """Same text, whatever the spacing or line breaks: one hash."""
    return hashlib.sha256(_WS.sub("", "".join(lines)).encode("utf-8")).hexdigest()


def signoff_text(paragraphs: list[str]) -> str:
    return "\n".join(p for p in paragraphs if is_signoff(p.strip()) or "供稿" in p)


_QUOTED_NAME = re.compile(r"[《“\"]([^》”\"]{4,})[》”\"]")


def note_for(ctx: Context, doc: Document, said: str | None = None) -> str:
    """What the mail's cover note (or ``said``: its subject) says of ``doc``: all of it
    when the mail carries this document only, else its clauses naming the document (its
    title or file name). "杨庄镇报送信息（含专报1篇）" over two documents labels neither."""
    note = ctx.note if said is None else said
    if not note or ctx.documents <= 1:
        return note
    stem = EXTENSION.sub("", doc.name)
    names = [n for n in (doc.title.strip(), stem.strip()) if len(n) >= 4]
    clauses = [c for c in CLAUSE_END.split(note) if c.strip()]
    mine = []
    for clause in clauses:
        quoted = [m.group(1) for m in _QUOTED_NAME.finditer(clause)]
        if any(n in clause for n in names) or any(q in n for q in quoted for n in names):
            mine.append(clause)
    return "。".join(mine)


def build(
    document: Document,
    ctx: Context,
    roster: Roster,
    rules: Rules,
    clerk_addresses: dict[str, str] | None = None,
) -> ItemDraft:
    doc = Document(
        name=safe_text(document.name),
        title=safe_text(document.title),
        paragraphs=[safe_text(p) for p in document.paragraphs],
        doc_chars=document.doc_chars,
        review=document.review,
    )
    body_lines = countable_lines(doc.paragraphs)
    chars = count_chars("\n".join(body_lines))
    # A body-only mail (named by its subject) titled by its own heading: the subject
    # still names the topic.
    body_only = bool(ctx.subject) and doc.name == ctx.subject
    decision = decide(
        rules,
        subject=note_for(ctx, doc, ctx.subject),
        filename=doc.name if ctx.subject != doc.name else "",
        title=doc.title,
        paragraphs=body_lines,
        chars=chars,
        topic=ctx.subject if body_only and doc.title != ctx.subject else "",
        note=note_for(ctx, doc),
    )
    length = length_note(rules, decision.category, chars)
    # A label the content contradicts is kept and flagged in the item's notes; the item
    # is counted all the same.
    conflict = (
        N.Note("label_contradicted", decision.conflict, {"category": decision.category})
        if decision.conflict
        else None
    )
    category_notes = tuple(n for n in (length, conflict) if n)
    signoff = signoff_text(doc.paragraphs)
    title = clean_title(doc.title, tag_table(rules))
    # "区城管局：开展……" is the sender's own word (it contradicts another sender); a
    # heading that merely starts with a unit ("区发改委“三个强化”……") is evidence when
    # nothing else says who sent it, not a claim against the address or OA folder.
    claimed = heading_claim(title, roster, colon_only=True)
    opening = None if claimed else heading_claim(title, roster)
    who = attribute(
        roster,
        sender=ctx.sender,
        folder_unit=ctx.folder_unit,
        sidecar_unit=ctx.sidecar_unit,
        places=[
            ("落款", signoff),
            ("标题开头", claimed or ""),
            ("文件名", doc.name),
            ("邮件主题", ctx.subject),
            ("标题开头", opening or ""),
            ("标题", doc.title),
        ],
        extra_addresses=clerk_addresses,
        signed=2,
    )
    match = _AUTHOR.search(signoff)
    author = match.group(1) if match else (ctx.sender_name or None)
    if author and roster.find(author):
        author = None  # a display name that is a unit's name is no person
    return ItemDraft(
        title=title,
        body="\n".join(p for p in doc.paragraphs if p.strip()),
        category=decision.category,
        category_reason=decision.reason,
        chars=chars,
        chars_no_spaces=count_no_spaces("".join(body_lines)),
        doc_chars=doc.doc_chars,
        over_limit=length is not None,
        category_notes=category_notes,
        attribution=who,
        author=author,
        attachment=doc.name,
        text_hash=text_hash(body_lines),
        review=doc.review,
    )
