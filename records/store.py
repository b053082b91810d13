"""Queries and writes the rest of the code shares. No business rules here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from zwxx.config.roster import Roster
from zwxx.records.models import (
    COUNTED,
    DUPLICATE,
    ENV_DUPLICATE,
    ENV_FAILED,
    ENV_NEW,
    FAILED,
    IGNORED,
    REVIEW,
    Envelope,
    Item,
    Unit,
    UnitAddress,
)


def sync_roster(session: Session, roster: Roster) -> None:
    """Mirror the roster file into the unit tables (the file is the source of truth;
    addresses the clerk assigned are kept)."""
    units = {u.name: u for u in session.exec(select(Unit)).all()}
    for entry in roster.units:
        unit = units.get(entry.name)
        if unit is None:
            unit = Unit(name=entry.name, group=entry.group)
            session.add(unit)
        else:
            unit.group, unit.active = entry.group, True
    for name, unit in units.items():
        if name not in roster.by_name:
            unit.active = False
    session.flush()
    ids = unit_ids(session)
    wanted = {email: ids[u.name] for u in roster.units for email in u.emails}
    for addr in session.exec(select(UnitAddress).where(UnitAddress.origin == "roster")).all():
        if wanted.pop(addr.email, None) is None:
            session.delete(addr)
    taken = set(session.exec(select(UnitAddress.email)).all())
    for email, unit_id in wanted.items():
        if email not in taken:
            session.add(UnitAddress(unit_id=unit_id, email=email, origin="roster"))


def unit_ids(session: Session) -> dict[str, int]:
    return {u.name: u.id for u in session.exec(select(Unit)).all() if u.id is not None}


def clerk_addresses(session: Session) -> dict[str, str]:
    """Addresses the clerk assigned to units (email -> unit name)."""
    rows = session.exec(
        select(UnitAddress.email, Unit.name)
        .join(Unit, col(Unit.id) == UnitAddress.unit_id)
        .where(UnitAddress.origin == "clerk")
    ).all()
    return dict(rows)


def find_envelope(
    session: Session, source: str, identity: str, provenance: dict | None = None
) -> Envelope | None:
    """The envelope recorded for this very message or file (a re-scan, a crash before
    the file moved): the same identity, or for a mailbox message the same (mailbox,
    folder, UIDVALIDITY, UID), whatever identity it was recorded under before 0.3.0."""
    found = session.exec(
        select(Envelope).where(Envelope.source == source, Envelope.identity == identity)
    ).first()
    prov = provenance or {}
    if found is None and prov.get("uid") is not None:
        found = session.exec(
            select(Envelope).where(
                Envelope.source == source,
                Envelope.mailbox == prov["mailbox"],
                Envelope.folder == prov["folder"],
                Envelope.uidvalidity == prov["uidvalidity"],
                Envelope.uid == prov["uid"],
            )
        ).first()
    return found


def find_moved_message(
    session: Session, provenance: dict, digest: str, message_id: str | None
) -> Envelope | None:
    """For a rebuilt IMAP folder (new UIDVALIDITY): the envelope this folder gave under an
    earlier UIDVALIDITY with the same bytes, else (a server that re-encoded them) the same
    Message-ID, and not yet found again under the current one; oldest first, so two
    copies come back as the two envelopes they were. Message-ID is trusted only within the
    folder: clients do reuse them."""
    if provenance.get("uidvalidity") is None:
        return None
    same = []
    if digest:
        same.append(col(Envelope.sha256) == digest)
    if message_id:
        same.append(col(Envelope.message_id) == message_id)
    for match in same:
        found = session.exec(
            select(Envelope)
            .where(
                match,
                Envelope.source == "imap",
                Envelope.mailbox == provenance["mailbox"],
                Envelope.folder == provenance["folder"],
                Envelope.uidvalidity != provenance["uidvalidity"],
            )
            .order_by(col(Envelope.id))
        ).first()
        if found is not None:
            return found
    return None


def first_with_content(
    session: Session,
    source: str,
    content_key: str,
    failed: bool = False,
    before: int | None = None,
) -> Envelope | None:
    """The first envelope of ``source`` with this content key that is no copy itself:
    read (parsed or ignored), or with ``failed`` one that could not be read; ``before``
    excludes the envelope itself and later ones."""
    status = col(Envelope.status) == ENV_FAILED
    query = select(Envelope).where(
        Envelope.source == source,
        Envelope.content_key == content_key,
        col(Envelope.duplicate_of).is_(None),
        status if failed else ~status,
        col(Envelope.status).not_in((ENV_DUPLICATE, ENV_NEW)),
    )
    if before is not None:
        query = query.where(col(Envelope.id) < before)
    return session.exec(query.order_by(col(Envelope.id))).first()


def find_same_text(
    session: Session, unit_id: int | None, digest: str, before: int | None = None
) -> Item | None:
    """An earlier item of the same unit (or, unattributed, also awaiting review) with the
    same text, counted, waiting for review or ignored by the clerk (whose "ignore" covers
    its copies); ``before`` excludes the item itself and later ones (for re-parsing)."""
    same_unit = col(Item.unit_id).is_(None) if unit_id is None else Item.unit_id == unit_id
    query = select(Item).where(
        same_unit,
        Item.text_hash == digest,
        or_(
            col(Item.status).in_((COUNTED, REVIEW)),
            (col(Item.status) == IGNORED) & (col(Item.manual_status) == IGNORED),
        ),
    )
    if before is not None:
        query = query.where(col(Item.id) < before)
    return session.exec(query.order_by(col(Item.id))).first()


def same_title_since(
    session: Session, unit_id: int | None, key: str, since: datetime, before: int | None = None
) -> Item | None:
    """The latest counted item of a unit with this title key received since ``since``;
    ``before`` excludes the item itself and later ones."""
    if unit_id is None or not key:
        return None
    query = select(Item).where(
        Item.unit_id == unit_id,
        Item.title_key == key,
        Item.status == COUNTED,
        Item.received_at >= since,
    )
    if before is not None:
        query = query.where(col(Item.id) < before)
    return session.exec(query.order_by(col(Item.received_at).desc())).first()


def revision_candidates(
    session: Session,
    unit_id: int | None,
    since: datetime,
    chars: tuple[int, int],
    before: int | None = None,
    limit: int = 30,
) -> list[Item]:
    """A unit's counted items received since ``since`` whose 字数 lies in ``chars``
    (inclusive), newest first, at most ``limit`` (index ``ix_item_unit_received``)."""
    if unit_id is None:
        return []
    query = select(Item).where(
        Item.unit_id == unit_id,
        Item.received_at >= since,
        Item.status == COUNTED,
        col(Item.chars).between(*chars),
    )
    if before is not None:
        query = query.where(col(Item.id) < before)
    return list(session.exec(query.order_by(col(Item.received_at).desc()).limit(limit)))


def same_text_elsewhere(
    session: Session, unit_id: int | None, digest: str, before: int | None = None, limit: int = 10
) -> list[Item]:
    """Earlier items of OTHER units with the same text (a joint submission?), oldest first."""
    query = select(Item).where(
        Item.text_hash == digest,
        col(Item.unit_id).is_not(None),
        Item.unit_id != unit_id,
        col(Item.status).in_((COUNTED, REVIEW)),
    )
    if before is not None:
        query = query.where(col(Item.id) < before)
    return list(session.exec(query.order_by(col(Item.id)).limit(limit)))


def same_title_elsewhere(
    session: Session,
    unit_id: int | None,
    key: str,
    since: datetime,
    before: int | None = None,
    limit: int = 10,
) -> list[Item]:
    """Earlier items of OTHER units with this title key received since ``since``."""
    if not key:
        return []
    query = select(Item).where(
        Item.title_key == key,
        col(Item.unit_id).is_not(None),
        Item.unit_id != unit_id,
        col(Item.status).in_((COUNTED, REVIEW)),
        Item.received_at >= since,
    )
    if before is not None:
        query = query.where(col(Item.id) < before)
    return list(session.exec(query.order_by(col(Item.id)).limit(limit)))


def unit_names(session: Session) -> dict[int, str]:
    return {u.id: u.name for u in session.exec(select(Unit)).all() if u.id is not None}


def address_owner(session: Session, email: str) -> tuple[UnitAddress, str] | None:
    """The registration of ``email`` (lower case) and its unit's name, if any."""
    row = session.exec(
        select(UnitAddress, Unit.name)
        .join(Unit, col(Unit.id) == UnitAddress.unit_id)
        .where(UnitAddress.email == email.lower())
    ).first()
    return (row[0], row[1]) if row else None


