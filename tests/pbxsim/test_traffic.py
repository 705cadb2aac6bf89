"""Simulated callers end up where the menu sends them, over real AMI."""

import asyncio
import random

from switchboard.ami.events import (
    AgentConnect,
    AgentRingNoAnswer,
    QueueCallerAbandon,
    QueueCallerJoin,
    decode_event,
)
from switchboard.ami.frame import parse_message
from switchboard.pbxsim.pbx import AgentBehaviour, Pbx
from switchboard.pbxsim.traffic import Traffic


def _pbx(events: list[object], **kw: object) -> Pbx:
    return Pbx(
        {"loop1": "rrmemory", "loop2": "rrmemory", "loop3": "rrmemory", "switchboard": "ringall"},
        lambda f: events.append(decode_event(parse_message(f))),
        **kw,  # type: ignore[arg-type]
    )


MENU = {"1": "loop1", "2": "loop2", "3": "loop3", "9": "switchboard"}


async def test_each_digit_joins_its_loop_and_no_digit_joins_the_default() -> None:
    events: list[object] = []
    pbx = _pbx(events, behaviour=lambda i: AgentBehaviour(ring_s=0.01))
    for queue in MENU.values():
        pbx.add_member(queue, f"PJSIP/{queue}", queue)
    traffic = Traffic(pbx, MENU, "loop3")
    await asyncio.gather(*(traffic.one_call(d, talk_s=0.01) for d in ("1", "2", "9", "")))
    joined = [e.queue for e in events if isinstance(e, QueueCallerJoin)]
    assert sorted(joined) == ["loop1", "loop2", "loop3", "switchboard"]
    assert traffic.outcomes == {"answered": 4}
    assert len([e for e in events if isinstance(e, AgentConnect)]) == 4


async def test_a_caller_facing_only_paused_members_abandons() -> None:
    events: list[object] = []
    pbx = _pbx(events)
    pbx.add_member("loop2", "PJSIP/2", "Two", paused=True, reason="Not ready")
    outcome = await Traffic(pbx, MENU, "loop3").one_call("2", patience_s=0.1)
    assert outcome == "abandoned"
    assert any(isinstance(e, QueueCallerAbandon) for e in events)


async def test_an_agent_who_does_not_answer_is_reported_and_the_next_one_rung() -> None:
    events: list[object] = []
    pbx = _pbx(
        events,
        behaviour=lambda i: AgentBehaviour(ring_s=0.01, answers=i != "PJSIP/sleepy"),
        ring_timeout_s=0.05,
    )
    pbx.add_member("loop1", "PJSIP/sleepy", "Sleepy")
    pbx.add_member("loop1", "PJSIP/awake", "Awake")
    pbx.queues["loop1"].members["PJSIP/sleepy"].idle_since -= 100  # sleepy is rung first
    outcome = await Traffic(pbx, MENU, "loop3").one_call("1", talk_s=0.01)
    assert outcome == "answered"
    (no_answer,) = [e for e in events if isinstance(e, AgentRingNoAnswer)]
    assert no_answer.member_name == "Sleepy"
    (connect,) = [e for e in events if isinstance(e, AgentConnect)]
    assert connect.member_name == "Awake"


def test_calls_from_known_members_come_from_their_registered_numbers() -> None:
    traffic = Traffic(
        Pbx({"loop1": "rrmemory"}, lambda _data: None),
        {"1": "loop1"},
        "loop1",
        rng=random.Random(1),
        callers=[("+47 905 95 313", "Kari Nordmann")],
        known_share=1.0,
    )
    assert traffic._number() == ("+4790595313", "Kari Nordmann")
