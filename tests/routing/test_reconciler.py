"""The reconciler sends only the difference, and never touches pauses that are not its own."""

import pytest

from switchboard.ami.events import DeviceStatus
from switchboard.routing.policy import DesiredMember, ManualStatus, PauseReason, desired_members
from switchboard.routing.queue_state import MemberState
from switchboard.routing.reconciler import (
    AddMember,
    ForgetOwnership,
    MemberChange,
    PauseMember,
    RecordOwnership,
    RemoveMember,
    UnpauseMember,
    plan,
)
from tests.routing.builders import ANNE, BJORN, ROSTER, at, have, meeting, want

OURS = PauseReason.MEETING.wire


def _one(desired: DesiredMember, actual: MemberState | None) -> tuple[MemberChange, ...]:
    return plan({desired.key: desired}, {desired.key: actual} if actual else {}).changes


@pytest.mark.parametrize(
    ("desired", "actual", "expected"),
    [
        (want(ANNE, "loop1"), None, AddMember),
        (want(ANNE, "loop1", paused=True), None, AddMember),
        (want(ANNE, "loop1"), have(ANNE, "loop1"), None),
        (want(ANNE, "loop1", paused=True), have(ANNE, "loop1"), PauseMember),
        (want(ANNE, "loop1", paused=True), have(ANNE, "loop1", paused=True, reason=OURS), None),
        (want(ANNE, "loop1"), have(ANNE, "loop1", paused=True, reason=OURS), UnpauseMember),
        # someone's own pause: never lifted, never overwritten
        (want(ANNE, "loop1"), have(ANNE, "loop1", paused=True, reason="Lunch"), None),
        (want(ANNE, "loop1", paused=True), have(ANNE, "loop1", paused=True, reason="Lunch"), None),
        (want(ANNE, "loop1"), have(ANNE, "loop1", paused=True, reason=""), None),
        # unpaused members keep our reason text (Asterisk keeps it): still just unpaused
        (want(ANNE, "loop1"), have(ANNE, "loop1", reason="switchboard:available"), None),
        (want(ANNE, "loop1", logged_in=False), have(ANNE, "loop1"), RemoveMember),
        (want(ANNE, "loop1", logged_in=False), None, None),
    ],
)
def test_one_member(
    desired: DesiredMember, actual: MemberState | None, expected: type | None
) -> None:
    changes = _one(desired, actual)
    assert [type(c) for c in changes] == ([expected] if expected else [])


def test_a_member_added_during_a_meeting_is_added_paused_with_our_reason() -> None:
    (change,) = _one(want(ANNE, "loop1", paused=True), None)
    assert isinstance(change, AddMember)
    assert change.member.pause is PauseReason.MEETING


def test_a_meeting_pause_becomes_the_agents_lunch_pause_when_they_say_so() -> None:
    lunch = desired_members(ROSTER, {"anne": ManualStatus.LUNCH}, {}, at("10:15"))
    desired = lunch[("loop1", "PJSIP/201")]
    changes = _one(desired, have(ANNE, "loop1", paused=True, reason=OURS))
    assert [(type(c), c.reason) for c in changes if isinstance(c, PauseMember)] == [
        (PauseMember, PauseReason.LUNCH)
    ]
    assert "paused themself on the screen (lunch)" in changes[0].why


def test_a_static_member_on_leave_is_reported_not_removed() -> None:
    result = plan(
        {("loop1", ANNE.interface): want(ANNE, "loop1", logged_in=False)},
        {("loop1", ANNE.interface): have(ANNE, "loop1", membership="static")},
    )
    assert result.changes == ()
    assert "queues.conf" in result.notes[0]


def test_members_asterisk_has_that_the_roster_does_not_cover_are_left_alone() -> None:
    stranger = MemberState(
        "loop1",
        "PJSIP/999",
        "Temp",
        "PJSIP/999",
        "dynamic",
        False,
        "",
        DeviceStatus.NOT_INUSE,
        False,
    )
    assert plan({}, {("loop1", "PJSIP/999"): stranger}).changes == ()


