"""A caller's card reaches the agents being rung, then only the one who answered."""

from switchboard.ami.events import (
    AgentCalled,
    AgentConnect,
    AgentRingNoAnswer,
    Event,
    decode_event,
)
from switchboard.routing.roster import Agent, Loop, Roster
from switchboard.screen.agent_calls import AgentCalls, Phase
from tests.support.transcripts import load

LAB = Roster(
    {
        a.id: a
        for a in (
            Agent("agent1", "Agent One", "Local/agent1@agents/n", "Custom:agent1"),
            Agent("agent3", "Agent Three", "Local/agent3@agents/n", "Custom:agent3"),
            Agent("operator", "Operator", "Local/operator@agents/n", "Custom:operator"),
        )
    },
    (Loop("loop1", "loop1", "Insurance", "-111", agents=("agent1",)),),
)


def replay(prefix: str) -> tuple[AgentCalls, list[tuple[str, set[str]]]]:
    calls = AgentCalls(LAB)
    seen = []
    for n, fields in enumerate(load(prefix).fields()):
        event: Event = decode_event(fields) if "Event" in fields else None  # type: ignore[assignment]
        if event is not None:
            changed = calls.apply(event, float(n))
            if changed:
                seen.append((type(event).__name__, changed))
    return calls, seen


def test_a_recorded_call_rings_then_connects_then_stays_for_wrap_up() -> None:
    calls, seen = replay("01")
    assert [name for name, _ in seen] == ["AgentCalled", "AgentConnect", "AgentComplete"]
    card = calls.of("agent1")
    assert card is not None
    assert (card.phase, card.queue, card.caller_name) == (Phase.ENDED, "loop1", "Alice Example")
    assert card.number == "+15551230001"
    assert card.waited_s is not None
    assert card.joined_at is not None
    assert calls.dismiss("agent1", card.call_id)
    assert calls.of("agent1") is None


def test_a_member_outside_the_roster_never_gets_a_card() -> None:
    calls, seen = replay("07")  # "Never Answers" rings 10 s, then Agent One answers
    assert all(changed == {"agent1"} for _, changed in seen)
    card = calls.of("agent1")
    assert card is not None
    assert card.caller_name == "Frank Patient"


def test_a_caller_who_hangs_up_first_leaves_the_card_for_wrap_up() -> None:
    calls, _ = replay("10")
    card = calls.of("agent3")
    assert card is not None
    assert card.phase is Phase.ENDED


def _called(interface: str, call: str = "c1") -> AgentCalled:
    return AgentCalled(
        "switchboard", "PJSIP/trunk-1", call, call, "90595313-111", "Kari", interface,
        interface, interface + "-1",
    )  # fmt: skip


def test_with_ringall_only_the_agent_who_answers_keeps_the_card() -> None:
    calls = AgentCalls(LAB)
    assert calls.apply(_called("Local/agent1@agents/n"), 1.0) == {"agent1"}
    assert calls.apply(_called("Local/operator@agents/n"), 1.0) == {"operator"}
    connect = AgentConnect(
        "switchboard", "PJSIP/trunk-1", "c1", "c1", "90595313-111", "Kari",
        "Local/operator@agents/n", "Operator", "x", 12, 2.0,
    )  # fmt: skip
    assert calls.apply(connect, 3.0) == {"agent1", "operator"}
    assert calls.of("agent1") is None
    card = calls.of("operator")
    assert card is not None
    assert (card.phase, card.waited_s, card.number) == (Phase.CONNECTED, 12.0, "90595313-111")


def test_a_ring_that_is_not_answered_takes_the_card_away() -> None:
    calls = AgentCalls(LAB)
    calls.apply(_called("Local/agent1@agents/n"), 1.0)
    no_answer = AgentRingNoAnswer(
        "loop1", "PJSIP/trunk-1", "c1", "c1", "90595313-111", "Kari",
        "Local/agent1@agents/n", "Agent One", "x", 15.0,
    )  # fmt: skip
    assert calls.apply(no_answer, 16.0) == {"agent1"}
    assert calls.of("agent1") is None


def test_an_agent_in_a_call_is_not_shown_a_second_caller() -> None:
    calls = AgentCalls(LAB)
    calls.apply(_called("Local/agent1@agents/n", "c1"), 1.0)
    calls.apply(
        AgentConnect(
            "loop1", "x", "c1", "c1", "1", "", "Local/agent1@agents/n", "Agent One", "y", 1, 1.0
        ),
        2.0,
    )
    assert calls.apply(_called("Local/agent1@agents/n", "c2"), 3.0) == set()
    card = calls.of("agent1")
    assert card is not None
    assert card.call_id == "c1"
