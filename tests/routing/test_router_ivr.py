"""The IVR paths played by the simulator over AMI, with the router deciding: where calls end up."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from switchboard.ami.client import AmiClient
from switchboard.ami.events import AgentConnect, Event, QueueCallerJoin
from switchboard.config import Settings, parse_config
from switchboard.pbxsim.ivr import CallerScript, CallRecord, IvrPlayer
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.intake import CallbackIntake
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.routing.router import Router
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp()
SATURDAY_10 = datetime(2026, 11, 28, 10, 0, tzinfo=OSLO).timestamp()
CALLER = "+4790595313"
PACE = 0.02  # the menu runs 50 times faster than a person listens

CONFIG = """
ami: {{username: router, secret_env: SB_TEST_SECRET}}
hours:
  closed_dates: [{closed}]
ivr: {{max_tries: 3, response_timeout_s: 5, callback_digit: "5"}}
default_loop: loop3
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne],
     wait_s: 10, overflow_to: loop3, unstaffed_after_s: {unstaffed}}}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [cari],
     wait_s: 10, overflow_to: callback, unstaffed_after_s: null}}
  - {{id: english, queue: switchboard, title: English, digit: "9", language: en,
     suffix: "-119", agents: [cari], wait_s: 10, overflow_to: callback}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201, status: {anne}}}
  - {{id: cari, name: Cari Dahl, interface: PJSIP/203, status: {cari}}}
