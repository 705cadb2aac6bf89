"""Whole-role membership is resolved from the agent list."""

from tests.routing.builders import ROSTER


def test_a_role_loop_takes_everyone_holding_any_of_its_roles_once() -> None:
    loop2 = ROSTER.loops[1]
    assert [a.id for a in ROSTER.members_of(loop2)] == ["bjorn", "cari"]


def test_a_named_loop_takes_exactly_the_named_agents() -> None:
    assert [a.id for a in ROSTER.members_of(ROSTER.loops[0])] == ["anne"]


def test_queue_and_interface_lookups() -> None:
    assert ROSTER.loop_for_queue("loop2") is ROSTER.loops[1]
    assert ROSTER.loop_for_queue("nope") is None
    assert ROSTER.agent_by_interface("PJSIP/203") is ROSTER.agents["cari"]


def test_each_agents_loops_come_from_names_and_roles_alike() -> None:
    loops = {a: [loop.id for loop in found] for a, found in ROSTER.loops_by_agent().items()}
    assert loops == {"anne": ["loop1"], "bjorn": ["loop2"], "cari": ["loop2"]}
