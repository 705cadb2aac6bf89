"""queue_log lines, ingest positions, promise outcomes."""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "queue_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("line_no", sa.BigInteger, nullable=False),
        sa.Column("time", sa.BigInteger, nullable=False),
        sa.Column("callid", sa.String(80), nullable=False),
        sa.Column("queuename", sa.String(80), nullable=False),
        sa.Column("agent", sa.String(80), nullable=False),
        sa.Column("event", sa.String(32), nullable=False),
        *(sa.Column(f"data{i}", sa.String(100), nullable=False) for i in range(1, 6)),
        sa.UniqueConstraint("source", "line_no", name="uq_queue_log_line"),
    )
    op.create_index("ix_queue_log_time", "queue_log", ["time"])
    op.create_table(
        "ingest_state",
        sa.Column("source", sa.String(200), primary_key=True),
        sa.Column("offset", sa.BigInteger, nullable=False),
        sa.Column("line_no", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "promise_outcome",
        sa.Column("ref", sa.String(16), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("loop", sa.String(64), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_due", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("promise_outcome")
    op.drop_table("ingest_state")
    op.drop_index("ix_queue_log_time", "queue_log")
    op.drop_table("queue_log")
