"""Escalation: callers in a loop where nobody can answer move on to the next level."""

from datetime import time
from zoneinfo import ZoneInfo

from switchboard.ami.events import DeviceStatus
from switchboard.ivr.hours import OpeningHours, Span
from switchboard.ivr.menu import Choice, Menu
from switchboard.ivr.plan import CALLBACK, IvrPlan, LoopRoute
from switchboard.routing.overflow import (
    next_overflow_time,
    overflow_moves,
    unstaffed_since,
)
from switchboard.routing.queue_state import MemberState, QueueState, WaitingCaller
from switchboard.routing.staffing import NOBODY, staff_of

ALWAYS = OpeningHours(((Span(time(0, 0), time(23, 59)),),) * 7, ZoneInfo("Europe/Oslo"))
PLAN = IvrPlan(
    menu=Menu(
        (Choice("1", "loop1", "Invoices", "no"), Choice("3", "loop3", "Other", "no")), "loop3"
    ),
    routes={
        "loop1": LoopRoute("loop1", "loop1", "-111", "no", 90, "loop3", 20),
        "loop3": LoopRoute("loop3", "loop3", "-113", "no", 180, CALLBACK, 30),
    },
    default_loop="loop3",
    hours=ALWAYS,
)


def member(queue: str, *, paused: bool = False, in_call: bool = False) -> MemberState:
    status = DeviceStatus.INUSE if in_call else DeviceStatus.NOT_INUSE
    return MemberState(
        queue, "PJSIP/201", "Anne", "PJSIP/201", "dynamic", paused, "", status, in_call
    )


def state_with(queue: str, members: list[MemberState], joined_at: float) -> QueueState:
    state = QueueState()
    loop = state.loop(queue)
    loop.members = {f"PJSIP/{i}": m for i, m in enumerate(members)}
    loop.callers["c1"] = WaitingCaller("c1", "PJSIP/trunk-1", "+4790000001", "", 1, joined_at)
    return state


def staffed(state: QueueState, queue: str) -> bool:
    return staff_of(state).get(queue, NOBODY).staffed


def test_a_loop_with_one_free_member_is_staffed() -> None:
    assert staffed(state_with("loop1", [member("loop1")], 0), "loop1")


def test_paused_busy_or_no_members_leave_a_loop_unstaffed() -> None:
    for members in ([member("loop1", paused=True)], [member("loop1", in_call=True)], []):
        assert not staffed(state_with("loop1", members, 0), "loop1")


def test_a_caller_moves_on_once_the_loop_has_been_unstaffed_long_enough() -> None:
    state = state_with("loop1", [member("loop1", paused=True)], joined_at=100)
    since = unstaffed_since({}, state, ["loop1", "loop3"], now=100)
    assert overflow_moves(PLAN, state, since, now=119) == []
    [move] = overflow_moves(PLAN, state, since, now=120)
    assert (move.channel, move.to_context) == ("PJSIP/trunk-1", "sb-loop-loop3")
    assert "after 20 s" in move.why


def test_the_wait_counts_from_when_the_loop_became_unstaffed_not_from_joining() -> None:
    state = state_with("loop1", [member("loop1", paused=True)], joined_at=0)
    since = unstaffed_since({}, state, ["loop1"], now=500)  # everyone just went into a meeting
    assert overflow_moves(PLAN, state, since, now=510) == []
    assert next_overflow_time(PLAN, state, since) == 520


def test_someone_becoming_free_resets_the_clock() -> None:
    state = state_with("loop1", [member("loop1", paused=True)], joined_at=0)
    since = unstaffed_since({}, state, ["loop1"], now=10)
    state.loops["loop1"].members["PJSIP/0"].paused = False
    assert unstaffed_since(since, state, ["loop1"], now=20) == {}


def test_the_last_level_moves_callers_to_the_callback_offer() -> None:
    state = state_with("loop3", [], joined_at=0)
    since = unstaffed_since({}, state, ["loop3"], now=0)
    [move] = overflow_moves(PLAN, state, since, now=30)
    assert move.to_context == "sb-callback-offer"


def test_a_caller_already_moved_is_not_moved_twice() -> None:
    state = state_with("loop1", [], joined_at=0)
    since = unstaffed_since({}, state, ["loop1"], now=0)
    assert overflow_moves(PLAN, state, since, 60, frozenset({("c1", "loop1")})) == []


def test_a_loop_without_the_rule_waits_for_the_dialplan_timeout() -> None:
    plan = IvrPlan(
        PLAN.menu,
        {
            "loop1": LoopRoute("loop1", "loop1", "-111", "no", 90, "loop3", None),
            **{"loop3": PLAN.routes["loop3"]},
        },
        "loop3",
        ALWAYS,
    )
    state = state_with("loop1", [], joined_at=0)
    since = unstaffed_since({}, state, ["loop1"], now=0)
    assert overflow_moves(plan, state, since, now=1000) == []
