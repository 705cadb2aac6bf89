"""The simulator cannot drift from real Asterisk: every frame it writes is checked against
the recorded transcripts (event names, field names and their order, privilege classes,
response texts)."""

import asyncio
from collections import defaultdict
from collections.abc import Callable

import pytest

from switchboard.ami.frame import parse_message
from switchboard.pbxsim.pbx import AgentBehaviour, Pbx, SimError
from switchboard.pbxsim.traffic import Traffic
from tests.support import transcripts


def recorded_shapes() -> tuple[dict[str, set[tuple[str, ...]]], dict[str, set[str]]]:
    shapes: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    privileges: dict[str, set[str]] = defaultdict(set)
    for name in transcripts.names():
        for fields in transcripts.load(name[:2]).fields():
            if "Event" in fields:
                shapes[fields["Event"]].add(tuple(fields))
                if "Privilege" in fields:
                    privileges[fields["Event"]].add(fields["Privilege"])
    assert shapes, f"no recorded transcripts in {transcripts.DIRECTORY}"
    return shapes, privileges


def recorded_messages() -> set[str]:
    return {
        f["Message"]
        for name in transcripts.names()
        for f in transcripts.load(name[:2]).fields()
        if "Response" in f and "Message" in f
    }


async def exercise_simulator() -> list[bytes]:
    """Drive every path the simulator has, collecting what it writes."""
    frames: list[bytes] = []
    pbx = Pbx(
        {"loop1": "rrmemory", "loop2": "rrmemory", "loop3": "rrmemory"},
        frames.append,
        behaviour=lambda iface: AgentBehaviour(ring_s=0.01, answers="never" not in iface),
        ring_timeout_s=0.05,
    )
    pbx.add_member("loop1", "Local/agent1@agents/n", "Agent One", "Custom:agent1")
    pbx.add_member("loop2", "Local/agent2@agents/n", "Agent Two", paused=True, reason="Not ready")
    pbx.add_member("loop3", "Local/never@agents/n", "Never Answers")
    pbx.pause_member("loop1", "Local/agent1@agents/n", True, "Lunch")
    pbx.pause_member(None, "Local/agent1@agents/n", False, "")
    frames += pbx.status_items(None, None, "x-1")
    frames += pbx.summary_items(None, "x-2")
    traffic = Traffic(pbx, {"1": "loop1", "2": "loop2", "3": "loop3"}, "loop3")

    calls = asyncio.gather(
        traffic.one_call("1", talk_s=0.01),
        traffic.one_call("2", patience_s=0.5),
        traffic.one_call("3", patience_s=0.2),
        traffic.one_call("", patience_s=0.2),
    )
    await asyncio.sleep(0.3)  # the loop2 caller is waiting now
    frames.extend(pbx.status_items("loop2", None, "x-3"))
    outcomes = list(await calls)
    assert outcomes == ["answered", "abandoned", "abandoned", "abandoned"]
    pbx.remove_member("loop3", "Local/never@agents/n")
    return frames


async def test_every_simulated_event_has_a_recorded_shape() -> None:
    shapes, privileges = recorded_shapes()
    written = [parse_message(f) for f in await exercise_simulator()]
    seen: set[str] = set()
    for fields in written:
        name = fields["Event"]
        seen.add(name)
        assert name in shapes, f"the simulator invented event {name}"
        assert tuple(fields) in shapes[name], f"{name} fields differ from Asterisk 22's"
        if "Privilege" in fields:
            assert fields["Privilege"] in privileges[name]
    # the paths a router depends on are all exercised
    assert {
        "QueueMemberAdded",
        "QueueMemberRemoved",
        "QueueMemberPause",
        "QueueMemberStatus",
        "QueueCallerJoin",
        "QueueCallerLeave",
        "QueueCallerAbandon",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "AgentRingNoAnswer",
        "DTMFBegin",
        "DTMFEnd",
        "Hangup",
        "Newchannel",
        "QueueParams",
        "QueueMember",
        "QueueEntry",
        "QueueSummary",
    } <= seen


def test_refusals_use_asterisks_recorded_words() -> None:
    messages = recorded_messages()
    assert messages, f"no recorded refusals in {transcripts.DIRECTORY}"
    pbx = Pbx({"loop2": "rrmemory"}, lambda f: None)
    pbx.add_member("loop2", "Local/agent4@agents/n", "Agent Four")
    refusals = []
    attempts: tuple[Callable[[], None], ...] = (
        lambda: pbx.add_member("loop2", "Local/agent4@agents/n", "Agent Four"),
        lambda: pbx.add_member("nosuchqueue", "Local/agent9@agents/n"),
        lambda: pbx.pause_member(None, "Local/nobody@agents/n", True, "x"),
        lambda: pbx.pause_member("nosuchqueue", "Local/agent4@agents/n", True, ""),
        lambda: pbx.remove_member("loop2", "Local/nobody@agents/n"),
    )
    for attempt in attempts:
        with pytest.raises(SimError) as refused:
            attempt()
        refusals.append(str(refused.value))
    assert set(refusals) <= messages, set(refusals) - messages
