"""review decisions on items, attribution candidates, unit+time index for revisions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 22:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from zwxx.records import models as records_models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
# Columns and an index only: SQLite adds them in place. (A foreign key would make batch
# mode copy and drop the item table, which adoptions and duplicates refer to.)


def upgrade() -> None:
    with op.batch_alter_table("item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("candidates", _STR(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("manual_unit_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("manual_category", _STR(length=20), nullable=True))
        batch_op.add_column(sa.Column("manual_status", _STR(length=10), nullable=True))
        batch_op.add_column(sa.Column("manual_reason", _STR(), nullable=True))
        batch_op.add_column(sa.Column("decided_by", _STR(length=100), nullable=True))
        batch_op.add_column(sa.Column("decided_at", records_models.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_item_unit_received", ["unit_id", "received_at"], unique=False)


def downgrade() -> None:
    # recreate="never": SQLite drops the columns in place (3.35+); copying the item
    # table would fail on the rows that refer to it (adoptions, duplicates).
    with op.batch_alter_table("item", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_item_unit_received")
        for name in (
            "decided_at",
            "decided_by",
            "manual_reason",
            "manual_status",
            "manual_category",
            "manual_unit_id",
            "candidates",
        ):
            batch_op.drop_column(name)
