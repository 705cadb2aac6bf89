"""No dead loop: when everyone in a loop is in a meeting, a loop may move callers on at once,
and the board says until when."""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.config import parse_config
from switchboard.ivr.service import LoopService, WhenAllInMeetings
from switchboard.presence.busy import BusyInterval
from switchboard.routing.overflow import overflow_moves, unstaffed_since
from switchboard.routing.queue_state import MemberState
from switchboard.screen.board import loop_notes
from tests.routing.test_overflow import PLAN, member, state_with

OSLO = ZoneInfo("Europe/Oslo")
MOVE_ON = LoopService(when_all_in_meetings=WhenAllInMeetings.MOVE_ON)


def in_meeting(queue: str) -> MemberState:
    return replace(member(queue, paused=True), paused_reason="switchboard:meeting")


def test_a_loop_all_in_meetings_moves_its_callers_on_at_once() -> None:
    plan = replace(
        PLAN, routes={**PLAN.routes, "loop1": replace(PLAN.routes["loop1"], service=MOVE_ON)}
    )
    state = state_with("loop1", [in_meeting("loop1"), in_meeting("loop1")], joined_at=100)
    since = unstaffed_since({}, state, ["loop1"], now=100)
    [move] = overflow_moves(plan, state, since, now=100)
    assert move.why.startswith("everyone in loop1 is in a meeting")


def test_other_pauses_or_the_default_policy_keep_the_unstaffed_wait() -> None:
    plan = replace(
        PLAN, routes={**PLAN.routes, "loop1": replace(PLAN.routes["loop1"], service=MOVE_ON)}
    )
    lunch = replace(member("loop1", paused=True), paused_reason="switchboard:lunch")
    state = state_with("loop1", [in_meeting("loop1"), lunch], joined_at=100)
    assert overflow_moves(plan, state, unstaffed_since({}, state, ["loop1"], 100), now=100) == []
    meetings = state_with("loop1", [in_meeting("loop1")], joined_at=100)
    assert overflow_moves(PLAN, meetings, unstaffed_since({}, meetings, ["loop1"], 100), 100) == []


def test_the_board_says_everyone_is_in_meetings_until_the_first_is_back() -> None:
    settings = parse_config(
        """
ami: {username: r, secret_env: S}
default_loop: loop1
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [a, b]}
agents:
  - {id: a, name: A, interface: PJSIP/201}
  - {id: b, name: B, interface: PJSIP/202}
""",
        "x.yaml",
    )
    now = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO)
    busy = {
        "a": [
            BusyInterval(
                datetime(2026, 11, 23, 9, tzinfo=OSLO), datetime(2026, 11, 23, 11, tzinfo=OSLO)
            )
        ],
        "b": [
            BusyInterval(
                datetime(2026, 11, 23, 9, tzinfo=OSLO), datetime(2026, 11, 23, 12, tzinfo=OSLO)
            )
        ],
    }
    state = state_with("loop1", [], joined_at=0)
    state.loop("loop1").members = {
        "PJSIP/201": replace(in_meeting("loop1"), interface="PJSIP/201"),
        "PJSIP/202": replace(in_meeting("loop1"), interface="PJSIP/202"),
    }
    assert loop_notes(settings.roster, state, busy, now, OSLO) == [
        "Invoices: everyone in meetings until 11:00"
    ]
    state.loop("loop1").members["PJSIP/202"] = replace(member("loop1"), interface="PJSIP/202")
    assert loop_notes(settings.roster, state, busy, now, OSLO) == []
