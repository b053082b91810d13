"""notification content, channel transport and retry time

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import records.models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via", _STR(length=10), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("unit", _STR(length=100), nullable=True))
        batch_op.add_column(sa.Column("subject", _STR(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("html", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("attachments", sa.Text(), nullable=False, server_default="[]")
        )
        batch_op.add_column(sa.Column("segments", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(
            sa.Column("next_attempt_at", records.models.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column("claimed_at", records.models.UTCDateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_notification_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_notification_status"))
        for name in (
            "claimed_at",
            "next_attempt_at",
            "segments",
            "attachments",
            "html",
            "body",
            "subject",
            "unit",
            "via",
        ):
            batch_op.drop_column(name)
