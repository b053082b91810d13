"""The Alembic migrations produce exactly the tables the models describe."""

from __future__ import annotations

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
