"""notification: the rendered message, transport, retry times; the unit in the key

The table of 0001 was never written to (nothing sent notifications before this
revision), so it is recreated rather than altered: SQLite cannot drop its unnamed
unique constraint in place.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from zwxx.records import models as records_models

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString
_UTC = records_models.UTCDateTime


def _common() -> list[sa.Column]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _STR(length=30), nullable=False),
        sa.Column("period", _STR(length=30), nullable=False),
        sa.Column("recipient", _STR(length=254), nullable=False),
        sa.Column("channel", _STR(length=10), nullable=False),
    ]


def upgrade() -> None:
    op.drop_table("notification")
    op.create_table(
        "notification",
        *_common(),
        sa.Column("unit", _STR(length=100), nullable=False),
        sa.Column("via", _STR(length=10), nullable=False),
        sa.Column("subject", _STR(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("status", _STR(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", _STR(), nullable=True),
        sa.Column("next_attempt_at", _UTC(), nullable=True),
        sa.Column("claimed_at", _UTC(), nullable=True),
        sa.Column("sent_at", _UTC(), nullable=True),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "kind", "period", "recipient", "channel", "unit", name="uq_notification_key"
        ),
    )
    op.create_index("ix_notification_status", "notification", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notification_status", table_name="notification")
    op.drop_table("notification")
    op.create_table(
        "notification",
        *_common(),
        sa.Column("status", _STR(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", _STR(), nullable=True),
        sa.Column("sent_at", _UTC(), nullable=True),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period", "recipient", "channel"),
    )
