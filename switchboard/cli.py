"""The `switchboard` command."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import shutil
import sqlite3
import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from switchboard import preflight
from switchboard.config import ConfigError, Settings, load_config
from switchboard.ivr.generate import asterisk_files, write_files
from switchboard.ivr.hours import describe
from switchboard.logs import configure

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")]


class Level(enum.StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class Format(enum.StrEnum):
    human = "human"
    json = "json"


LogLevel = Annotated[
    Level,
    typer.Option(
        "--log-level",
        envvar="SWITCHBOARD_LOG_LEVEL",
        case_sensitive=False,
        help="Lowest level written.",
    ),
]
LogFormatOption = Annotated[
    Format,
    typer.Option(
        "--log-format",
        envvar="SWITCHBOARD_LOG_FORMAT",
        help="human, or json: one object per line (journald, Loki).",
    ),
]


def version() -> str:
    """The installed version, whatever the distribution is called."""
    names = metadata.packages_distributions().get("switchboard", [])
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(name)
    return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"switchboard {version()}")
        raise typer.Exit()


@app.callback()
def _main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Switchboard: queue routing and presence for Asterisk."""


def _logging(verbose: bool = False, level: object = "info", fmt: object = "human") -> None:
    name = str(getattr(level, "value", level))
    configure(
        "debug" if verbose else name, "json" if getattr(fmt, "value", fmt) == "json" else "human"
    )


def _exit_with(bad: ConfigError) -> NoReturn:
    """Every problem on its own line, then exit 2 (what a wrong setting always gets)."""
    for problem in bad.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(2) from None


def _fail(*lines: object) -> NoReturn:
    for line in lines:
        typer.echo(str(line), err=True)
    raise typer.Exit(2)


REKEY_FIX = (
    "set the key the data was sealed with; to change keys, run `switchboard re-key -c CONFIG` "
    "with the old key in SWITCHBOARD_OLD_DATA_KEY"
)


def _load(path: Path) -> Settings:
    try:
        return load_config(path)
    except ConfigError as bad:
        if len(bad.problems) == 1:
            _exit_with(bad)
        typer.echo(f"{path}: the configuration has {len(bad.problems)} problems:", err=True)
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
    import sqlite3

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


def retention_line(settings: Settings) -> str:
    """How long personal and report data are kept (docs/reports.md, docs/promises.md)."""
    p = settings.promises
    done = f"done callbacks and inquiries kept {p.keep_days} days (store and Redis expiry)"
    if settings.reports is None:
        return f"retention: {done}; no reports store"
    return (
        f"retention: {done}; reports (queue_log lines, outcomes) {settings.reports.keep_days} days"
    )


def service_lines(settings: Settings) -> list[str]:
    """What check-config says of the contact-centre craft (docs/craft.md)."""
    from switchboard.ivr.service import describe as describe_service

    plan = settings.ivr
    assert plan is not None
    out = [f"service in {r.loop_id}: {describe_service(r.service)}" for r in plan.routes.values()]
    codes = plan.features
    out.append(
        "phone codes: off"
        if codes is None
        else f"phone codes: {codes.pause} pause, {codes.resume} resume "
        f"(reason '{codes.reason}'; phones' context: include => sb-features)"
    )
    if any(r.service.record for r in plan.routes.values()):
        rec = plan.recording
        out.append(
            f"recordings: {rec.directory}, yes is key {rec.consent_digit}, kept {rec.keep_days} "
            f"days, for role '{settings.ivr_config.recording.access_role}' only"
        )
    ringing = [
        r.loop_id
        for r in plan.routes.values()
        if r.service.when_all_in_meetings.value == "ring_opted_in"
    ]
    if ringing:
        who = ", ".join(sorted(settings.ring_in_meetings)) or (
            "nobody yet (agents[].ring_in_meetings, or the toggle on their screen)"
        )
        out.append(f"ring in meetings if nobody else can ({', '.join(ringing)}): opted in {who}")
    if any(r.service.rating for r in plan.routes.values()):
        out.append(f"ratings: keys 1-{plan.rating.scale}, kept by loop and week")
    sup = settings.supervisor
    holders = [a.id for a in settings.roster.agents.values() if sup.role in a.roles]
    notice = plan.closures.holiday_notice_days
    out.append(
        f"supervisors (role '{sup.role}'): {', '.join(holders) or 'nobody'}; closure messages: "
        f"{', '.join(sup.messages)}; holiday notice: "
        + (f"{notice} day(s) before" if notice else "off")
    )
    for language in ("no", "en"):
        out.append(f"closing line ({language}): {settings.closings.say(language)}")
    out.append(calendar_codes_line(settings))
    return out


def calendar_codes_line(settings: Settings) -> str:
    """What check-config says of calendar codes (docs/craft.md)."""
    p = settings.presence
    line = p.subject_codes.codes().describe()
    ews = any(
        (where := settings.calendar_location(a)) and where[0] == "ews"
        for a in settings.roster.agents.values()
    )
    if p.subject_codes.enabled and ews and p.ews_mode == "free_busy":
        line += "; note: ews_mode free_busy carries no subjects, so EWS calendars use show-as only"
    return line


def settings_files(settings: Settings) -> dict[str, str]:
    """The Asterisk files for a loaded config (also what the deploy/asterisk test compares)."""
    assert settings.ivr is not None
    return asterisk_files(
        settings.ivr,
        strategies=dict(settings.strategies),
        service_level_s=settings.ivr_config.service_level_s,
        ami_username=settings.ami.username,
        ami_permit=settings.ami.permit,
    )


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


def main() -> None:
    app()


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
