"""The presence board says who is free, busy, in a meeting until when, paused, or away."""

from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.events import DeviceStatus
from switchboard.routing.policy import ManualStatus, PauseReason
from switchboard.routing.queue_state import QueueState
from switchboard.screen.board import Presence, board
from tests.routing.builders import ANNE, BJORN, CARI, ROSTER, at, meeting

OSLO = ZoneInfo("Europe/Oslo")


def _state(paused: str | None = None, in_call: bool = False) -> QueueState:
    state = QueueState()
    for agent, queue in ((ANNE, "loop1"), (BJORN, "loop2"), (CARI, "loop2")):
        state.note_added(queue, agent.interface, agent.name, agent.state_interface, "")
    if paused is not None:
        state.note_paused("loop1", ANNE.interface, True, paused)
    if in_call:
        state.loops["loop1"].members[ANNE.interface].status = DeviceStatus.INUSE
    return state


@pytest.mark.parametrize(
    ("paused", "in_call", "manual", "presence", "detail"),
    [
        (None, False, None, Presence.FREE, ""),
        (None, True, None, Presence.IN_CALL, ""),
        (
            PauseReason.MEETING.wire,
            False,
            None,
            Presence.MEETING,
            "until 11:00",
        ),  # ends 10:00 UTC: 11:00 in Oslo
        ("Coaching", False, None, Presence.PAUSED, "by hand: Coaching"),
        (PauseReason.LUNCH.wire, False, ManualStatus.LUNCH, Presence.PAUSED, "lunch"),
        (None, False, ManualStatus.LEAVE, Presence.LEAVE, ""),
    ],
)
def test_each_agents_row(
    paused: str | None,
    in_call: bool,
    manual: ManualStatus | None,
    presence: Presence,
    detail: str,
) -> None:
    rows = board(
        ROSTER,
        _state(paused, in_call),
        {"anne": manual} if manual else {},
        {"anne": [meeting("09:00", "10:00")]},
        at("09:30"),
        OSLO,
    )
    anne = next(r for r in rows if r.agent_id == "anne")
    assert (anne.presence, anne.detail) == (presence, detail)


def test_before_the_first_queue_snapshot_everyone_shows_as_logged_out() -> None:
    rows = board(ROSTER, QueueState(), {}, {}, at("09:30"), OSLO)
    assert {r.presence for r in rows} == {Presence.LOGGED_OUT}
    assert [r.name for r in rows] == ["Anne Aas", "Bjørn Berg", "Cari Dahl"]


def test_an_agent_back_early_from_a_meeting_is_free_and_the_board_says_until_when() -> None:
    busy = {"anne": [meeting("09:30", "10:00")]}
    rows = board(ROSTER, _state(), {}, busy, at("09:40"), OSLO, {"anne": at("10:00")})
    anne = next(r for r in rows if r.agent_id == "anne")
    assert (anne.presence, anne.detail) == (Presence.FREE, "back early from a meeting, until 11:00")
