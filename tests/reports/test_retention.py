"""Reports keep `reports.keep_days` and no more, in SQLite and in a real PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.promises.promise import Promise, PromiseKind, close, registered, take
from switchboard.promises.store import MemoryPromiseStore
from switchboard.reports import store
from switchboard.reports.figures import PromiseOutcome
from switchboard.reports.shell import Reports

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DAY = 86400


def call(at: datetime, n: int) -> str:
    t = int(at.timestamp())
    return (
        f"{t}|c{n}|loop1|NONE|ENTERQUEUE||+4790000{n:03d}|1\n"
        f"{t + 2}|c{n}|loop1|Anne Aas|CONNECT|2|a{n}|1\n"
        f"{t + 30}|c{n}|loop1|Anne Aas|COMPLETEAGENT|2|28|1\n"
    )


def outcome(ref: str, requested: datetime) -> PromiseOutcome:
    return PromiseOutcome(ref, "callback", "loop1", requested, requested + timedelta(days=2), None)


def test_lines_and_outcomes_older_than_the_retention_go_and_are_not_read_in_again(
    engine: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    old, recent = NOW - timedelta(days=401), NOW - timedelta(days=399)
    log.write_text(call(old, 1) + call(recent, 2))
    assert store.ingest_file(engine, log).lines == 6
    store.save_outcomes(engine, [outcome("111111", old), outcome("222222", recent)])

    gone = store.prune(engine, NOW - timedelta(days=400))

    assert (gone.lines, gone.outcomes) == (3, 1)
    assert {ln.callid for ln in store.lines(engine)} == {"c2"}
    assert [o.ref for o in store.outcomes(engine)] == ["222222"]
    # The file still holds the old call; reading on does not bring it back.
    assert store.ingest_file(engine, log).lines == 0
    assert store.prune(engine, NOW - timedelta(days=400)).lines == 0


async def test_every_read_on_applies_the_configured_retention(
    engine: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "queue_log"
    log.write_text(call(NOW - timedelta(days=40), 1) + call(NOW - timedelta(days=5), 2))
    promises = MemoryPromiseStore()
    for ref, days in (("333333", 40), ("444444", 5)):
        at = NOW - timedelta(days=days)
        p = registered(Promise(ref, "+4790000001", "loop1", at, at + timedelta(days=2)))
        await promises.add(close(take(p, "anne", at), "anne", at + timedelta(days=1)))
    reports = Reports(
        engine, log, ZoneInfo("Europe/Oslo"), lambda: NOW, promises=promises, keep_days=30
    )

    reports.note_moved("c9", "loop1")  # the router moved someone out of loop1 just now
    assert await reports.read_on() == 6
    assert store.moved_calls(engine) == {("c9", "loop1")}

    assert {ln.callid for ln in store.lines(engine)} == {"c2"}
    assert [o.ref for o in store.outcomes(engine)] == ["444444"]
    assert all(o.kind == PromiseKind.CALLBACK.value for o in store.outcomes(engine))


def test_check_config_shows_the_retention_and_reports_prune_applies_it(tmp_path: Path) -> None:
    example = EXAMPLE_CONFIG
    db = tmp_path / "reports.db"
    config = tmp_path / "sb.yaml"
    reports = f"{{database: 'sqlite:///{db}', queue_log: {tmp_path / 'ql'}, keep_days: 90}}"
    config.write_text(example.read_text() + f"\nreports: {reports}\n")
    shown = CliRunner().invoke(app, ["check-config", str(config)])
    assert shown.exit_code == 0, shown.output
    assert "done callbacks and inquiries kept 400 days" in shown.output
    assert "reports (queue_log lines, outcomes) 90 days" in shown.output

    engine = store.connect(f"sqlite:///{db}")
    log = tmp_path / "ql"
    log.write_text(call(datetime.now(UTC) - timedelta(days=91), 1) + call(datetime.now(UTC), 2))
    store.ingest_file(engine, log)
    engine.dispose()
    pruned = CliRunner().invoke(app, ["reports-prune", "--config", str(config)])
    assert pruned.exit_code == 0, pruned.output
    assert (
        "deleted 3 queue_log line(s) and 0 promise outcome(s) older than 90 days" in pruned.output
    )
