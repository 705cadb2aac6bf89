"""The engine against a real Asterisk 22: roster edits, early returns, outcome counts and
the return after an outage, as an office would see them.

Marked `asterisk`: run with `pytest -m asterisk` (skipped when no binary is found; see
tests/support/real_asterisk.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from switchboard import heap
from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.ami.events import Event, QueueMemberPause
from switchboard.cli import settings_files
from switchboard.config import Settings, parse_config
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.queue_state import LoopCounters
from switchboard.routing.router import Router
from tests.ivr.test_real_asterisk import SECRET, _nothing, originate
from tests.support.engine import running
from tests.support.real_asterisk import RealAsterisk, asterisk_lab, needs_asterisk
from tests.support.waiting import eventually

pytestmark = needs_asterisk

OSLO = ZoneInfo("Europe/Oslo")
ONE, TWO, THREE = "Local/agent1@agents/n", "Local/agent2@agents/n", "Local/agent3@agents/n"
ALWAYS = '["00:00-24:00"]'
CONFIG = f"""
ami: {{{{username: router, secret_env: SB_TEST_SECRET}}}}
hours: {{{{mon: {ALWAYS}, tue: {ALWAYS}, wed: {ALWAYS}, thu: {ALWAYS}, fri: {ALWAYS},
        sat: {ALWAYS}, sun: {ALWAYS}, holidays: null}}}}
ivr: {{{{response_timeout_s: 3}}}}
default_loop: loop3
loops:
  - {{{{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [{{loop1}}],
     wait_s: {{wait1}}, overflow_to: loop3, unstaffed_after_s: {{unstaffed}}}}}}
  - {{{{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [{{loop3}}],
     unstaffed_after_s: null}}}}
  - {{{{id: english, queue: switchboard, title: English, digit: "9", language: en,
     suffix: "-119", agents: [three], strategy: ringall}}}}
agents:
  - {{{{id: one, name: Agent One, interface: "{ONE}", status: {{one}}}}}}
  - {{{{id: two, name: Agent Two, interface: "{TWO}"}}}}
  - {{{{id: three, name: Agent Three, interface: "{THREE}"}}}}
