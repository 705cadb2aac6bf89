"""The contact-centre craft played on the simulator, step for step as the dialplan does it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.config import parse_config
from switchboard.ivr.closure import CLOSURE_FAMILY, WHOLE_LINE, closure_key
from switchboard.pbxsim.ivr import CallerScript, IvrPlayer
from switchboard.pbxsim.pbx import AgentBehaviour, Pbx

OSLO = ZoneInfo("Europe/Oslo")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp()
PACE = 0.02
CONFIG = """
ami: {{username: router, secret_env: S}}
default_loop: loop3
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne],
     overflow_to: loop3, {loop1}}}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [cari],
     {loop3}}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201}}
  - {{id: cari, name: Cari Dahl, interface: PJSIP/203}}
"""


def wall() -> Callable[[], float]:
    t0 = time.monotonic()
    return lambda: MONDAY_10 + time.monotonic() - t0


def rig(
    loop1: str = "wait_s: 10",
    loop3: str = "wait_s: 60",
    answers: Callable[[str], AgentBehaviour] = lambda _i: AgentBehaviour(ring_s=0.1),
    ring_timeout_s: float = 1.0,
) -> tuple[Pbx, IvrPlayer, list[bytes]]:
    settings = parse_config(CONFIG.format(loop1=loop1, loop3=loop3), "sim.yaml")
    assert settings.ivr is not None
    clock = wall()
    frames: list[bytes] = []
    pbx = Pbx(
        {"loop1": "rrmemory", "loop3": "rrmemory"},
        frames.append,
        behaviour=answers,
        wall_clock=clock,
        ring_timeout_s=ring_timeout_s,
    )
    pbx.add_member("loop1", "PJSIP/201", "Anne Aas")
    pbx.add_member("loop3", "PJSIP/203", "Cari Dahl")
    return pbx, IvrPlayer(pbx, settings.ivr, pace=PACE, wall_clock=clock), frames


def steps(frames: list[bytes], step: str) -> list[str]:
    return [f.decode() for f in frames if f"Step: {step}\r\n".encode() in f]


async def test_wrap_up_rests_the_agent_before_the_next_call() -> None:
    pbx, player, _ = rig(loop1="wrapup_s: 2, wait_s: 300")
    first = await player.call("+4790000001", "A", CallerScript(keys=("1",), talk_s=0.2))
    ended = time.monotonic()
    second = asyncio.create_task(
        player.call("+4790000002", "B", CallerScript(keys=("1",), talk_s=0.2))
    )
    await asyncio.sleep(1.0)
    assert pbx.queues["loop1"].waiting  # still waiting: Anne is in wrap-up
    assert (await asyncio.wait_for(second, 10)).outcome == "answered"
    assert first.outcome == "answered"
    assert time.monotonic() - ended >= 2.0


async def test_without_wrap_up_the_next_call_rings_at_once() -> None:
    _, player, _ = rig()
    await player.call("+4790000001", "A", CallerScript(keys=("1",), talk_s=0.2))
    started = time.monotonic()
    await player.call("+4790000002", "B", CallerScript(keys=("1",), talk_s=0.2))
    assert time.monotonic() - started < 1.5


async def test_a_call_rung_out_pauses_the_agent_everywhere_with_asterisks_reason() -> None:
    pbx, player, frames = rig(
        loop1="autopause_after: 1, wait_s: 10", answers=lambda _i: AgentBehaviour(answers=False)
    )
    pbx.add_member("loop3", "PJSIP/201", "Anne Aas")
    call = asyncio.create_task(player.call("+4790000001", "A", CallerScript(keys=("1",))))
    await asyncio.sleep(1.5)
    assert all(
        q.members["PJSIP/201"].paused and q.members["PJSIP/201"].paused_reason == "Auto-Pause"
        for q in pbx.queues.values()
    )
    assert any(b"Event: QueueMemberPause" in f and b"Auto-Pause" in f for f in frames)
    call.cancel()


async def test_a_caller_moved_on_enters_ahead_of_those_who_called_later() -> None:
    # Nobody answers in either loop: the early caller times out of loop1 into loop3, where
    # a later caller (a second later: the dialplan's clock has seconds) already waits.
    pbx, player, _ = rig(loop1="wait_s: 100", loop3="wait_s: 500")
    for queue in pbx.queues.values():
        for member in queue.members.values():
            member.paused = True
    early = asyncio.create_task(player.call("+4790000001", "A", CallerScript(keys=("1",))))
    await asyncio.sleep(1.1)
    late = asyncio.create_task(player.call("+4790000002", "B", CallerScript(keys=("3",))))
    await asyncio.sleep(1.3)  # loop1's 100 s wait at PACE 0.02 is 2 s
    waiting = [c.channel.caller_num for c in pbx.queues["loop3"].waiting]
    assert waiting == ["+4790000001-113", "+4790000002-113"]
    early.cancel()
    late.cancel()


async def test_without_keep_place_a_moved_caller_queues_last() -> None:
    pbx, player, _ = rig(
        loop1="keep_place: false, wait_s: 100", loop3="keep_place: false, wait_s: 500"
    )
    for queue in pbx.queues.values():
        for member in queue.members.values():
            member.paused = True
    early = asyncio.create_task(player.call("+4790000001", "A", CallerScript(keys=("1",))))
    await asyncio.sleep(1.1)
    late = asyncio.create_task(player.call("+4790000002", "B", CallerScript(keys=("3",))))
    await asyncio.sleep(1.3)
    waiting = [c.channel.caller_num for c in pbx.queues["loop3"].waiting]
    assert waiting == ["+4790000002-113", "+4790000001-113"]
    early.cancel()
    late.cancel()


async def test_consent_is_asked_once_and_only_a_yes_records() -> None:
    _, player, frames = rig(loop1="record: true")
    yes = await player.call("+4790000001", "A", CallerScript(("1",), talk_s=0.1, consent_key="1"))
    no = await player.call("+4790000002", "B", CallerScript(("1",), talk_s=0.1, consent_key="2"))
    silent = await player.call("+4790000003", "C", CallerScript(("1",), talk_s=0.1))
    assert (yes.recorded, no.recorded, silent.recorded) == (True, False, False)
    # Equal service on no: answered in the same loop either way.
    assert [r.outcome for r in (yes, no, silent)] == ["answered"] * 3
    assert len(steps(frames, "consent")) == 3


async def test_a_rating_is_sent_by_loop_with_no_number_of_the_caller() -> None:
    _, player, frames = rig(loop1="rating: true")
    rated = await player.call(
        "+4790000001", "A", CallerScript(keys=("1",), talk_s=0.1, rating_key="4")
    )
    wrong = await player.call(
        "+4790000002", "B", CallerScript(keys=("1",), talk_s=0.1, rating_key="9")
    )
    assert (rated.rating, wrong.rating) == ("4", "")
    [event] = steps(frames, "rating")
    assert "Loop: loop1\r\n" in event
    assert "Digit: 4\r\n" in event


async def test_a_closed_loop_plays_the_message_then_offers_a_callback() -> None:
    pbx, player, frames = rig()
    pbx.astdb[f"/{CLOSURE_FAMILY}/{closure_key('loop1')}"] = "emergency"
    player.rng.seed(1)
    closed = await player.call("+4790000001", "A", CallerScript(keys=("1",)))
    assert "sb-closure" in closed.steps
    assert closed.outcome == "callback"
    [event] = steps(frames, "closure")
    assert "Message: emergency" in event
    other = await player.call("+4790000002", "B", CallerScript(keys=("3",), talk_s=0.1))
    assert other.outcome == "answered"


async def test_closing_the_whole_line_skips_the_menu() -> None:
    pbx, player, _ = rig()
    pbx.astdb[f"/{CLOSURE_FAMILY}/{WHOLE_LINE}"] = "event"
    record = await player.call("+4790000001", "A", CallerScript(keys=("3",), wants_callback=False))
    assert record.queues == []
    assert record.outcome == "no-callback"


async def test_phone_codes_pause_and_resume_the_person_in_every_loop() -> None:
    pbx, player, _ = rig()
    pbx.add_member("loop3", "PJSIP/201", "Anne Aas")
    assert player.dial_feature("PJSIP/201", "*45")
    members = [q.members["PJSIP/201"] for q in pbx.queues.values()]
    assert all(m.paused and m.paused_reason == "phone" for m in members)
    assert player.dial_feature("PJSIP/201", "*46")
    assert not any(m.paused for m in members)
    assert not player.dial_feature("PJSIP/299", "*45")  # in no loop: told so
