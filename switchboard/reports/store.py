"""The reports' relational store: SQLite embedded by default, PostgreSQL in production.

Only this module speaks SQL; the same SQLAlchemy Core statements serve both databases,
and the schema comes from the Alembic migrations next to it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, delete, insert, select
from sqlalchemy.exc import DBAPIError

from switchboard.reports.figures import PromiseOutcome
from switchboard.reports.queue_log import BadLine, QueueLogLine, as_number, parse
from switchboard.reports.tables import ingest_state, moved_call, promise_outcome, queue_log
from switchboard.resources import package_folder

log = logging.getLogger("switchboard.reports")
MIGRATIONS = package_folder("switchboard.reports", "migrations")
BATCH = 5000  # lines per transaction (a commit per batch: what a crash can cost to re-read)


# The newest migration (tests/reports/test_migrations.py holds this to the folder).
HEAD = "0003"


def connect(url: str) -> Engine:
    """`sqlite:///reports.db` (the default) or `postgresql+psycopg://...`; migrated."""
    engine = create_engine(url, future=True)
    if _revision(engine) != HEAD:
        migrate(engine)
    return engine


def _revision(engine: Engine) -> str | None:
    """The schema's revision as Alembic recorded it (None: a new database). Read with one
    query, so a command on a current database does not load Alembic at all."""
    try:
        with engine.connect() as c:
            return c.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    except DBAPIError:
        return None


def migrate(engine: Engine) -> None:
    from alembic import command  # (only when the schema is behind: a second to import)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@dataclass(frozen=True, slots=True)
class Ingested:
    lines: int
    bad: list[str]


def _row(source: str, n: int, ln: QueueLogLine) -> dict[str, object]:
    data = list(ln.data[:5]) + [""] * (5 - min(len(ln.data), 5))
    if ln.verb == "ENTERQUEUE" and len(data) > 1:
        data[1] = ""  # the caller's number: never in reports
    return {
        "source": source,
        "line_no": n,
        "time": ln.time,
        "callid": ln.callid[:80],
        "queuename": ln.queue[:80],
        "agent": ln.agent[:80],
        "event": ln.verb[:32],
        **{f"data{i + 1}": str(v)[:100] for i, v in enumerate(data)},
        # From the kept fields: the caller's number of ENTERQUEUE is not a number here either.
        "n1": as_number(str(data[0])),
        "n2": as_number(str(data[1])),
    }


def ingest_file(engine: Engine, path: Path, source: str | None = None) -> Ingested:
    """Read what was added to a queue_log file since the last call (tail), in one
    transaction per batch; a file that shrank (rotated) is read from its start."""
    source = source or str(path)
    with engine.begin() as c:
        state = c.execute(select(ingest_state).where(ingest_state.c.source == source)).first()
    offset, line_no = (int(state.offset), int(state.line_no)) if state else (0, 0)
    size = path.stat().st_size
    if size < offset:
        log.info("%s is shorter than last read: read from its start (rotated)", source)
        offset = 0
    bad: list[str] = []
    count = 0
    with path.open("rb") as f:
        f.seek(offset)
        while True:
            chunk: list[bytes] = []
            for raw in f:
                if not raw.endswith(b"\n"):
                    break  # a line Asterisk is still writing: read it next time
                chunk.append(raw)
                if len(chunk) >= BATCH:
                    break
            if not chunk:
                break
            rows = []
            first = line_no + 1
            for k, raw in enumerate(chunk):
                for item in parse([raw.decode("utf-8", "replace")], first + k):
                    if isinstance(item, BadLine):
                        bad.append(f"{source}: {item.problem}")
                    else:
                        rows.append(_row(source, first + k, item))
            line_no += len(chunk)
            offset += sum(len(r) for r in chunk)
            with engine.begin() as c:
                # Lines a crashed earlier run stored already are replaced, not doubled.
                c.execute(
                    delete(queue_log).where(
                        queue_log.c.source == source, queue_log.c.line_no >= first
                    )
                )
                if rows:
                    c.execute(insert(queue_log), rows)
                c.execute(delete(ingest_state).where(ingest_state.c.source == source))
                c.execute(
                    insert(ingest_state).values(source=source, offset=offset, line_no=line_no)
                )
            count += len(rows)
            f.seek(offset)
    for problem in bad:
        log.warning("queue_log %s", problem)
    return Ingested(count, bad)


def lines(
    engine: Engine, start: datetime | None = None, end: datetime | None = None
) -> list[QueueLogLine]:
    q = select(queue_log).order_by(queue_log.c.time, queue_log.c.source, queue_log.c.line_no)
    if start is not None:
        q = q.where(queue_log.c.time >= int(start.timestamp()))
    if end is not None:
        q = q.where(queue_log.c.time < int(end.timestamp()))
    with engine.connect() as c:
        rows = c.execute(q).all()
    out = []
    for r in rows:
        data = [r.data1, r.data2, r.data3, r.data4, r.data5]
        while data and data[-1] == "":
            data.pop()
        out.append(QueueLogLine(int(r.time), r.callid, r.queuename, r.agent, r.event, tuple(data)))
    return out


@dataclass(frozen=True, slots=True)
class Pruned:
    lines: int
    outcomes: int


def prune(engine: Engine, before: datetime) -> Pruned:
    """Retention: delete queue_log lines timed before `before`, and the outcomes of promises
    registered before it. The read positions stay, so nothing is read in again."""
    with engine.begin() as c:
        lines = c.execute(delete(queue_log).where(queue_log.c.time < int(before.timestamp())))
        outcomes = c.execute(delete(promise_outcome).where(promise_outcome.c.requested_at < before))
        c.execute(delete(moved_call).where(moved_call.c.time < int(before.timestamp())))
    return Pruned(lines.rowcount, outcomes.rowcount)


def save_moved(engine: Engine, moved: Iterable[tuple[str, str, int]]) -> int:
    """Record callers the router moved out of a queue: (call id, queue, epoch)."""
    rows = [{"callid": c[:80], "queuename": q[:80], "time": t} for c, q, t in moved]
    with engine.begin() as c:
        for row in rows:
            c.execute(
                delete(moved_call).where(
                    moved_call.c.callid == row["callid"], moved_call.c.queuename == row["queuename"]
                )
            )
        if rows:
            c.execute(insert(moved_call), rows)
    return len(rows)


def moved_calls(engine: Engine) -> frozenset[tuple[str, str]]:
    with engine.connect() as c:
        rows = c.execute(select(moved_call.c.callid, moved_call.c.queuename)).all()
    return frozenset((r.callid, r.queuename) for r in rows)


def save_outcomes(engine: Engine, outcomes: Iterable[PromiseOutcome]) -> int:
    rows = [
        {
            "ref": o.ref,
            "kind": o.kind,
            "loop": o.loop,
            # In UTC: SQLite keeps a datetime's wall time and drops its zone.
            "requested_at": o.requested_at.astimezone(UTC),
            "first_due": o.first_due.astimezone(UTC),
            "done_at": o.done_at.astimezone(UTC) if o.done_at else None,
            "callid": o.callid[:80],
        }
        for o in outcomes
    ]
    with engine.begin() as c:
        for row in rows:
            c.execute(delete(promise_outcome).where(promise_outcome.c.ref == row["ref"]))
        if rows:
            c.execute(insert(promise_outcome), rows)
    return len(rows)


def _aware(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite hands back naive UTC


def outcomes(
    engine: Engine, due_from: datetime | None = None, due_before: datetime | None = None
) -> list[PromiseOutcome]:
    """Stored outcomes, those first due within [due_from, due_before) when given."""
    q = select(promise_outcome).order_by(promise_outcome.c.ref)
    if due_from is not None:
        q = q.where(promise_outcome.c.first_due >= due_from.astimezone(UTC))
    if due_before is not None:
        q = q.where(promise_outcome.c.first_due < due_before.astimezone(UTC))
    with engine.connect() as c:
        rows = c.execute(q).all()
    out = []
    for r in rows:
        requested, due = _aware(r.requested_at), _aware(r.first_due)
        assert requested is not None
        assert due is not None
        done = _aware(r.done_at)
        out.append(PromiseOutcome(r.ref, r.kind, r.loop, requested, due, done, r.callid))
    return out
