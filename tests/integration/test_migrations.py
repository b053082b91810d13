"""The Alembic migrations produce exactly the tables the models describe."""

from __future__ import annotations

import json

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from zwxx.records.db import make_engine, open_database, upgrade


def test_models_match_migrations(db_url: str) -> None:
    engine = open_database(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    upgrade(engine)  # a second start is a no-op
    engine.dispose()


def test_upgrade_is_idempotent_from_fresh(db_url: str) -> None:
    engine = make_engine(db_url)
    upgrade(engine)
    upgrade(engine)
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is not None
    engine.dispose()


def test_downgrade_and_upgrade_again_with_data(db_url: str) -> None:
    """Going back (to the scoring schema of 0002) and forward again keeps the rows that
    refer to items: the item table is altered in place, never copied and dropped."""
    from datetime import UTC, date, datetime

    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import Session, select

    from zwxx.records.db import alembic_config
    from zwxx.records.models import Adoption, Item, Unit

    engine = open_database(db_url)
    with Session(engine) as session:
        unit = Unit(name="区民政局", group="tier1")
        session.add(unit)
        session.flush()
        when = datetime(2026, 10, 9, tzinfo=UTC)
        first = Item(unit_id=unit.id, title="甲", category="dynamic", received_at=when)
        session.add(first)
        session.flush()
        session.add(
            Item(
                unit_id=unit.id,
                title="甲",
                category="dynamic",
                received_at=when,
                status="duplicate",
                duplicate_of=first.id,
            )
        )
        session.add(Adoption(item_id=first.id, publication="laiwu", form="full", date=date.today()))
        session.commit()
    cfg = alembic_config()
    for target in ("0002", "head"):
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0002" else command.upgrade)(cfg, target)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        assert diff == []
        assert conn.execute(sa.text("SELECT count(*) FROM item")).scalar() == 2
    with Session(engine) as session:
        assert len(session.exec(select(Adoption)).all()) == 1
    engine.dispose()


def test_0006_turns_reasons_into_notes_and_back(db_url: str) -> None:
    """Up with data (old reasons become notes), down (the column goes, the reasons stay),
    up again (the same notes)."""
    import sqlalchemy as sa
    from alembic import command

    from zwxx.records.db import alembic_config

    engine = make_engine(db_url)
    cfg = alembic_config()

    def migrate(step, target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    migrate(command.upgrade, "0005")
    reasons = {
        "counted": "落款中出现单位名称“区民政局”；"
        "字数 520，超过动态信息原则上 400 字的要求，照常计数",
        "ignored": "发件人不是登记的报送单位，正文也未提及任何单位，不计数",
        "review": "与第 1 条（区财政局）内容相同，可能为联合报送，请确认；某种旧说明",
        "duplicate": "",
    }
    with engine.begin() as conn:
        conn.execute(
            sa.text("INSERT INTO unit (id, name, group_key, active) VALUES (1, '甲', 't', true)")
        )
        for n, (status, reason) in enumerate(reasons.items(), start=1):
            conn.execute(
                sa.text(
                    "INSERT INTO item (id, part, unit_id, title, body, category, category_reason,"
                    " chars, chars_no_spaces, over_limit, status, reason, solicited, received_at,"
                    " attribution, text_hash, title_key, candidates, created_at) VALUES (:id, 0, 1,"
                    " 't', 'b', 'dynamic', '', 1, 1, false, :status, :reason, false, :at, '', '',"
                    " '', '', :at)"
                ),
                {"id": n, "status": status, "reason": reason, "at": "2026-10-09 01:00:00"},
            )

    def notes() -> dict[str, list[str]]:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT status, notes, reason FROM item")).all()
        out = {}
        for status, raw, reason in rows:
            got = json.loads(raw) if isinstance(raw, str) else raw
            assert "；".join(n["text"] for n in got) == reason  # the reason is their texts
            out[status] = [n["code"] for n in got]
        return out

    expected = {
        "counted": ["attribution", "over_limit"],
        "ignored": ["unknown_sender"],
        "review": ["joint", "legacy"],
        "duplicate": [],
    }
    migrate(command.upgrade, "head")
    assert notes() == expected
    migrate(command.downgrade, "0005")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("item")}
        kept = dict(conn.execute(sa.text("SELECT status, reason FROM item")).all())
    assert "notes" not in columns and kept == reasons
    migrate(command.upgrade, "head")
    assert notes() == expected
    engine.dispose()


def test_0007_envelope_copies_up_down_up(db_url: str) -> None:
    """Up with data (content keys from the old identities), down (copies become ignored
    rows, the columns go), up again (the same schema as the models)."""
    import sqlalchemy as sa
    from alembic import command

    from zwxx.records.db import alembic_config

    engine = make_engine(db_url)
    cfg = alembic_config()

    def migrate(step, target: str) -> None:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            step(cfg, target)

    insert = sa.text(
        "INSERT INTO envelope (id, source, sha256, identity, size, received_at, status,"
        " created_at) VALUES (:id, 'dropfolder', :sha, :identity, 1, :at, 'parsed', :at)"
    )
    migrate(command.upgrade, "0006")
    with engine.begin() as conn:
        conn.execute(insert, {"id": 1, "sha": "a" * 64, "identity": "k1", "at": "2026-10-09"})
        conn.execute(insert, {"id": 2, "sha": "", "identity": "k2", "at": "2026-10-09"})
    migrate(command.upgrade, "head")
    with engine.begin() as conn:
        rows = conn.execute(sa.text("SELECT id, content_key FROM envelope ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "k1"), (2, None)]
        conn.execute(
            sa.text(
                "INSERT INTO envelope (id, source, sha256, identity, content_key, duplicate_of,"
                " size, received_at, status, created_at) VALUES (3, 'dropfolder', :sha, 'k3',"
                " 'k1', 1, 1, :at, 'duplicate', :at)"
            ),
            {"sha": "a" * 64, "at": "2026-10-09"},
        )
    migrate(command.downgrade, "0006")
    with engine.connect() as conn:
        columns = {c["name"] for c in sa.inspect(conn).get_columns("envelope")}
        assert not {"content_key", "duplicate_of"} & columns
        status = conn.execute(sa.text("SELECT status FROM envelope WHERE id = 3")).scalar()
        assert status == "ignored"
    migrate(command.upgrade, "head")
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) == []
        assert conn.execute(sa.text("SELECT count(*) FROM envelope")).scalar() == 3
    engine.dispose()
