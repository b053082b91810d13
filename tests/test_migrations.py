"""The Alembic migrations produce exactly the tables the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from records.db import make_engine, open_database, upgrade


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
