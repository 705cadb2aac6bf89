"""The reports' tables (SQLAlchemy Core): the same for SQLite and PostgreSQL.

The schema is created and changed only by the Alembic migrations in switchboard/reports/migrations.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

# One row per queue_log line, as Asterisk wrote it; the caller id of ENTERQUEUE is not
# kept (personal data), everything else is.
queue_log = Table(
    "queue_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", String(200), nullable=False),  # which file (or realtime table)
    Column("line_no", BigInteger, nullable=False),  # position in that source
    Column("time", BigInteger, nullable=False),
    Column("callid", String(80), nullable=False),
    Column("queuename", String(80), nullable=False),
    Column("agent", String(80), nullable=False),
    Column("event", String(32), nullable=False),
    Column("data1", String(100), nullable=False, default=""),
    Column("data2", String(100), nullable=False, default=""),
    Column("data3", String(100), nullable=False, default=""),
    Column("data4", String(100), nullable=False, default=""),
    Column("data5", String(100), nullable=False, default=""),
    # data1 and data2 as numbers (QueueLogLine.number): hold, talk and wait times, summed
    # and counted in the database (reports.aggregate).
    Column("n1", BigInteger, nullable=False, server_default="0"),
    Column("n2", BigInteger, nullable=False, server_default="0"),
    UniqueConstraint("source", "line_no", name="uq_queue_log_line"),
    Index("ix_queue_log_time", "time"),
    Index("ix_queue_log_call", "callid", "event", "time"),
    Index("ix_queue_log_event_time", "event", "time"),  # a period's answers, abandons
)

# How far each source has been read (a restart or a second run reads on from here).
ingest_state = Table(
    "ingest_state",
    metadata,
    Column("source", String(200), primary_key=True),
    Column("offset", BigInteger, nullable=False),
    Column("line_no", BigInteger, nullable=False),
)

# Callbacks and inquiries as the 95 % measure needs them: no number, no member, no text.
# Callers the router moved out of a queue by Redirect (logged by Asterisk as ABANDON).
moved_call = Table(
    "moved_call",
    metadata,
    Column("callid", String(80), primary_key=True),
    Column("queuename", String(80), primary_key=True),
    Column("time", BigInteger, nullable=False, index=True),
)

promise_outcome = Table(
    "promise_outcome",
    metadata,
    Column("ref", String(16), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("loop", String(64), nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("first_due", DateTime(timezone=True), nullable=False),
    Column("done_at", DateTime(timezone=True), nullable=True),
    Column("callid", String(80), nullable=False, server_default=""),  # Asterisk's, not a number
    Index("ix_promise_outcome_callid", "callid"),
    Index("ix_promise_outcome_first_due", "first_due"),
)
