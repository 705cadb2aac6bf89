"""Desired member state from roster, manual status, calendars and the clock."""

import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.routing.policy import (
    ManualStatus,
    PauseReason,
    back_early_until,
    desired_members,
    is_own_reason,
    next_decision_time,
)
from tests.routing.builders import ROSTER, at, meeting

NO_ONE: dict[str, ManualStatus] = {}


@pytest.mark.parametrize(
    ("now", "busy", "paused", "until"),
    [
        ("09:59", [("10:00", "12:00")], False, None),
        ("10:00", [("10:00", "12:00")], True, "12:00"),
        ("11:59", [("10:00", "12:00")], True, "12:00"),
        ("12:00", [("10:00", "12:00")], False, None),  # the end is exclusive: free at 12:00:00
        ("10:30", [("10:00", "11:00"), ("11:00", "12:00")], True, "12:00"),  # back to back
        ("10:30", [("10:00", "11:00"), ("10:30", "11:30")], True, "11:30"),  # overlapping
        ("13:00", [], False, None),
    ],
)
def test_a_timed_meeting_pauses_for_exactly_its_span(
    now: str, busy: list[tuple[str, str]], paused: bool, until: str | None
) -> None:
    spans = {"anne": [meeting(a, b) for a, b in busy]}
    member = desired_members(ROSTER, NO_ONE, spans, at(now))[("loop1", "PJSIP/201")]
    assert member.logged_in
    assert (member.pause is PauseReason.MEETING) is paused
    assert member.until == (at(until) if until else None)


def test_an_agent_in_two_loops_is_paused_in_both() -> None:
    desired = desired_members(ROSTER, NO_ONE, {"cari": [meeting("10:00", "11:00")]}, at("10:15"))
    cari = [m for m in desired.values() if m.agent_id == "cari"]
    assert [m.queue for m in cari] == ["loop2"]
    assert all(m.pause is PauseReason.MEETING for m in cari)


def test_leave_logs_the_agent_out_whatever_the_calendar_says() -> None:
    desired = desired_members(
        ROSTER, {"anne": ManualStatus.LEAVE}, {"anne": [meeting("10:00", "11:00")]}, at("10:15")
    )
    anne = desired[("loop1", "PJSIP/201")]
    assert (anne.logged_in, anne.pause) == (False, None)


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (ManualStatus.LUNCH, PauseReason.LUNCH),
        (ManualStatus.BREAK, PauseReason.BREAK),
        (ManualStatus.FOLLOW_UP, PauseReason.FOLLOW_UP),
        (ManualStatus.TRAINING, PauseReason.TRAINING),
    ],
)
def test_a_pause_set_on_the_screen_keeps_its_reason_and_wins_over_the_calendar(
    status: ManualStatus, reason: PauseReason
) -> None:
    desired = desired_members(
        ROSTER, {"anne": status}, {"anne": [meeting("10:00", "11:00")]}, at("10:15")
    )
    anne = desired[("loop1", "PJSIP/201")]
    assert (anne.logged_in, anne.pause, anne.until) == (True, reason, None)
    assert is_own_reason(reason.wire)  # the engine paused on their behalf: it may lift it


def test_an_agent_whose_calendar_is_unknown_is_never_paused() -> None:
    desired = desired_members(ROSTER, NO_ONE, {}, at("10:15"))
    assert all(m.logged_in and m.pause is None for m in desired.values())


def test_the_next_decision_is_the_next_start_or_end() -> None:
    busy = {"anne": [meeting("10:00", "12:00")], "bjorn": [meeting("11:00", "11:30")]}
    assert next_decision_time(busy, at("09:00")) == at("10:00")
    assert next_decision_time(busy, at("10:00")) == at("11:00")
    assert next_decision_time(busy, at("11:30")) == at("12:00")
    assert next_decision_time(busy, at("12:00")) is None


def test_only_reasons_with_the_engine_prefix_are_its_own() -> None:
    assert is_own_reason(PauseReason.MEETING.wire)
    assert not is_own_reason("Lunch")
    assert not is_own_reason("")


def test_busy_intervals_must_be_timezone_aware_and_forward() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        BusyInterval(at("10:00").replace(tzinfo=None), at("11:00"))
    with pytest.raises(ValueError, match="before it starts"):
        BusyInterval(at("11:00"), at("10:00"))


# --- back early from a meeting: the person's word wins until the meeting would have ended


def test_an_agent_back_early_is_not_paused_for_the_rest_of_that_meeting() -> None:
    busy = {"anne": [meeting("10:00", "12:00")]}
    early = {"anne": at("12:00")}
    member = desired_members(ROSTER, NO_ONE, busy, at("10:30"), early)[("loop1", "PJSIP/201")]
    assert member.pause is None


def test_after_the_override_ends_the_calendar_counts_again() -> None:
    busy = {"anne": [meeting("10:00", "12:00"), meeting("13:00", "14:00")]}
    early = {"anne": at("12:00")}
    member = desired_members(ROSTER, NO_ONE, busy, at("13:30"), early)[("loop1", "PJSIP/201")]
    assert member.pause is PauseReason.MEETING


@pytest.mark.parametrize(
    ("was", "paused", "reason", "now", "until"),
    [
        (PauseReason.MEETING.wire, False, "", "10:30", "12:00"),  # unpaused at the phone
        (PauseReason.MEETING.wire, False, "Back from meeting", "10:30", "12:00"),  # a tool
        (PauseReason.MEETING.wire, False, "switchboard:available", "10:30", None),  # our own
        (PauseReason.MEETING.wire, True, "", "10:30", None),  # still paused
        (PauseReason.LUNCH.wire, False, "", "10:30", None),  # not a meeting pause
        ("Coaching", False, "", "10:30", None),  # their own pause, their own unpause
        (PauseReason.MEETING.wire, False, "", "12:30", None),  # the calendar says free now
    ],
)
def test_which_unpause_means_back_early(
    was: str, paused: bool, reason: str, now: str, until: str | None
) -> None:
    busy = {"anne": [meeting("10:00", "12:00")]}
    found = back_early_until("anne", was, paused, reason, busy, at(now))
    assert found == (at(until) if until else None)
