"""Commands about Asterisk and calendars: the files the config gives Asterisk, the AMI
check, the prompts, a calendar as the engine reads it."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Annotated

import typer

from switchboard.cli.app import (
    ConfigOption,
    _exit_with,
    _fail,
    _load,
    app,
)
from switchboard.cli.summary import settings_files
from switchboard.config import ConfigError
from switchboard.ivr.generate import write_files


@app.command("asterisk-config")
def asterisk_config(
    outdir: Annotated[
        Path,
        typer.Argument(
            help="Folder to write the files into; with --install, Asterisk's config directory."
        ),
    ],
    config: ConfigOption,
    install: Annotated[
        bool,
        typer.Option(
            "--install",
            help="OUTDIR is Asterisk's config directory (/etc/asterisk): write the files to "
            "OUTDIR/switchboard/, add the #include lines, write the secret, check the rest.",
        ),
    ] = False,
) -> None:
    """Write extensions.conf, queues.conf and manager.conf for Asterisk 22."""
    from switchboard.provision.install import install as install_files
    from switchboard.provision.install import secret_file_name

    settings = _load(config)
    files = settings_files(settings)
    a = settings.ami
    if not install:
        for path in write_files(files, outdir):
            typer.echo(f"wrote {path}")
        typer.echo(
            f"next: `switchboard asterisk-config --install /etc/asterisk -c {config}` does the "
            f"rest; by hand: copy the files to /etc/asterisk/switchboard/, put `secret = ...` "
            f"(the value of ${a.secret_env}) in /etc/asterisk/switchboard/"
            f"{secret_file_name(a.username)} (mode 0640, group asterisk), add "
            '`#include "switchboard/<file>"` to each of your three files, and run '
            "`asterisk -rx 'core reload'`"
        )
        return
    if not (outdir / "asterisk.conf").exists() and not (outdir / "manager.conf").exists():
        _fail(
            f"{outdir} is not an Asterisk config directory (no asterisk.conf or manager.conf) "
            "(fix: name the folder Asterisk reads, e.g. /etc/asterisk)"
        )
    try:
        report = install_files(
            outdir,
            files,
            username=a.username,
            secret=os.environ.get(a.secret_env) or None,
            secret_env=a.secret_env,
            ami_host=a.host,
            ami_port=a.port,
        )
    except OSError as exc:
        _fail(
            f"{outdir}: cannot write: {exc.strerror} "
            f"(fix: run as root, or as the owner of {outdir})"
        )
    for line in report.done:
        typer.echo(line)
    if report.todo:
        typer.echo(f"still to change ({len(report.todo)}):", err=True)
        for todo in report.todo:
            typer.echo(f"  {todo}", err=True)
        typer.echo(
            "then: asterisk -rx 'core reload', and `switchboard asterisk-check -c CONFIG`", err=True
        )
        raise typer.Exit(1)
    typer.echo(
        "Asterisk side ready: asterisk -rx 'core reload', then `switchboard asterisk-check -c "
        f"{config}`"
    )


@app.command("asterisk-check")
def asterisk_check(
    config: ConfigOption,
    sounds: Annotated[
        Path | None,
        typer.Option(help="Asterisk's sounds folder, if not the one Asterisk reports."),
    ] = None,
) -> None:
    """Log in to Asterisk as the engine does and report what it lacks for the engine.

    Rights, queues, dialplan contexts, prompts and persistentmembers; exits 1 if anything
    is missing."""
    from switchboard.provision.ami_check import check, contexts_of

    settings = _load(config)
    try:
        ami = settings.ami_settings()
    except ConfigError as bad:
        _exit_with(bad)
    assert settings.ivr is not None
    results = asyncio.run(
        check(
            ami.host,
            ami.port,
            ami.username,
            ami.secret,
            secret_env=settings.ami.secret_env,
            plan=settings.ivr,
            contexts=contexts_of(settings_files(settings)["extensions.conf"]),
            sounds_dir=sounds,
            timeout=settings.ami.action_timeout_s,
        )
    )
    for result in results:
        typer.echo(str(result))
    missing = sum(1 for r in results if r.ok is False)
    if missing:
        typer.echo(f"{missing} thing(s) missing", err=True)
        raise typer.Exit(1)
    typer.echo("Asterisk has what the engine needs")


@app.command("prompts")
def prompts(
    outdir: Annotated[
        Path, typer.Argument(help="Asterisk's sounds folder, e.g. /var/lib/asterisk/sounds.")
    ],
    config: ConfigOption,
    texts: Annotated[
        Path | None,
        typer.Option(
            help="YAML with the sentences per language (`switchboard example-config` writes one)."
        ),
    ] = None,
) -> None:
    """Speak the default prompts (Norwegian and English) with espeak-ng, as 8 kHz files."""
    from switchboard.provision.prompts import (
        PromptError,
        generate,
        kept_core_sounds,
        read_texts,
        texts_for,
    )
    from switchboard.yaml_lines import YamlSyntaxError, load_with_lines, read_text

    settings = _load(config)
    assert settings.ivr is not None
    try:
        # Our loader keeps keys as written, so `no:` stays Norwegian (not YAML's false).
        data = load_with_lines(read_text(texts))[0] if texts else None
        overrides, titles = read_texts(data, str(texts))
        spoken = texts_for(settings.ivr, settings.screen.organisation, overrides, titles)
        kept = kept_core_sounds(outdir, spoken)
        written = generate(outdir, settings.ivr, spoken)
    except OSError as exc:
        _fail(f"{texts}: cannot read: {exc.strerror}")
    except YamlSyntaxError as bad:
        _fail(f"{texts}:{bad.line}: {bad.problem} (fix: {bad.fix})")
    except PromptError as bad:
        _fail(str(bad))
    for language, said in spoken.items():
        typer.echo(f"{language} greeting: {said.get(settings.ivr.prompts.greeting, '')}")
        core = [name for name in said if not name.startswith("custom/")]
        if core:
            own = [name for name in core if language == "en" and name in kept]
            typer.echo(
                f"{language} position and wait announcements: {len(core) - len(own)} sounds "
                "spoken" + (f", {len(own)} of Asterisk's own kept" if own else "")
            )
    typer.echo(f"wrote {len(written)} files under {outdir} (.wav 8 kHz mono 16-bit and .ulaw)")


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

    from switchboard.engine import calendar_presence, system_clock
    from switchboard.presence.rules import ignored_hint

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

    async def poll_once() -> None:
        try:
            await presence.refresh_all()
        finally:
            await presence.aclose()

    asyncio.run(poll_once())
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
    for event in presence.ignored(agent):
        if event.end > now and event.start < horizon:
            typer.echo(f"  note: {ignored_hint(event, zone)}")
