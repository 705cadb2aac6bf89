"""Figures aggregated in the database: the numbers of a line as numbers, the call a
callback was asked on, and the indexes a window's count uses (reports.aggregate)."""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"

# The rule of QueueLogLine.number: one to nine ASCII digits, else 0.
_NUMBER = {
    "postgresql": "CASE WHEN {c} ~ '^[0-9]{{1,9}}$' THEN CAST({c} AS BIGINT) ELSE 0 END",
    "sqlite": (
        "CASE WHEN length({c}) BETWEEN 1 AND 9 AND {c} NOT GLOB '*[^0-9]*' "
        "THEN CAST({c} AS INTEGER) ELSE 0 END"
    ),
}


def upgrade() -> None:
    with op.batch_alter_table("queue_log") as table:
        table.add_column(sa.Column("n1", sa.BigInteger, nullable=False, server_default="0"))
        table.add_column(sa.Column("n2", sa.BigInteger, nullable=False, server_default="0"))
    number = _NUMBER[op.get_bind().dialect.name]
    op.execute(
        f"UPDATE queue_log SET n1 = {number.format(c='data1')}, n2 = {number.format(c='data2')}"
    )
    # The abandon check looks up a call's later entries: all three columns in the index, so
    # no planner (SQLite without statistics included) prefers the (event, time) one for it.
    op.create_index("ix_queue_log_call", "queue_log", ["callid", "event", "time"])
    op.create_index("ix_queue_log_event_time", "queue_log", ["event", "time"])
    # The call a callback was asked on: its ABANDON is a caller moved on, not lost.
    with op.batch_alter_table("promise_outcome") as table:
        table.add_column(sa.Column("callid", sa.String(80), nullable=False, server_default=""))
    op.create_index("ix_promise_outcome_callid", "promise_outcome", ["callid"])
    op.create_index("ix_promise_outcome_first_due", "promise_outcome", ["first_due"])


def downgrade() -> None:
    op.drop_index("ix_promise_outcome_first_due", "promise_outcome")
    op.drop_index("ix_promise_outcome_callid", "promise_outcome")
    with op.batch_alter_table("promise_outcome") as table:
        table.drop_column("callid")
    op.drop_index("ix_queue_log_event_time", "queue_log")
    op.drop_index("ix_queue_log_call", "queue_log")
    with op.batch_alter_table("queue_log") as table:
        table.drop_column("n2")
        table.drop_column("n1")
