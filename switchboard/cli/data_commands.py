"""Commands over stored data: ratings, recordings, reports, members, backups, keys, passwords."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from switchboard.cli.app import (
    REKEY_FIX,
    ConfigOption,
    _exit_with,
    _fail,
    _load,
    app,
)
from switchboard.config import ConfigError, Settings

if TYPE_CHECKING:  # (imported by the commands that use it: the reports load SQLAlchemy)
    from switchboard.reports.shell import Reports


@app.command("ratings")
def ratings(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
) -> None:
    """Callers' ratings and recording consents per loop and week, as CSV (no numbers)."""
    from switchboard.engine import rating_store
    from switchboard.quality.ratings import export_csv

    settings = _load(config)
    store = rating_store(settings)
    if store is None or settings.ivr is None:
        _fail("no loop asks for a rating or for consent (loops[].rating, loops[].record)")
    typer.echo(export_csv(store, settings.ivr.rating.scale), nl=False)
    for loop, week, yes, no in store.consents():
        typer.echo(f"# consent {loop} {week}: {yes} recorded, {no} not")
    store.close()


@app.command("recordings")
def recordings_command(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
    prune: Annotated[bool, typer.Option(help="Delete those older than keep_days.")] = False,
) -> None:
    """List the consented recordings (run on the Asterisk host), or prune the expired ones."""
    from switchboard.quality import recordings as rec

    settings = _load(config)
    assert settings.ivr is not None
    recording = settings.ivr.recording
    directory = Path(recording.directory)
    if prune:
        gone = rec.prune(directory, recording.keep_days)
        typer.echo(f"deleted {len(gone)} recording(s) older than {recording.keep_days} days")
        return
    for r in rec.recordings(directory):
        typer.echo(f"{r.name}  {r.size} bytes")


@app.command("reports-prune")
def reports_prune(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
) -> None:
    """Apply the reports' retention now (the engine also does on every read-on)."""
    from datetime import UTC, datetime, timedelta

    from switchboard.reports import store

    settings = _load(config)
    if settings.reports is None:
        _fail("the config has no reports: section")
    keep = settings.reports.keep_days
    engine = store.connect(settings.reports_database())
    try:
        gone = store.prune(engine, datetime.now(UTC) - timedelta(days=keep))
    finally:
        engine.dispose()
    typer.echo(
        f"deleted {gone.lines} queue_log line(s) and {gone.outcomes} promise outcome(s) "
        f"older than {keep} days"
    )


@contextlib.contextmanager
def _reports(settings: Settings) -> Iterator[Reports]:
    """The config's reports (its database migrated), closed again after the command."""
    from datetime import UTC, datetime

    from switchboard.reports_setup import reports_for

    reports = reports_for(settings, lambda: datetime.now(UTC))
    if reports is None:
        _fail("the config has no reports: section")
    try:
        yield reports
    finally:
        reports.engine.dispose()


@app.command("reports-read")
def reports_read(
    config: ConfigOption,
) -> None:
    """Read what queue_log gained into the reports database now (the engine does every
    minute): a backlog, or the lines of an outage. Outcomes of promises come with the engine."""
    with _reports(_load(config)) as reports:
        lines = asyncio.run(reports.read_on())
    bad = f", {reports.bad_lines} line(s) not read (see the log)" if reports.bad_lines else ""
    typer.echo(f"read {lines} queue_log line(s) from {reports.queue_log}{bad}")


