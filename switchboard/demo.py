"""The embedded default: simulated PBX, example config, scheduled meetings, live traffic."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
import secrets
import socket
import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from switchboard.ami.client import AmiSettings
from switchboard.config import Settings, WebConfig, load_config
from switchboard.engine import Engine, calendar_presence
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.ivr.hours import END_OF_DAY, Span
from switchboard.ivr.plan import IvrPlan
from switchboard.pbxsim.ivr import IvrPlayer
from switchboard.pbxsim.server import AmiServer
from switchboard.pbxsim.traffic import Traffic, TrafficProfile
from switchboard.presence.busy import BusyInterval
from switchboard.promises.store import MemoryPromiseStore
from switchboard.reports.config import ReportsConfig
from switchboard.routing.policy import ManualStatus
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.logins import hash_password
from switchboard.screen.sample import sample_members

log = logging.getLogger("switchboard.demo")

DEMO_SECRET = "demo-secret"

# (agent id, starts after s, lasts s): visible within the first minute, then repeating.
DEMO_MEETINGS = (
    ("mette.kvam", 10, 30),
    ("marit.haugen", 15, 30),
    ("ola.brekke", 25, 40),
    ("janne.eide", 35, 25),
    ("rose.tran", 50, 40),
)
DEMO_LEAVE = "liv.tangen"
DEMO_ALL_DAY = "rose.tran"  # wrote a course as all-day: ignored, and she is told
DEMO_HAND_PAUSE = ("elin.sand", 20, "Lunch")  # paused at her own phone: not ours to lift
CYCLE_S = 120
# A busy spell, every cycle: more callers for loop 3 than it has free agents (Mette is in a
# meeting then), talking long enough that the last ones wait in the queue; the last caller
# asks to be called back while waiting. Without it the demo's agents answer every call at once,
# and nobody ever queues or asks for a callback.
RUSH_AFTER_S = 15
RUSH_DIGIT = "3"
RUSH_CALLERS = 8
RUSH_TALK_S = (50.0, 80.0)
RUSH_CALLBACK_AFTER_S = 8.0
DEMO_PASSWORD = "switchboard"  # the demo's agents all share it; a real config hashes each
DEMO_MEMBERS = 300


def outlook_ics(meetings: list[BusyInterval], all_day: date | None = None) -> str:
    """A calendar as Outlook publishes it: Windows zone names, busy status, all-day flag."""
    zone = ZoneInfo("Europe/Berlin")  # what "W. Europe Standard Time" means

    def local(moment: datetime) -> str:
        return f"{moment.astimezone(zone):%Y%m%dT%H%M%S}"

    lines = ["BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN"]
    lines.append("VERSION:2.0")
    for n, m in enumerate(meetings):
        lines += [
            "BEGIN:VEVENT",
            f"UID:demo-{n}@switchboard.invalid",
            f"DTSTART;TZID=W. Europe Standard Time:{local(m.start)}",
            f"DTEND;TZID=W. Europe Standard Time:{local(m.end)}",
            "SUMMARY:Demo meeting",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
            "END:VEVENT",
        ]
    if all_day is not None:
        lines += [
            "BEGIN:VEVENT",
            "UID:demo-all-day@switchboard.invalid",
            f"DTSTART;TZID=W. Europe Standard Time:{all_day:%Y%m%d}T000000",
            f"DTEND;TZID=W. Europe Standard Time:{all_day + timedelta(days=1):%Y%m%d}T000000",
            "SUMMARY:Course",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
            "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def write_demo_calendars(settings: Settings, start: datetime, directory: Path) -> Settings:
    """Write each demo agent's calendar as an ICS file and point the config at it."""
    agents = dict(settings.roster.agents)
    for agent_id, meetings in demo_meetings(start).items():
        all_day = start.date() if agent_id == DEMO_ALL_DAY else None
        path = directory / f"{agent_id}.ics"
        path.write_text(outlook_ics(meetings, all_day), encoding="utf-8")
        agents[agent_id] = dataclasses.replace(agents[agent_id], calendar=f"ics:{path}")
    roster = dataclasses.replace(settings.roster, agents=agents)
    presence = settings.presence.model_copy(update={"poll_interval_s": 5.0})
    return dataclasses.replace(settings, roster=roster, presence=presence)