def remember_address(session: Session, email: str, unit_id: int) -> UnitAddress:
    """Register ``email`` for a unit as the clerk's decision (origin ``clerk``)."""
    address = UnitAddress(unit_id=unit_id, email=email.lower(), origin="clerk")
    session.add(address)
    return address


def items_for_review(session: Session, statuses: tuple[str, ...]) -> list:
    """(Item, Envelope | None, Unit | None) rows with these statuses, oldest first."""
    query = (
        select(Item, Envelope, Unit)
        .join(Envelope, col(Envelope.id) == Item.envelope_id, isouter=True)
        .join(Unit, col(Unit.id) == Item.unit_id, isouter=True)
        .where(col(Item.status).in_(statuses))
        .order_by(col(Item.received_at), col(Item.id))
    )
    return list(session.exec(query).all())


def items_of(session: Session, envelope_id: int | None) -> list[Item]:
    """The items recorded from one envelope."""
    return list(session.exec(select(Item).where(Item.envelope_id == envelope_id)))


def duplicates_of(session: Session, item_id: int | None) -> list[Item]:
    """Items recorded as duplicates (or revisions) of ``item_id``, oldest first."""
    if item_id is None:
        return []
    query = select(Item).where(Item.duplicate_of == item_id, Item.status == DUPLICATE)
    return list(session.exec(query.order_by(col(Item.received_at), col(Item.id))))