"""


def config(
    loop1: str = "one, two",
    loop3: str = "three",
    *,
    one: str = "available",
    wait1: int = 120,
    unstaffed: str = "null",
) -> Settings:
    text = CONFIG.format(loop1=loop1, loop3=loop3, one=one, wait1=wait1, unstaffed=unstaffed)
    return parse_config(text, "lab.yaml")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Engine:
    router: Router
    client: AmiClient
    events: list[tuple[float, Event]] = field(default_factory=list)


@contextlib.asynccontextmanager
async def engine(
    pbx: RealAsterisk, settings: Settings, presence: InMemoryPresence | None = None
) -> AsyncIterator[Engine]:
    router = Router(
        settings.roster,
        presence or InMemoryPresence(),
        now,
        ivr=settings.ivr,
        zone=OSLO,
        heap=heap,  # as the engine gives it: the collector waits while catching up
    )
    router.start_with(settings.manual)
    ami = AmiSettings("127.0.0.1", pbx.port, "router", SECRET, action_timeout_s=5)
    client = AmiClient(ami, lambda e: None, router.on_connected)
    e = Engine(router, client)

    def on_event(event: Event) -> None:
        e.events.append((time.monotonic(), event))
        router.on_event(event)

    client._on_event = on_event
    async with running(router, client):
        await eventually(lambda: router.owned is not None and client.connected.is_set(), 20)
        yield e


@contextlib.asynccontextmanager
async def phones(pbx: RealAsterisk) -> AsyncIterator[AmiClient]:
    client = AmiClient(AmiSettings("127.0.0.1", pbx.port, "lab", SECRET), lambda _e: None, _nothing)
    task = asyncio.create_task(client.run())
    try:
        await asyncio.wait_for(client.connected.wait(), 20)
        yield client
    finally:
        await client.stop()
        await asyncio.gather(task, return_exceptions=True)


async def members(pbx: RealAsterisk, queue: str) -> str:
    return await asyncio.to_thread(pbx.cli, f"queue show {queue}")


async def until_members(pbx: RealAsterisk, queue: str, present: set[str], absent: set[str]) -> None:
    """Wait until Asterisk itself (its CLI) lists `present` and not `absent` in `queue`."""
    deadline = time.monotonic() + 20
    while True:
        shown = await members(pbx, queue)
        if all(i in shown for i in present) and not any(i in shown for i in absent):
            return
        assert time.monotonic() < deadline, f"{queue} in Asterisk:\n{shown}"
        await asyncio.sleep(0.2)


async def test_real_roster_move_delete_leave_and_both_restarts() -> None:
    with asterisk_lab(settings_files(config()), SECRET) as pbx:
        async with engine(pbx, config()) as e:
            await until_members(pbx, "loop1", {ONE, TWO}, set())
            # Move: Agent One from loop1 to loop3.
            e.router.use_roster(config("two", "three, one").roster)
            await until_members(pbx, "loop3", {ONE, THREE}, set())
            await until_members(pbx, "loop1", {TWO}, {ONE})
            records = await asyncio.to_thread(pbx.cli, "database show sb-member")
            assert f"/sb-member/loop3/{ONE}" in records
            assert f"/sb-member/loop1/{ONE}" not in records
            # A member someone added by hand is reported and left alone.
            await asyncio.to_thread(pbx.cli, "queue add member Local/temp@agents/n to loop1")
            # Delete: Agent Two is gone from the YAML.
            deleted = config("one", "three").roster
            e.router.use_roster(deleted)
            await until_members(pbx, "loop1", {ONE, "Local/temp@agents/n"}, {TWO})
        # Restart the engine with a roster that moves One back to loop3 only.
        async with engine(pbx, config("three", "three, one")):
            await until_members(pbx, "loop1", {THREE, "Local/temp@agents/n"}, {ONE})
            await until_members(pbx, "loop3", {ONE, THREE}, set())
        # Restart Asterisk: persistent members and the AstDB record come back with it.
        pbx.stop()
        pbx.start()
        await until_members(pbx, "loop3", {ONE, THREE}, set())
        # Leave (in the YAML): One out of every loop the engine put them in.
        async with engine(pbx, config("three, one", "three, one", one="leave")):
            await until_members(pbx, "loop1", {THREE}, {ONE})
            await until_members(pbx, "loop3", {THREE}, {ONE})
            await until_members(pbx, "loop1", {"Local/temp@agents/n"}, set())  # never touched


async def test_real_unpause_at_the_phone_during_a_meeting_holds_until_it_ends() -> None:
    settings = config()
    busy = BusyInterval(now() - timedelta(minutes=5), now() + timedelta(minutes=30))
    presence = InMemoryPresence({"one": [busy]})
    with asterisk_lab(settings_files(settings), SECRET) as pbx:
        async with engine(pbx, settings, presence) as e:
            await eventually(
                lambda: "paused:switchboard:meeting" in pbx.cli("queue show loop1"), 20
            )
            await asyncio.to_thread(pbx.cli, f"queue unpause member {ONE} queue loop1")
            await eventually(lambda: "one" in e.router.back_early, 5)
            await asyncio.sleep(2)  # the engine used to re-pause within ~20 ms
            shown = await members(pbx, "loop1")
            line = next(x for x in shown.splitlines() if ONE in x)
            assert "paused" not in line, shown
            assert e.router.back_early["one"] == busy.end
            stored = await asyncio.to_thread(pbx.cli, "database show sb-back-early")
            assert str(int(busy.end.timestamp())) in stored


def outcome(e: Engine, queue: str) -> LoopCounters:
    return e.router.state.loop(queue).counters


async def test_real_outcomes_hung_up_timed_out_and_moved_on_are_told_apart() -> None:
    # Nobody to answer in loop1 (One on leave, Two paused by hand); loop1's wait is 25 s.
    # The lab's caller keys for ~13 s after the menu before its HOLD starts.
    settings = config("one, two", "three", one="leave", wait1=25)
    with asterisk_lab(settings_files(settings), SECRET) as pbx:
        async with engine(pbx, settings) as e, phones(pbx) as lab:
            await until_members(pbx, "loop1", {TWO}, {ONE})
            await asyncio.to_thread(
                pbx.cli, f"queue pause member {TWO} queue loop1 reason Coaching"
            )
            # 1: hangs up after ~15 s in loop1.
            await lab.send(originate("1", 0, "", 2))
            await eventually(lambda: outcome(e, "loop1").abandoned == 1, 40)
            # 2: waits 25 s, the queue times out, the dialplan moves them to loop3 (answered).
            await lab.send(originate("1", 0, "", 45))
            await eventually(lambda: outcome(e, "loop1").timed_out == 1, 45)
            await eventually(lambda: outcome(e, "loop3").answered == 1, 30)
            # Waited 25 s in loop1 first: the answer in loop3 counts that whole wait.
            assert outcome(e, "loop3").waits.total >= 25
            assert outcome(e, "loop3").answered_within_target == 0
        # 3: the router moves callers on at once when nobody can answer.
        moving = config("one, two", "three", one="leave", wait1=60, unstaffed="0")
        async with engine(pbx, moving) as e, phones(pbx) as lab:
            await lab.send(originate("1", 0, "", 20))
            await eventually(lambda: outcome(e, "loop1").moved_on == 1, 30)
            await eventually(lambda: outcome(e, "loop3").answered == 1, 30)
            assert (outcome(e, "loop1").abandoned, outcome(e, "loop1").timed_out) == (0, 0)
        # Asterisk itself counted all three as abandoned (QueueParams Abandoned, the A: here).
        status = await asyncio.to_thread(pbx.cli, "queue show loop1")
        assert "A:3" in status, status


async def test_real_a_meeting_that_began_in_an_outage_pauses_within_a_second_of_fully_booted() -> (
    None
):
    settings = config()
    start = now() + timedelta(seconds=6)
    presence = InMemoryPresence({"one": [BusyInterval(start, start + timedelta(minutes=30))]})
    with asterisk_lab(settings_files(settings), SECRET) as pbx:
        async with engine(pbx, settings, presence) as e:
            await until_members(pbx, "loop1", {ONE, TWO}, set())
            pbx.stop()
            await asyncio.sleep(max(0.0, (start - now()).total_seconds()) + 1)
            await asyncio.to_thread(pbx.start, wait_booted=False)
            port_open = time.monotonic()
            await asyncio.to_thread(pbx.cli, "core waitfullybooted")
            booted = time.monotonic()

            def paused_at() -> float | None:
                return next(
                    (t for t, ev in e.events
                     if isinstance(ev, QueueMemberPause) and ev.paused and ev.interface == ONE
                     and t > port_open),
                    None,
                )  # fmt: skip

            await eventually(lambda: paused_at() is not None, 20)
            at = paused_at()
            assert at is not None
            print(
                f"\nmeeting pause after the outage: {at - port_open:.2f} s after the AMI port "
                f"opened, {at - booted:.2f} s after FullyBooted (as the CLI saw it)"
            )
            assert at - booted < 1.0
            # Caught up after the outage: the collector runs again (start-up, then this).
            await eventually(lambda: e.router.catch_up.settles >= 2, 20)
            assert not e.router.catch_up.held