def test_running_twice_sends_nothing_new() -> None:
    desired = desired_members(ROSTER, {}, {"anne": [meeting("10:00", "11:00")]}, at("10:15"))
    first = plan(desired, {})
    assert len(first.changes) == 3
    # Asterisk now reports what the first plan asked for:
    actual = {
        key: have(
            ROSTER.agents[m.agent_id],
            m.queue,
            paused=m.pause is not None,
            reason=m.pause.wire if m.pause else "",
        )
        for key, m in desired.items()
    }
    assert plan(desired, actual).changes == ()


def test_every_change_says_why_in_words() -> None:
    (change,) = _one(want(ANNE, "loop1", paused=True), have(ANNE, "loop1"))
    assert change.why.startswith("pause Anne Aas in loop1: calendar says busy")


# --- roster changes: the engine removes only what it created -------------------------

LOOP3 = "loop3"


def test_a_membership_the_engine_created_and_the_roster_no_longer_gives_is_removed() -> None:
    actual = {("loop1", ANNE.interface): have(ANNE, "loop1")}
    owned = {("loop1", ANNE.interface): "anne"}
    changes = plan({}, actual, owned).changes
    assert changes == (
        RemoveMember("loop1", ANNE.interface, ANNE.name, "the roster no longer puts them there"),
    )


def test_a_membership_someone_else_made_is_reported_and_left() -> None:
    desired = {("loop1", BJORN.interface): want(BJORN, "loop1")}
    actual = {
        ("loop1", BJORN.interface): have(BJORN, "loop1"),
        ("loop1", ANNE.interface): have(ANNE, "loop1"),
    }
    owned = {("loop1", BJORN.interface): "bjorn"}
    result = plan(desired, actual, owned)
    assert result.changes == ()
    assert len(result.notes) == 1
    assert "did not add them" in result.notes[0]


def test_without_the_ownership_record_nothing_outside_the_roster_is_touched() -> None:
    actual = {("loop1", ANNE.interface): have(ANNE, "loop1")}
    assert plan({}, actual, None).changes == ()


def test_a_static_member_is_never_removed_even_when_recorded() -> None:
    actual = {("loop1", ANNE.interface): have(ANNE, "loop1", membership="static")}
    owned = {("loop1", ANNE.interface): "anne"}
    assert plan({}, actual, owned).changes == (ForgetOwnership("loop1", ANNE.interface),)


def test_a_dynamic_member_the_roster_gives_becomes_the_engines() -> None:
    desired = {("loop1", ANNE.interface): want(ANNE, "loop1")}
    actual = {("loop1", ANNE.interface): have(ANNE, "loop1")}
    assert plan(desired, actual, {}).changes == (RecordOwnership("loop1", ANNE.interface, "anne"),)
    assert plan(desired, actual, {("loop1", ANNE.interface): "anne"}).changes == ()


def test_a_record_of_a_membership_that_is_gone_is_forgotten() -> None:
    owned = {(LOOP3, ANNE.interface): "anne"}
    assert plan({}, {}, owned).changes == (ForgetOwnership(LOOP3, ANNE.interface),)


def test_leave_takes_an_agent_out_of_the_roster_loop_and_every_stale_one() -> None:
    desired = {("loop1", ANNE.interface): want(ANNE, "loop1", logged_in=False)}
    actual = {
        ("loop1", ANNE.interface): have(ANNE, "loop1"),
        (LOOP3, ANNE.interface): have(ANNE, LOOP3),
    }
    owned = {("loop1", ANNE.interface): "anne", (LOOP3, ANNE.interface): "anne"}
    removed = [(c.queue, c.reason) for c in plan(desired, actual, owned).changes
               if isinstance(c, RemoveMember)]  # fmt: skip
    assert removed == [("loop1", "on leave"), (LOOP3, "the roster no longer puts them there")]