def demo_meetings(start: datetime, cycles: int = 30) -> dict[str, list[BusyInterval]]:
    """Meetings relative to `start`, repeated every two minutes."""
    meetings: dict[str, list[BusyInterval]] = {}
    for cycle in range(cycles):
        for agent, after, lasts in DEMO_MEETINGS:
            begin = start + timedelta(seconds=cycle * CYCLE_S + after)
            meetings.setdefault(agent, []).append(
                BusyInterval(begin, begin + timedelta(seconds=lasts))
            )
    return meetings


def port_taken(host: str, port: int) -> bool:
    """Whether something already listens on host:port (the demo says so, not a traceback)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def always_open(settings: Settings) -> IvrPlan:
    """The demo's phones are open around the clock, so a newcomer sees calls at any hour."""
    assert settings.ivr is not None
    day = (Span(time(0, 0), END_OF_DAY),)
    hours = dataclasses.replace(settings.ivr.hours, weekly=(day,) * 7, closed_dates=frozenset())
    hours = dataclasses.replace(hours, holidays=frozenset())
    return dataclasses.replace(settings.ivr, hours=hours)


async def run_demo(
    *,
    duration_s: float | None,
    call_gap_s: float,
    port: int = 0,
    seed: int | None = None,
    web_port: int = 8080,
) -> None:
    """Start the simulator and the engine against it; run for `duration_s` (None: until Ctrl-C)."""
    settings: Settings = load_config(EXAMPLE_CONFIG)
    manual = dict(settings.manual)
    manual[DEMO_LEAVE] = ManualStatus.LEAVE
    settings = dataclasses.replace(settings, manual=manual, ivr=always_open(settings))
    queues = {
        loop.queue: "ringall" if loop.queue == "switchboard" else "rrmemory"
        for loop in settings.roster.loops
    }
    # The simulator writes queue_log as app_queue does; the demo's reports page reads it.
    record = tempfile.TemporaryDirectory(prefix="switchboard-demo-reports-")
    queue_log = Path(record.name) / "queue_log"
    settings = dataclasses.replace(
        settings,
        reports=ReportsConfig(
            database=f"sqlite:///{Path(record.name) / 'reports.db'}",
            queue_log=str(queue_log),
            every_s=5.0,
        ),
    )
    server = AmiServer(
        queues, username=settings.ami.username, secret=DEMO_SECRET, queue_log=queue_log
    )
    await server.start(port=port)
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    calendars = tempfile.TemporaryDirectory(prefix="switchboard-demo-calendars-")
    settings = write_demo_calendars(settings, start, Path(calendars.name))
    presence = calendar_presence(settings)
    ami = AmiSettings(
        "127.0.0.1", server.port, settings.ami.username, DEMO_SECRET, ping_interval_s=5.0
    )
    callbacks = MemoryPromiseStore()
    web = WebConfig(host="127.0.0.1", port=web_port)
    members = sample_members(DEMO_MEMBERS)
    directory = SqliteDirectory(":memory:", key=secrets.token_bytes(32))
    directory.add_all(members)
    one_hash = hash_password(DEMO_PASSWORD)  # one hash for all: the demo's password is shared
    settings = dataclasses.replace(settings, logins=dict.fromkeys(settings.roster.agents, one_hash))
    engine = Engine(settings, ami, presence, promise_store=callbacks, web=web, directory=directory)
    assert settings.ivr is not None
    rng = random.Random(seed)
    traffic = Traffic(
        server.pbx,
        settings.menu.queues_by_digit(),
        settings.menu.default_queue,
        TrafficProfile(mean_gap_s=call_gap_s, talk_s=(15.0, 45.0)),
        rng,
        player=IvrPlayer(server.pbx, settings.ivr, rng=rng),
        callers=[(m.phone, m.name) for m, _ in members],
    )
    log.info(
        "simulated Asterisk listening on 127.0.0.1:%d (AMI user %s, secret %s); config %s",
        server.port,
        settings.ami.username,
        DEMO_SECRET,
        EXAMPLE_CONFIG,
    )
    log.info(
        "demo: calendars (ICS, Outlook style) in %s; %s is on leave; meetings start at +10 s; "
        "%s pauses herself at +%d s",
        calendars.name,
        DEMO_LEAVE,
        DEMO_HAND_PAUSE[0],
        DEMO_HAND_PAUSE[1],
    )
    try:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(engine.run())
            tasks.create_task(_announce_web(engine))
            helpers = [
                tasks.create_task(traffic.run()),
                tasks.create_task(_hand_pause(server, settings)),
                tasks.create_task(_rushes(traffic, settings)),
            ]
            if duration_s is None:
                await asyncio.Event().wait()  # until Ctrl-C cancels us
            await asyncio.sleep(duration_s or 0)
            for helper in helpers:
                helper.cancel()
            engine.stop()
    finally:
        await server.close()
        calendars.cleanup()
        record.cleanup()
    log.info("demo over; calls: %s", traffic.outcomes)
    for request in await callbacks.pending():
        due = request.due.astimezone(ZoneInfo(settings.presence.timezone))
        log.info("callback %s open, due %s", request.ref, f"{due:%a %d %b %H:%M %z}")