@app.command("report")
def report(
    config: ConfigOption,
    period: Annotated[
        str, typer.Option(help="day, week or quarter: what each row of the report covers.")
    ] = "day",
    end: Annotated[
        str | None, typer.Option(help="A day (YYYY-MM-DD) of the last period; default today.")
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(help="Periods in the report (default 7 days, 13 weeks, 4 quarters)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="CSV file; default stdout.")
    ] = None,
) -> None:
    """The reports' figures as CSV, as /reports.csv gives them (loops, then agents)."""
    from datetime import date

    from switchboard.reports.export import to_csv
    from switchboard.reports.figures import Period

    try:
        kind = Period(period)
    except ValueError:
        _fail(f"--period {period!r}: give day, week or quarter")
    try:
        last = date.fromisoformat(end) if end else None
    except ValueError:
        _fail(f"--end {end!r}: give a date as YYYY-MM-DD")
    if count is not None and count < 1:
        _fail(f"--count {count}: give one period or more")
    settings = _load(config)
    with _reports(settings) as reports:
        figures = asyncio.run(reports.report(reports.window(kind, last, count)))
    text = to_csv(figures, settings.screen.ui_language)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


@app.command("password-hash")
def password_hash() -> None:
    """Print an agent's screen password as a hash for `login:` in the config.

    Asks twice on a terminal; reads one line from standard input otherwise
    (`printf '%s\\n' "$PW" | switchboard password-hash`)."""
    from switchboard.screen.logins import hash_password

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 10:
        _fail("use at least 10 characters")
    typer.echo(f"login: {hash_password(password)}")


@app.command("members-import")
def members_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV export from the member register.")],
    config: ConfigOption,
) -> None:
    """Load members into the embedded SQLite directory (columns: see the admin guide).

    Exits 1 when no member was imported, 2 when the file or the config cannot be used."""
    from switchboard.data_key import DataKeyError
    from switchboard.engine import member_directory
    from switchboard.screen.directory import SqliteDirectory
    from switchboard.screen.directory_key import DirectoryKeyError
    from switchboard.screen.member_import import ExportError, decode_export, read_members

    settings = _load(config)
    try:
        directory = member_directory(settings)
    except ConfigError as bad:
        _exit_with(bad)
    except DataKeyError as bad:
        _fail(f"{config}: {bad}")
    except DirectoryKeyError as bad:
        _fail(f"{config}: {bad} (fix: {REKEY_FIX})")
    if not isinstance(directory, SqliteDirectory):
        _fail("the configured directory is a CRM over HTTP: import there")
    try:
        text, encoding = decode_export(csv_file.read_bytes())
    except OSError as exc:
        _fail(f"{csv_file}: cannot read: {exc.strerror}")
    except ExportError as bad:
        _fail(f"{csv_file}: {bad}")
    if encoding not in ("UTF-8",):
        typer.echo(f"{csv_file}: read as {encoding}", err=True)
    members, skipped = read_members(text, str(csv_file), directory.placeholders)
    for reason in skipped:
        typer.echo(reason, err=True)
    directory.add_all(members)
    typer.echo(f"{len(members)} member(s) imported, {len(skipped)} row(s) skipped")
    if not members:
        typer.echo(f"{csv_file}: nothing was imported", err=True)
        raise typer.Exit(1)


@app.command("backup")
def backup_command(
    outdir: Annotated[Path, typer.Argument(help="Folder for the copies.")],
    config: ConfigOption,
) -> None:
    """Copy the engine's state while it runs: SQLite files and a Redis snapshot."""
    from switchboard.backup import BackupError, backup

    settings = _load(config)
    try:
        written = backup(settings, outdir)
    except (BackupError, sqlite3.Error, OSError) as bad:
        _fail(f"{config}: backup: {bad}")
    for path in written:
        typer.echo(f"wrote {path}")
    typer.echo('Asterisk\'s AstDB is copied on its host: sqlite3 astdb.sqlite3 ".backup astdb.bak"')


@app.command("gen-key")
def gen_key() -> None:
    """Print a new SWITCHBOARD_DATA_KEY (seals callback numbers and the directory's hash key)."""
    from switchboard.data_key import generate

    typer.echo(generate())


@app.command("re-key")
def re_key(
    config: ConfigOption,
    old_key_env: Annotated[
        str, typer.Option(help="The variable holding the key the data was sealed with.")
    ] = "SWITCHBOARD_OLD_DATA_KEY",
) -> None:
    """Seal the stored data again with a new key (the new one in the config's key variable).

    Stop both engines first; afterwards start them with the new key."""
    from redis.exceptions import RedisError

    from switchboard.cluster.redis_clients import admin_client
    from switchboard.data_key import DataKeyError, read, rekey_directory, rekey_redis
    from switchboard.promises.sealing import Sealer, SealError
    from switchboard.screen.directory_key import DirectoryKeyError

    settings = _load(config)
    old = os.environ.get(old_key_env, "")
    if not old:
        _fail(f"set {old_key_env} to the old key (and the config's key variable to the new one)")
    try:
        where = settings.directory_location()
        if where.startswith("sqlite:") and where != "sqlite::memory:":
            new = read(settings.screen.fnr_key_env, os.environ)
            path = Path(where.removeprefix("sqlite:"))
            if path.exists():
                done = rekey_directory(path, old, new)
                said = "sealed with the new key" if done else "already sealed with the new key"
                typer.echo(f"member directory {path}: hash key {said}")
        if settings.redis is not None:
            new = read(settings.redis.data_key_env, os.environ)
            with contextlib.closing(admin_client(settings.redis)) as client:
                count = rekey_redis(client, Sealer(old.encode()), Sealer(new.encode()))
            typer.echo(f"redis: {count} callback number(s) sealed with the new key")
    except (DataKeyError, DirectoryKeyError) as bad:
        _fail(f"{config}: {bad}")
    except SealError:
        _fail(f"{config}: a stored callback number opens with neither the old nor the new key")
    except RedisError as exc:
        _fail(
            f"{config}: redis: {exc} (fix: start Redis or check redis.url/sentinels, then run "
            "re-key again: what is sealed already is recognised)"
        )
    except ValueError:
        _fail(f"{old_key_env} is not a data key of the kind the data was sealed with")
