"""Heads-up before a meeting: a loop may stop offering new calls N minutes before a
member's meeting (off by default), decided by the pure policy and woken by the boundary
index; a call in progress goes on."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from switchboard.ami.client import AmiClient
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.boundaries import MeetingCache, moments
from switchboard.routing.policy import (
    ManualStatus,
    PauseReason,
    back_early_until,
    desired_members,
    next_decision_time,
)
from switchboard.routing.router import Router
from switchboard.screen.board import Presence, board
from tests.routing.builders import ANNE, CARI, ROSTER, at, meeting, minutes
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")
BUSY = {"anne": (meeting("11:00", "12:00"),), "cari": (meeting("11:00", "12:00"),)}
LEADS = {"loop1": minutes(5)}  # loop2 has no heads-up


def anne_in(queue: str, now: datetime, **kw: object):  # type: ignore[no-untyped-def]
    desired = desired_members(ROSTER, {}, BUSY, now, leads=LEADS, **kw)  # type: ignore[arg-type]
    return desired[(queue, ANNE.interface)]


def test_no_heads_up_by_default_and_none_before_the_lead() -> None:
    assert desired_members(ROSTER, {}, BUSY, at("10:58"))[("loop1", ANNE.interface)].pause is None
    assert anne_in("loop1", at("10:54")).pause is None


def test_within_the_lead_the_loop_stops_offering_calls_until_the_meeting_starts() -> None:
    for cache in (None, MeetingCache()):
        member = anne_in("loop1", at("10:55"), meetings=cache)
        assert member.pause is PauseReason.HEADS_UP
        assert member.until == at("11:00")  # the board says "meeting at 11:00"
        assert anne_in("loop1", at("11:00"), meetings=cache).pause is PauseReason.MEETING
    # A loop without a heads-up keeps offering calls to the same kind of member.
    desired = desired_members(ROSTER, {}, BUSY, at("10:58"), leads=LEADS)
    assert desired[("loop2", CARI.interface)].pause is None


def test_the_persons_own_word_wins_over_the_heads_up() -> None:
    lunch = desired_members(ROSTER, {"anne": ManualStatus.LUNCH}, BUSY, at("10:57"), leads=LEADS)
    assert lunch[("loop1", ANNE.interface)].pause is PauseReason.LUNCH
    # Unpaused by hand in the heads-up: left available until the meeting itself starts.
    until = back_early_until("anne", PauseReason.HEADS_UP.wire, False, "phone", BUSY, at("10:57"))
    assert until == at("11:00")
    assert anne_in("loop1", at("10:57"), back_early={"anne": until}).pause is None
    assert anne_in("loop1", at("11:00"), back_early={"anne": until}).pause is PauseReason.MEETING


def test_the_boundary_index_wakes_at_start_minus_the_lead() -> None:
    spans = BUSY["anne"]
    assert at("10:55") in moments(spans, {minutes(5)})
    assert next_decision_time(BUSY, at("10:00"), [minutes(5)]) == at("10:55")
    assert next_decision_time(BUSY, at("10:55")) == at("11:00")


def test_the_board_shows_the_next_meeting_with_or_without_a_heads_up() -> None:
    from dataclasses import replace

    from tests.routing.test_overflow import member, state_with

    state = state_with("loop1", [], joined_at=0)
    state.loop("loop1").members = {
        ANNE.interface: replace(member("loop1"), interface=ANNE.interface)
    }
    now = at("10:30")
    (row,) = board(ROSTER, state, {}, BUSY, now, OSLO, agents=[ROSTER.agents["anne"]])
    assert (row.presence, row.detail) == (Presence.FREE, "meeting at 12:00")  # Oslo = UTC+1
    paused = replace(
        member("loop1", paused=True), interface=ANNE.interface, paused_reason="switchboard:heads-up"
    )
    state.loop("loop1").members = {ANNE.interface: paused}
    (row,) = board(ROSTER, state, {}, BUSY, at("10:57"), OSLO, agents=[ROSTER.agents["anne"]])
    assert (row.presence, row.detail) == (Presence.HEADS_UP, "meeting at 12:00")


async def test_on_the_simulator_the_heads_up_pauses_before_the_meeting_and_spares_the_call() -> (
    None
):
    def soon(seconds: float) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=seconds)

    async with simulator(ring_s=0.1) as sim:
        start = soon(3.0)
        presence = InMemoryPresence({"anne": [BusyInterval(start, start + timedelta(seconds=1))]})
        router = Router(
            ROSTER, presence, lambda: datetime.now(UTC), leads={"loop1": timedelta(seconds=1.5)}
        )
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        pbx = sim.pbx
        async with running(router, client):
            await eventually(lambda: "PJSIP/201" in pbx.queues["loop1"].members)
            caller = pbx.new_caller("4790000001", "Kari")
            # Answered at once, talking 2.5 s: across the heads-up (at start - 1.5 s).
            call = asyncio.create_task(
                pbx.queue_call(caller, "loop1", "s", patience_s=10, talk_s=2.5)
            )
            anne = pbx.queues["loop1"].members["PJSIP/201"]
            await eventually(lambda: anne.paused, within=5)
            heads_up_at = datetime.now(UTC)
            assert anne.paused_reason == "switchboard:heads-up"
            assert start - heads_up_at < timedelta(seconds=1.6)  # woken at start - lead
            assert not call.done()  # the call in progress goes on
            assert await call == "answered"
            await eventually(lambda: anne.paused_reason == "switchboard:meeting", within=5)
            assert datetime.now(UTC) >= start
            await eventually(lambda: not anne.paused, within=5)
