"""The reports counted from the simulator's queue_log equal what the simulator knows happened.

A compressed busy spell on the simulator (every simulated second lasts 1/SCALE of a real
one): callers answered inside and outside the service level, callers who hang up, loops
whose wait runs out into the next loop and finally the callback offer, callers the router
moves on by Redirect (into the next loop, or to the callback offer where they ask for a
callback), callers who press the callback key, agents paused and back. The simulator
writes queue_log as app_queue does; the figures folded from it, through the store, must
match the simulator's own tally of each caller's ending, per loop and per agent.
"""

from __future__ import annotations

import asyncio
import math
import random
import re
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from switchboard.config import parse_config
from switchboard.ivr.dialplan import HOURS_UNTIL_VAR, HOURS_VAR, OFFER, loop_context
from switchboard.pbxsim.ivr import CallerScript, IvrPlayer
from switchboard.pbxsim.pbx import AgentBehaviour, Pbx, SimCall
from switchboard.promises.callbacks import from_astdb
from switchboard.reports import store
from switchboard.reports.aggregate import report_of
from switchboard.reports.export import to_csv
from switchboard.reports.figures import Period, PromiseOutcome
from switchboard.reports.window import window_ending
from tests.pbxsim.test_queue_log import LAYOUT

OSLO = ZoneInfo("Europe/Oslo")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp()
SCALE = 60.0  # simulated seconds per real second
SERVICE_LEVEL_S = 20
CALLS = 60
KEPT = "+4790009999"  # callers whose paths are scripted, not drawn: this one waits it out,
DECLINES = "+4790009998"  # and this one is moved to the offer by the router and says no
CONFIG = """
ami: {username: router, secret_env: S}
default_loop: loop3
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", wait_s: 90,
     overflow_to: loop2, agents: [anne, bo]}
  - {id: loop2, queue: loop2, title: Pay, digit: "2", suffix: "-112", wait_s: 60,
     overflow_to: loop3, agents: [cari]}
  - {id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", wait_s: 120,
     overflow_to: callback, agents: [dag]}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
  - {id: bo, name: Bo Berg, interface: PJSIP/202}
  - {id: cari, name: Cari Dahl, interface: PJSIP/203}
  - {id: dag, name: Dag Eik, interface: PJSIP/204}
"""


Spell = tuple[Path, Pbx, IvrPlayer, list[tuple[str, str, int]]]


def scaled_clock() -> Callable[[], float]:
    t0 = time.monotonic()
    return lambda: MONDAY_10 + (time.monotonic() - t0) * SCALE


async def simulate(queue_log: Path) -> tuple[Pbx, IvrPlayer, list[tuple[str, str, int]]]:
    settings = parse_config(CONFIG, "sim.yaml")
    assert settings.ivr is not None
    clock = scaled_clock()
    rng = random.Random(16)
    sleepy = {"PJSIP/202"}  # Bo lets it ring out now and then
    pbx = Pbx(
        {"loop1": "rrmemory", "loop2": "rrmemory", "loop3": "rrmemory"},
        lambda _frame: None,
        behaviour=lambda i: AgentBehaviour(
            ring_s=0.05, answers=i not in sleepy or rng.random() < 0.5
        ),
        wall_clock=clock,
        ring_timeout_s=15 / SCALE,
        queue_log=queue_log,
    )
    pbx.globals[HOURS_VAR], pbx.globals[HOURS_UNTIL_VAR] = "open", str(int(MONDAY_10 + 86400))
    for queue, iface, name in [
        ("loop1", "PJSIP/201", "Anne Aas"),
        ("loop1", "PJSIP/202", "Bo Berg"),
        ("loop2", "PJSIP/203", "Cari Dahl"),
        ("loop3", "PJSIP/204", "Dag Eik"),
    ]:
        pbx.add_member(queue, iface, name)
    player = IvrPlayer(pbx, settings.ivr, pace=1 / SCALE, wall_clock=clock, rng=rng)

    async def caller(n: int) -> None:
        digit = rng.choice("11223")
        script = CallerScript(
            keys=(digit,),
            patience_s=rng.uniform(10, 150) / SCALE,
            talk_s=rng.uniform(20, 240) / SCALE,
            callback_after_s=rng.uniform(30, 80) / SCALE if rng.random() < 0.2 else None,
            wants_callback=rng.random() < 0.6,  # at the offer: the others say no and hang up
        )
        await player.call(f"+479{n:07d}", f"Caller {n}", script)

    async def through_to_the_offer() -> None:
        """One caller certain to wait out two loops and ask for a callback: they call loop 2
        while Cari and Dag are in their meeting (60 s there, 120 s in loop 3, then the offer),
        and the router's moves leave them be. The rest of the spell is left to chance."""
        await asyncio.sleep(105 / SCALE)
        script = CallerScript(keys=("2",), patience_s=1000 / SCALE, talk_s=60 / SCALE)
        await player.call(KEPT, "Kept caller", script)

    async def moved_and_declines() -> None:
        """One caller certain to be moved out of loop 2 to the callback offer by the router
        (while Cari is in her meeting) and to say no there: an ABANDON in queue_log that
        only the router's word tells from a hang-up."""
        await asyncio.sleep(110 / SCALE)
        script = CallerScript(keys=("2",), patience_s=1000 / SCALE, wants_callback=False)
        await player.call(DECLINES, "Declining caller", script)

    async def move_the_decliner() -> None:
        while True:
            await asyncio.sleep(1 / SCALE)
            for call in pbx.queues["loop2"].waiting:
                if call.channel.caller_num.startswith(DECLINES):
                    pbx.redirect(call.channel.name, OFFER)
                    moved.append((call.channel.uniqueid, "loop2", int(clock())))
                    return

    def kept_through(call: SimCall) -> bool:
        return call.channel.caller_num.startswith((KEPT, DECLINES))

    moved: list[tuple[str, str, int]] = []  # what the router tells the reports

    async def router_moves() -> None:
        """What the router's unstaffed move does: Redirect a waiting caller out of Queue()."""
        while True:
            await asyncio.sleep(40 / SCALE)
            waiting = [c for c in pbx.queues["loop2"].waiting if not kept_through(c)]
            if waiting:
                to = rng.choice([loop_context("loop3"), OFFER])
                channel = rng.choice(waiting).channel
                pbx.redirect(channel.name, to)
                moved.append((channel.uniqueid, "loop2", int(clock())))

    async def supervisor_pauses() -> None:
        """Cari and Dag go to a meeting and come back; Anne takes a break (all her loops)."""
        await asyncio.sleep(100 / SCALE)
        pbx.pause_member("loop2", "PJSIP/203", True, "Meeting")
        pbx.pause_member("loop3", "PJSIP/204", True, "Meeting")
        await asyncio.sleep(200 / SCALE)
        pbx.pause_member("loop2", "PJSIP/203", False, "")
        pbx.pause_member("loop3", "PJSIP/204", False, "")
        pbx.pause_member(None, "PJSIP/201", True, "Lunch")
        await asyncio.sleep(150 / SCALE)
        pbx.pause_member(None, "PJSIP/201", False, "")

    helpers = [asyncio.create_task(router_moves()), asyncio.create_task(supervisor_pauses())]
    async with asyncio.TaskGroup() as calls:
        calls.create_task(through_to_the_offer())
        calls.create_task(moved_and_declines())
        calls.create_task(move_the_decliner())
        for n in range(CALLS):
            calls.create_task(caller(n))
            await asyncio.sleep(rng.expovariate(1 / (12 / SCALE)))
    for helper in helpers:
        helper.cancel()
    await asyncio.gather(*helpers, return_exceptions=True)
    pbx.close()
    return pbx, player, moved