"""


def config(
    *, closed: str = "", unstaffed: str = "null", anne: str = "available", cari: str = "available"
) -> Settings:
    text = CONFIG.format(closed=closed, unstaffed=unstaffed, anne=anne, cari=cari)
    return parse_config(text, "test.yaml")


def clock_from(start: float) -> tuple[Callable[[], float], Callable[[], datetime]]:
    """A clock that starts at `start` (a chosen weekday) and runs at real speed."""
    t0 = time.monotonic()

    def wall() -> float:
        return start + time.monotonic() - t0

    def aware() -> datetime:
        return datetime.fromtimestamp(wall(), OSLO)

    return wall, aware


@dataclass
class Rig:
    sim: AmiServer
    player: IvrPlayer
    router: Router | None
    events: list[Event]
    intake: CallbackIntake | None = None

    async def call(self, script: CallerScript) -> CallRecord:
        return await asyncio.wait_for(self.player.call(CALLER, "Kari Nordmann", script), 10)

    def joined(self) -> list[QueueCallerJoin]:
        return [e for e in self.events if isinstance(e, QueueCallerJoin)]

    def connected(self) -> list[AgentConnect]:
        return [e for e in self.events if isinstance(e, AgentConnect)]


@contextlib.asynccontextmanager
async def rig(
    settings: Settings,
    *,
    start: float = MONDAY_10,
    redis: Redis | None = None,
    with_router: bool = True,
) -> AsyncIterator[Rig]:
    wall, aware = clock_from(start)
    async with simulator(ring_s=0.05) as sim:
        assert settings.ivr is not None
        player = IvrPlayer(sim.pbx, settings.ivr, pace=PACE, wall_clock=wall)
        if not with_router:
            yield Rig(sim, player, None, [])
            return
        store = RedisPromiseStore(redis, Sealer.generated()) if redis is not None else None
        intake = CallbackIntake(store) if store is not None else None
        router = Router(settings.roster, InMemoryPresence(), aware, ivr=settings.ivr, intake=intake)
        router.start_with(settings.manual)
        events: list[Event] = []

        def on_event(event: Event) -> None:
            events.append(event)
            router.on_event(event)

        client = AmiClient(settings_for(sim), on_event, router.on_connected)
        async with running(router, client):
            await eventually(lambda: "SB_HOURS" in sim.pbx.globals)
            yield Rig(sim, player, router, events, intake)


async def members_logged_in(r: Rig, *queues: str) -> None:
    await eventually(lambda: all(r.sim.pbx.queues[q].members for q in queues))


async def test_pressing_1_reaches_loop1_and_the_agent_sees_the_suffix() -> None:
    async with rig(config()) as r:
        await members_logged_in(r, "loop1")
        record = await r.call(CallerScript(keys=("1",), talk_s=0.05))
        assert (record.outcome, record.queues) == ("answered", ["loop1"])
        [connect] = r.connected()
        assert connect.caller_num == CALLER + "-111"
        assert connect.member_name == "Anne Aas"
        assert r.router is not None
        assert r.router.calls.steps[("choice", "loop1")] == 1


async def test_a_wrong_key_is_said_to_be_invalid_and_the_menu_repeats() -> None:
    async with rig(config()) as r:
        await members_logged_in(r, "loop1")
        record = await r.call(CallerScript(keys=("7", "1"), talk_s=0.05))
        assert record.queues == ["loop1"]
        assert r.router is not None
        assert r.router.calls.steps[("invalid", "")] == 1


async def test_three_wrong_keys_lead_to_the_default_loop() -> None:
    async with rig(config()) as r:
        await members_logged_in(r, "loop3")
        record = await r.call(CallerScript(keys=("7", "8", "6"), talk_s=0.05))
        assert record.queues == ["loop3"]
        assert r.joined()[0].caller_num == CALLER + "-113"
        assert r.router is not None
        assert r.router.calls.steps[("invalid", "")] == 3
        assert r.router.calls.steps[("default", "loop3")] == 1


async def test_pressing_nothing_leads_to_the_default_loop() -> None:
    async with rig(config()) as r:
        await members_logged_in(r, "loop3")
        record = await r.call(CallerScript(keys=(), talk_s=0.05))
        assert (record.outcome, record.queues) == ("answered", ["loop3"])
        assert r.router is not None
        assert r.router.calls.steps[("timeout", "loop3")] == 1


async def test_english_goes_straight_to_the_switchboard_in_english() -> None:
    async with rig(config()) as r:
        await members_logged_in(r, "switchboard")
        record_task = asyncio.create_task(r.call(CallerScript(keys=("9",), talk_s=0.3)))
        await eventually(lambda: bool(r.joined()))
        assert r.router is not None
        facts = r.router.calls.facts(r.joined()[0].uniqueid)  # what the agent screen will show
        assert facts is not None
        seen = {"language": facts.language, "digit": facts.digit}
        record = await record_task
        assert record.queues == ["switchboard"]
        assert r.joined()[0].caller_num == CALLER + "-119"
        assert seen == {"language": "en", "digit": "9"}


async def test_on_a_closed_day_callers_hear_closed_and_get_a_callback(redis: Redis) -> None:
    async with rig(config(closed="2026-11-23"), redis=redis) as r:
        assert r.sim.pbx.globals["SB_HOURS"] == "closed"  # a Monday, but the office is closed
        record = await r.call(CallerScript(keys=("1",)))
        assert record.steps == ["sb-ivr", "sb-closed", "sb-callback-offer", "sb-callback"]
        assert record.outcome == "callback"
        assert r.router is not None
        await eventually(
            lambda: r.router is not None and r.intake is not None and r.intake.stored == 1
        )
        stored = await RedisPromiseStore(redis, Sealer.generated()).redis.hgetall(
            f"sb:promise:{record.callback_ref}"
        )
        assert stored[b"loop"] == b""
        # Closed on Monday: counting starts Tuesday 08:30, due Thursday 08:30.
        due = datetime.fromtimestamp(float(stored[b"due"]), OSLO)
        assert due == datetime(2026, 11, 26, 8, 30, tzinfo=OSLO)
        assert b"90595313" not in repr(stored).encode()


async def test_a_waiting_caller_presses_5_and_is_promised_a_callback(redis: Redis) -> None:
    async with rig(config(anne="leave"), redis=redis) as r:  # nobody in loop1 to answer
        record = await r.call(CallerScript(keys=("1",), callback_after_s=0.1))
        assert record.queues == ["loop1"]
        assert record.outcome == "callback"
        assert f"/sb-callback/{record.callback_ref}" in r.sim.pbx.astdb
        await eventually(
            lambda: r.router is not None and r.intake is not None and r.intake.stored == 1
        )


async def test_when_nobody_in_the_loop_can_answer_the_router_moves_callers_on() -> None:
    async with rig(config(anne="leave", unstaffed="0")) as r:
        await members_logged_in(r, "loop3")
        record = await r.call(CallerScript(keys=("1",), talk_s=0.05))
        assert (record.outcome, record.queues) == ("answered", ["loop1", "loop3"])
        assert [a["Context"] for a in r.sim.actions_received if a.get("Action") == "Redirect"] == [
            "sb-loop-loop3"
        ]
        assert r.connected()[0].caller_num == CALLER + "-113"


async def test_without_the_router_the_dialplan_moves_callers_on_after_the_wait() -> None:
    async with rig(config(), with_router=False) as r:  # nobody logged in at all
        record = await r.call(CallerScript(keys=("1",), wants_callback=False))
        assert record.queues == ["loop1", "loop3"]
        assert record.steps[-1] == "sb-callback-offer"
        assert record.outcome == "no-callback"


async def test_without_the_router_the_weekly_hours_still_close_the_weekend() -> None:
    async with rig(config(), start=SATURDAY_10, with_router=False) as r:
        record = await r.call(CallerScript(keys=("1",), wants_callback=False))
        assert record.steps[:2] == ["sb-ivr", "sb-closed"]


async def test_a_callback_asked_for_while_the_router_was_down_is_stored_later(
    redis: Redis,
) -> None:
    settings = config()
    async with simulator(ring_s=0.05) as sim:
        wall, aware = clock_from(MONDAY_10)
        assert settings.ivr is not None
        player = IvrPlayer(sim.pbx, settings.ivr, pace=PACE, wall_clock=wall)
        record = await player.call(CALLER, "Kari", CallerScript(keys=("3",)))
        assert record.outcome == "callback"  # nobody logged in: chain ends at the offer
        store = RedisPromiseStore(redis, Sealer.generated())
        intake = CallbackIntake(store)
        router = Router(settings.roster, InMemoryPresence(), aware, ivr=settings.ivr, intake=intake)
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        async with running(router, client):
            await eventually(lambda: intake.stored == 1)
            [stored] = await store.pending()
            assert (stored.ref, stored.number) == (record.callback_ref, CALLER)
            assert stored.loop == "loop3"


def outcomes(r: Rig, queue: str) -> tuple[int, int, int, int]:
    assert r.router is not None
    c = r.router.state.loop(queue).counters
    return c.answered, c.abandoned, c.timed_out, c.moved_on


async def test_a_caller_the_router_moves_on_is_counted_moved_not_abandoned() -> None:
    async with rig(config(anne="leave", unstaffed="0")) as r:
        await members_logged_in(r, "loop3")
        told: list[tuple[str, str]] = []  # what the reports are told (queue_log says ABANDON)
        assert r.router is not None
        r.router.on_moved(lambda callid, queue: told.append((callid, queue)))
        record = await r.call(CallerScript(keys=("1",), talk_s=0.05))
        assert record.queues == ["loop1", "loop3"]
        assert told == [(record.uniqueid, "loop1")]
        assert r.sim.pbx.queues["loop1"].abandoned == 1  # what Asterisk itself counts
        await eventually(lambda: outcomes(r, "loop3")[0] == 1)
        assert outcomes(r, "loop1") == (0, 0, 0, 1)


async def test_a_caller_whose_wait_runs_out_is_counted_timed_out_not_abandoned() -> None:
    async with rig(config(anne="leave")) as r:  # nobody in loop1; the dialplan moves on
        await members_logged_in(r, "loop3")
        record = await r.call(CallerScript(keys=("1",), talk_s=0.05))
        assert record.queues == ["loop1", "loop3"]
        await eventually(lambda: outcomes(r, "loop3")[0] == 1)
        assert outcomes(r, "loop1") == (0, 0, 1, 0)


async def test_a_caller_who_hangs_up_waiting_is_counted_abandoned() -> None:
    async with rig(config(anne="leave")) as r:
        record = await r.call(CallerScript(keys=("1",), patience_s=0.05))
        assert record.outcome == "abandoned"
        await eventually(lambda: outcomes(r, "loop1") == (0, 1, 0, 0))