def related_items(
    session: Session, item: Item, since: datetime, until: datetime, limit: int = 50
) -> list[Item]:
    """Items that may be the same submission as ``item``: the same text, the same title
    key received between ``since`` and ``until``, or recorded as its duplicate or the
    one it duplicates; oldest first, at most ``limit``."""
    same = [col(Item.duplicate_of) == item.id]
    if item.duplicate_of is not None:
        same.append(col(Item.id) == item.duplicate_of)
    if item.text_hash:
        same.append(col(Item.text_hash) == item.text_hash)
    if item.title_key:
        same.append(
            (col(Item.title_key) == item.title_key)
            & (col(Item.received_at) >= since)
            & (col(Item.received_at) <= until)
        )
    query = select(Item).where(or_(*same), Item.id != item.id, Item.status != FAILED)
    query = query.order_by(col(Item.received_at), col(Item.id)).limit(limit)
    return list(session.exec(query))


def sender_units(session: Session, sender: str, exclude: int | None = None) -> list[str]:
    """Names of the units other counted items from ``sender`` (lower case) belong to."""
    query = (
        select(Unit.name)
        .join(Item, col(Item.unit_id) == Unit.id)
        .join(Envelope, col(Envelope.id) == Item.envelope_id)
        .where(
            func.lower(Envelope.sender) == sender.lower(),
            col(Item.status).in_((COUNTED, DUPLICATE)),
        )
        .distinct()
    )
    if exclude is not None:
        query = query.where(Item.id != exclude)
    return sorted(session.exec(query).all())


def stranger_count(session: Session) -> int:
    """Items set aside as mail from unknown senders (note ``unknown_sender``)."""
    rows = session.exec(
        select(Item.notes).where(Item.status == IGNORED, Item.attribution == "none")
    ).all()
    return sum(1 for notes in rows if any(n.get("code") == "unknown_sender" for n in notes or []))