async def _announce_web(engine: Engine) -> None:
    web = engine.web
    assert web is not None
    await web.wait_started()
    base = f"http://127.0.0.1:{web.port}"
    log.info("wallboard: %s/wallboard   metrics: %s/metrics", base, base)
    agents = ", ".join(list(engine.settings.roster.agents)[:4])
    log.info(
        "agent screen: %s/screen   log in as any agent (e.g. %s, ...) with password %r",
        base,
        agents,
        DEMO_PASSWORD,
    )
    r = engine.settings.reports
    if r is not None:
        readers = [a for a, agent in engine.settings.roster.agents.items() if r.role in agent.roles]
        log.info(
            "reports of the demo's day (the simulator's queue_log, read every %.0f s): "
            "%s/reports, as %s",
            r.every_s,
            base,
            readers[0] if readers else f"an agent with role {r.role}",
        )


async def _rushes(traffic: Traffic, settings: Settings) -> None:
    """The busy spell at +RUSH_AFTER_S, then once every cycle."""
    loop = settings.menu.queues_by_digit()[RUSH_DIGIT]
    await asyncio.sleep(RUSH_AFTER_S)
    async with asyncio.TaskGroup() as calls:
        while True:
            log.info(
                "demo: a busy spell: %d callers for %s at once; the last asks for a callback",
                RUSH_CALLERS,
                loop,
            )
            for n in range(RUSH_CALLERS):
                last = n == RUSH_CALLERS - 1
                calls.create_task(
                    traffic.one_call(
                        RUSH_DIGIT,
                        patience_s=150.0,
                        talk_s=traffic.rng.uniform(*RUSH_TALK_S),
                        callback_after_s=RUSH_CALLBACK_AFTER_S if last else None,
                    )
                )
                await asyncio.sleep(0.4)  # one after another, as a queue fills
            await asyncio.sleep(CYCLE_S - RUSH_CALLERS * 0.4)


async def _hand_pause(server: AmiServer, settings: Settings) -> None:
    agent_id, after, reason = DEMO_HAND_PAUSE
    await asyncio.sleep(after)
    agent = settings.roster.agents[agent_id]
    for queue in server.pbx.queues.values():
        if agent.interface in queue.members:
            server.pbx.pause_member(queue.name, agent.interface, True, reason)