def nearest_rank(values: list[int], p: float) -> int | None:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)] if ordered else None


@pytest.fixture(scope="module")
def spell(tmp_path_factory: pytest.TempPathFactory) -> Spell:
    """One simulated spell for both databases (it takes a while in real time)."""
    log_file = tmp_path_factory.mktemp("pbxsim") / "queue_log"
    pbx, player, moved = asyncio.run(simulate(log_file))
    return log_file, pbx, player, moved


async def test_the_reports_of_a_simulated_spell_equal_the_simulators_own_count(
    engine: Engine, spell: Spell
) -> None:
    log_file, pbx, player, moved = spell
    settings = parse_config(CONFIG, "sim.yaml")
    assert settings.ivr is not None
    # The router reads the callbacks from AstDB into the promise store, with their call id,
    # and the reports copy their outcomes (with the call) from there.
    asked = [from_astdb(key, value, settings.ivr.hours, 2) for key, value in pbx.astdb.items()]
    outcomes = [
        PromiseOutcome(p.ref, "callback", p.loop, p.requested_at, p.first_due, None, p.call_id)
        for p in asked
    ]

    done = await asyncio.to_thread(store.ingest_file, engine, log_file)
    assert done.bad == []
    assert store.save_moved(engine, moved) == len(moved)
    store.save_outcomes(engine, outcomes)
    monday = datetime.fromtimestamp(MONDAY_10, OSLO).date()
    report = report_of(
        engine,
        window_ending(Period.DAY, monday, OSLO, count=1),
        service_level_s=SERVICE_LEVEL_S,
    )

    day = datetime.fromtimestamp(MONDAY_10, OSLO).date().isoformat()
    truth = {}
    for name, q in pbx.queues.items():
        o = q.outcomes
        truth[(day, name)] = (
            q.offered,
            q.answered,
            sum(w <= SERVICE_LEVEL_S for w in q.answer_waits),
            o.get("abandoned", 0),
            o.get("timeout", 0) + o.get("redirected", 0) + o.get("exit-digit", 0),
            nearest_rank(q.answer_waits, 50),
            nearest_rank(q.answer_waits, 90),
        )
    got = {
        key: (f.offered, f.answered, f.within_service_level, f.abandoned, f.moved_on,
              f.percentile(50), f.percentile(90))
        for key, f in report.loops.items()
    }  # fmt: skip
    assert got == truth

    talks: dict[str, list[int]] = {}
    for q in pbx.queues.values():
        for agent, spells in q.talks.items():
            talks.setdefault(agent, []).extend(spells)
    assert {a: (f.answered, f.talk_s) for (_, a), f in report.agents.items()} == {
        a: (len(t), sum(t)) for a, t in talks.items()
    }

    assert not re.search(r"\+47[0-9]", to_csv(report))  # no caller's number in the export

    # The spell really had every ending the figures tell apart, or the check proves little.
    endings = {k for q in pbx.queues.values() for k, v in q.outcomes.items() if v}
    assert endings == {"answered", "abandoned", "timeout", "redirected", "exit-digit"}
    assert any(w > SERVICE_LEVEL_S for q in pbx.queues.values() for w in q.answer_waits)
    assert any(r.outcome == "callback" and len(r.queues) > 1 for r in player.records)
    # Moved to the callback offer by the router, then said no: only the router's word
    # tells this ABANDON from a hang-up.
    assert any(r.outcome == "no-callback" and r.queues[-1] == "loop2" for r in player.records)
    lines = [line.split("|") for line in log_file.read_text().splitlines()]
    assert {"RINGNOANSWER", "PAUSEALL", "PAUSE", "UNPAUSE", "EXITWITHKEY"} <= {n[4] for n in lines}
    assert all(LAYOUT[verb] == len(data) for _, _, _, _, verb, *data in lines)
