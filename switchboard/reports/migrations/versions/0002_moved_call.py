"""Callers the router moved out of a queue (Asterisk logs their Redirect as ABANDON)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "moved_call",
        sa.Column("callid", sa.String(80), primary_key=True),
        sa.Column("queuename", sa.String(80), primary_key=True),
        sa.Column("time", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_moved_call_time", "moved_call", ["time"])


def downgrade() -> None:
    op.drop_index("ix_moved_call_time", "moved_call")
    op.drop_table("moved_call")
