"""The `switchboard` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from ivr.generate import asterisk_files, write_files
from ivr.hours import describe
from switchboard.config import ConfigError, Settings, load_config

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


# httpx logs every request line at INFO, and a CRM lookup's URL carries the caller's number.
QUIET_LIBRARIES = ("httpx", "httpcore")


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def _exit_with(bad: ConfigError) -> NoReturn:
    """Every problem on its own line, then exit 2 (what a wrong setting always gets)."""
    for problem in bad.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(2) from None


def _load(path: Path) -> Settings:
    try:
        return load_config(path)
    except ConfigError as bad:
        typer.echo(f"{path}: the configuration has {len(bad.problems)} problem(s):", err=True)
        for problem in bad.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None


@app.command()
def demo(
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 0,
    call_gap: Annotated[float, typer.Option(help="Mean seconds between simulated calls.")] = 4.0,
    port: Annotated[int, typer.Option(help="Port for the simulated AMI (0: any free).")] = 0,
    seed: Annotated[int | None, typer.Option(help="Random seed for repeatable traffic.")] = None,
    web_port: Annotated[int, typer.Option(help="Port for the web pages (0: any free).")] = 8080,
    verbose: bool = False,
) -> None:
    """Run the embedded demo: simulated PBX, example config, meetings, live calls."""
    from switchboard.demo import port_taken, run_demo

    _logging(verbose)
    if web_port and port_taken("127.0.0.1", web_port):
        typer.echo(
            f"port {web_port} is already in use (another demo?): choose one with --web-port, "
            "or --web-port 0 for any free port",
            err=True,
        )
        raise typer.Exit(2)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_demo(
                duration_s=duration or None,
                call_gap_s=call_gap,
                port=port,
                seed=seed,
                web_port=web_port,
            )
        )


@app.command()
def run(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
    verbose: bool = False,
) -> None:
    """Run the engine against the Asterisk named in the config."""
    from routing.sealing import SealError
    from switchboard.engine import production_engine

    _logging(verbose)
    settings = _load(config)
    try:
        engine = production_engine(settings)
    except ConfigError as bad:
        _exit_with(bad)
    except SealError as bad:
        typer.echo(f"{config}: {bad}", err=True)
        raise typer.Exit(2) from None
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(engine.run())


@app.command("check-config")
def check_config(config: Annotated[Path, typer.Argument(help="The YAML configuration.")]) -> None:
    """Validate a configuration and show who answers each loop."""
    settings = _load(config)
    digits = {c.queue: c.digit for c in settings.menu.choices}
    for loop in settings.roster.loops:
        members = settings.roster.members_of(loop)
        typer.echo(
            f"{digits[loop.queue]}  {loop.queue:<12} {loop.title} ({loop.suffix}): "
            f"{len(members)} members"
        )
        for agent in members:
            status = settings.manual.get(agent.id)
            typer.echo(
                f"     {agent.name} <{agent.interface}>" + (f" [{status}]" if status else "")
            )
    typer.echo(f"no choice or invalid keys -> {settings.menu.default_queue}")
    if settings.ivr is not None:
        for day, spans in describe(settings.ivr.hours).items():
            typer.echo(f"open {day}: {spans}")
        for loop_id in settings.ivr.routes:
            chain = " -> ".join(f"{r.queue} ({r.wait_s} s)" for r in settings.ivr.levels(loop_id))
            typer.echo(f"levels from {loop_id}: {chain} -> callback offer")


def settings_files(settings: Settings) -> dict[str, str]:
    """The Asterisk files for a loaded config (also what the deploy/asterisk test compares)."""
    assert settings.ivr is not None
    return asterisk_files(
        settings.ivr,
        strategies=dict(settings.strategies),
        service_level_s=settings.ivr_config.service_level_s,
        ami_username=settings.ami.username,
        ami_permit=settings.ami.permit,
        ami_bind=settings.ami.bind,
        ami_port=settings.ami.port,
    )


@app.command("asterisk-config")
def asterisk_config(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the files into.")],
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
) -> None:
    """Write extensions.conf, queues.conf and manager.conf for Asterisk 22."""
    settings = _load(config)
    for path in write_files(settings_files(settings), outdir):
        typer.echo(f"wrote {path}")
    typer.echo(
        f"next: put `secret = ...` (the value of ${settings.ami.secret_env}) in "
        f"{outdir / f'manager-{settings.ami.username}-secret.conf'}, copy the files to "
        "/etc/asterisk and run `asterisk -rx 'core reload'`"
    )


calendar_app = typer.Typer(no_args_is_help=True, help="Calendars as the engine sees them.")
app.add_typer(calendar_app, name="calendar")


@calendar_app.command("check")
def calendar_check(
    agent: Annotated[str, typer.Argument(help="The agent's id in the config.")],
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
    hours: Annotated[float, typer.Option(help="How far ahead to look.")] = 24,
) -> None:
    """Show an agent's next hours as the engine sees them: busy, ignored, source health."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from presence.rules import all_day_hint
    from switchboard.engine import calendar_presence, system_clock

    settings = _load(config)
    if agent not in settings.roster.agents:
        typer.echo(
            f"no agent {agent!r}; agents: {', '.join(sorted(settings.roster.agents))}", err=True
        )
        raise typer.Exit(2)
    presence = calendar_presence(settings, window=timedelta(hours=max(hours, 1)))
    calendar = presence.calendars.get(agent)
    if calendar is None:
        typer.echo(f"{agent} has no calendar configured: never paused by one")
        return
    asyncio.run(presence.refresh_all())
    now, zone = system_clock(), ZoneInfo(settings.presence.timezone)
    health = calendar.health
    state = "ok" if not health.last_error else f"FAILING: {health.last_error}"
    typer.echo(f"{agent}: calendar {health.name} [{state}]")
    for problem in health.problems:
        typer.echo(f"  skipped: {problem}")
    horizon = now + timedelta(hours=hours)
    busy = [
        b for b in presence.busy_intervals().get(agent, ()) if b.end > now and b.start < horizon
    ]
    typer.echo(
        f"busy (out of call routing) in the next {hours:g} h:" if busy else "no busy time ahead"
    )
    for b in busy:
        typer.echo(f"  {b.start.astimezone(zone):%a %d %b %H:%M} - {b.end.astimezone(zone):%H:%M}")
    for event in presence.ignored_all_day(agent):
        if event.end > now and event.start < horizon:
            typer.echo(f"  note: {all_day_hint(event)}")


def main() -> None:
    app()


@app.command("password-hash")
def password_hash(
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Print an agent's screen password as a hash for `login:` in the config."""
    from screen.logins import hash_password

    if len(password) < 10:
        typer.echo("use at least 10 characters", err=True)
        raise typer.Exit(2)
    typer.echo(f"login: {hash_password(password)}")


@app.command("members-import")
def members_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV export from the member register.")],
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
) -> None:
    """Load members into the embedded SQLite directory (columns: see the README)."""
    from screen.directory import SqliteDirectory
    from screen.member_import import read_members
    from switchboard.engine import member_directory

    settings = _load(config)
    try:
        directory = member_directory(settings)
    except ConfigError as bad:
        _exit_with(bad)
    if not isinstance(directory, SqliteDirectory):
        typer.echo("the configured directory is a CRM over HTTP: import there", err=True)
        raise typer.Exit(2)
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        typer.echo(f"{csv_file}: cannot read: {exc.strerror}", err=True)
        raise typer.Exit(2) from None
    members, skipped = read_members(text, str(csv_file), directory.placeholders)
    for reason in skipped:
        typer.echo(reason, err=True)
    directory.add_all(members)
    typer.echo(f"{len(members)} member(s) imported, {len(skipped)} row(s) skipped")
