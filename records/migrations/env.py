"""Alembic environment: zwxx passes the connection in; no alembic.ini is needed."""

from alembic import context
from sqlmodel import SQLModel

import zwxx.records.models  # noqa: F401 - registers the tables on SQLModel.metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=SQLModel.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
