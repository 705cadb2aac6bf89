"""Commands that start the engine or check what it would run with: demo, run,
example-config, check-config."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import sqlite3
from pathlib import Path
from typing import Annotated

import typer

from switchboard.cli.app import (
    REKEY_FIX,
    ConfigOption,
    Format,
    Level,
    LogFormatOption,
    LogLevel,
    _exit_with,
    _fail,
    _load,
    _logging,
    app,
    version,
)
from switchboard.cli.summary import (
    retention_line,
    service_lines,
)
from switchboard.config import ConfigError
from switchboard.ivr.hours import describe


@app.command()
def demo(
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 0,
    call_gap: Annotated[float, typer.Option(help="Mean seconds between simulated calls.")] = 4.0,
    port: Annotated[int, typer.Option(help="Port for the simulated AMI (0: any free).")] = 0,
    seed: Annotated[int | None, typer.Option(help="Random seed for repeatable traffic.")] = None,
    web_port: Annotated[int, typer.Option(help="Port for the web pages (0: any free).")] = 8080,
    verbose: Annotated[bool, typer.Option(help="Same as --log-level debug.")] = False,
    log_level: LogLevel = Level.info,
    log_format: LogFormatOption = Format.human,
) -> None:
    """Run the embedded demo: simulated PBX, example config, meetings, live calls."""
    from switchboard.demo import port_taken, run_demo

    _logging(verbose, log_level, log_format)
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


@app.command("example-config")
def example_config(
    folder: Annotated[
        Path,
        typer.Argument(help="Where to write them (made if missing); existing files are kept."),
    ],
) -> None:
    """Write the example configuration, its two sample calendars and the prompt texts."""
    from switchboard.examples import EXAMPLE_CALENDARS, EXAMPLE_CONFIG, EXAMPLE_PROMPTS

    copies = {
        folder / "switchboard.yaml": EXAMPLE_CONFIG,
        folder / "prompts.yaml": EXAMPLE_PROMPTS,
        **{folder / "calendars" / ics.name: ics for ics in sorted(EXAMPLE_CALENDARS.glob("*.ics"))},
    }
    there = [str(target) for target in copies if target.exists()]
    if there:
        _fail(f"not written, these exist already: {', '.join(there)}", "fix: choose another folder")
    try:
        for target, source in copies.items():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    except OSError as exc:
        _fail(f"{exc.filename}: cannot write: {exc.strerror}")
    for target in copies:
        typer.echo(f"wrote {target}")
    typer.echo(
        f"next: edit {folder / 'switchboard.yaml'} (people, loops, hours, calendars), then "
        f"`switchboard check-config {folder / 'switchboard.yaml'}`"
    )


@app.command()
def run(
    config: ConfigOption,
    verbose: Annotated[bool, typer.Option(help="Same as --log-level debug.")] = False,
    log_level: LogLevel = Level.info,
    log_format: LogFormatOption = Format.human,
) -> None:
    """Run the engine against the Asterisk named in the config."""

    from switchboard import preflight
    from switchboard.banner import banner
    from switchboard.cluster.redis_clients import admin_client
    from switchboard.data_key import DataKeyError, read, redis_mismatch
    from switchboard.engine import production_engine
    from switchboard.promises.sealing import Sealer, SealError
    from switchboard.screen.directory_key import DirectoryKeyError

    _logging(verbose, log_level, log_format)
    settings = _load(config)
    found = preflight.data_paths(settings) + preflight.web_port(
        settings.web.host, settings.web.port
    )
    if found:
        _fail(*(f"{config}: {f}" for f in found))
    try:
        engine = production_engine(settings)
    except ConfigError as bad:
        _exit_with(bad)
    except (SealError, DataKeyError) as bad:
        _fail(f"{config}: {bad}")
    except DirectoryKeyError as bad:
        _fail(f"{config}: {bad} (fix: {REKEY_FIX})")
    except (sqlite3.Error, OSError) as exc:
        _fail(
            f"{config}: screen.directory {settings.directory_location()}: cannot open: {exc} "
            "(fix: check the path and that the engine's user may write it)"
        )
    if settings.redis is not None:
        sealer = Sealer(read(settings.redis.data_key_env, {**os.environ}).encode())
        with contextlib.closing(admin_client(settings.redis, timeout_s=2.0)) as client:
            if mismatch := redis_mismatch(client, sealer):
                _fail(f"{config}: {mismatch} (fix: {REKEY_FIX})")
    for line in banner(settings, version()):
        typer.echo(line, err=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(engine.run())


@app.command("check-config")
def check_config(
    config_file: Annotated[
        Path | None, typer.Argument(help="The YAML configuration (or use -c).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="The YAML configuration.")
    ] = None,
    sounds: Annotated[
        Path | None,
        typer.Option(help="Asterisk's sounds folder (default /var/lib/asterisk/sounds)."),
    ] = None,
) -> None:
    """Validate a configuration, its data paths, calendar files and prompt files; show who
    answers each loop."""
    from switchboard import preflight

    path = config or config_file
    if path is None:
        _fail(
            "name the configuration: switchboard check-config -c /etc/switchboard/switchboard.yaml"
        )
    settings = _load(path)
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
        for line in service_lines(settings):
            typer.echo(line)
    typer.echo(retention_line(settings))
    sounds_dir = sounds or Path("/var/lib/asterisk/sounds")
    if settings.ivr is not None and sounds_dir.is_dir():
        from switchboard.provision.sounds import describe_missing, missing

        for line in describe_missing(sounds_dir, missing(sounds_dir, settings.ivr)):
            typer.echo(f"warning: {line}")
    elif settings.ivr is not None:
        typer.echo(
            f"note: prompts not checked: no {sounds_dir} here (on the Asterisk host, or --sounds)"
        )
    for finding in preflight.calendars(settings):
        typer.echo(f"warning: {path}: {finding} (that agent is never paused by a calendar)")
    errors = preflight.data_paths(settings)
    if errors:
        _fail(*(f"{path}: {f}" for f in errors))
