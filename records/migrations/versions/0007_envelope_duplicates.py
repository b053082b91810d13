"""envelope copies: a content key and duplicate_of (every message and file has its row)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

Before 0.3.0 an envelope's identity was its content key (the bytes, and for a drop-folder
file its unit), so a second copy of the same bytes left no row. From now on the identity
is the message (mailbox, folder, UIDVALIDITY, UID) or the file, and the content key says
which envelopes are copies of each other. Existing rows get their identity as content key
(what it was). Columns and indexes only: SQLite adds them in place (no foreign key, which
would make batch mode copy and drop the envelope table the items refer to).
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STR = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("envelope", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content_key", _STR(length=64), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_index("ix_envelope_content_key", ["content_key"], unique=False)
        batch_op.create_index("ix_envelope_duplicate_of", ["duplicate_of"], unique=False)
    op.execute("UPDATE envelope SET content_key = identity WHERE sha256 <> ''")


def downgrade() -> None:
    # Copies recorded as duplicates have no items; they stay as rows, marked ignored
    # (the statuses 0006 knows), so nothing they said is lost and nothing is counted.
    op.execute(
        "UPDATE envelope SET status = 'ignored',"
        " reason = COALESCE(reason, '与此前一件内容相同（重复收到）') WHERE status = 'duplicate'"
    )
    with op.batch_alter_table("envelope", schema=None, recreate="never") as batch_op:
        batch_op.drop_index("ix_envelope_duplicate_of")
        batch_op.drop_index("ix_envelope_content_key")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("content_key")
