"""Back early from a meeting: a person's own unpause, or "available" on the screen, wins over
the calendar for the rest of that meeting (simulated PBX over real AMI)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.client import AmiClient
from switchboard.pbxsim import frames
from switchboard.pbxsim.pbx import AGENT, RINGING
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.overrides import BACK_EARLY_FAMILY
from switchboard.routing.policy import ManualStatus, PauseReason
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")


def now() -> datetime:
    return datetime.now(UTC)


def soon(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def engine(sim: AmiServer, presence: InMemoryPresence) -> AsyncIterator[Router]:
    router = Router(ROSTER, presence, now, zone=OSLO)
    client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
    async with running(router, client):
        yield router


def anne(sim: AmiServer):  # type: ignore[no-untyped-def]
    return sim.pbx.queues["loop1"].members.get(ANNE.interface)


def pauses(sim: AmiServer) -> list[str]:
    return [a["Paused"] for a in sim.actions_received if a.get("Action") == "QueuePause"]


async def test_an_unpause_at_the_phone_during_a_meeting_holds_until_the_meeting_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "switchboard.router")
    end = soon(1.0)
    presence = InMemoryPresence({"anne": [BusyInterval(soon(-600), end)]})
    async with simulator() as sim, engine(sim, presence) as router:
        await eventually(lambda: anne(sim) is not None and anne(sim).paused)
        assert anne(sim).paused_reason == PauseReason.MEETING.wire
        sim.pbx.pause_member("loop1", ANNE.interface, False, "")  # the phone's unpause key
        await asyncio.sleep(0.4)
        assert not anne(sim).paused  # not undone
        assert pauses(sim) == []  # added paused; nothing sent since
        assert router.back_early == {"anne": end}
        assert f"back early from a meeting, until {end.astimezone(OSLO):%H:%M %z}" in caplog.text
        assert sim.pbx.astdb[f"/{BACK_EARLY_FAMILY}/anne"] == str(int(end.timestamp()))
        # The next meeting pauses again: the override was for that one meeting only.
        presence.add("anne", BusyInterval(soon(0.9), soon(60)))
        await eventually(lambda: anne(sim).paused, within=3)
        assert router.back_early == {}
        assert f"/{BACK_EARLY_FAMILY}/anne" not in sim.pbx.astdb


async def test_a_ring_reported_late_is_not_an_unpause_and_the_meeting_pause_holds() -> None:
    # manager.c may deliver a QueueMemberStatus published before the engine's pause after
    # that pause's reply: it still says unpaused. Only QueueMemberPause tells of a hand
    # unpause; read otherwise, Anne rang through the rest of her meeting.
    presence = InMemoryPresence({"anne": [BusyInterval(soon(-600), soon(600))]})
    async with simulator() as sim, engine(sim, presence) as router:
        await eventually(lambda: anne(sim) is not None and anne(sim).paused)
        await eventually(lambda: router.state.loops["loop1"].members[ANNE.interface].paused)
        before = replace(anne(sim), paused=False, paused_reason="", status=RINGING)
        sim.pbx._emit(frames.event("QueueMemberStatus", AGENT, before.block()))
        await asyncio.sleep(0.4)
        assert router.back_early == {}
        assert anne(sim).paused
        assert anne(sim).paused_reason == PauseReason.MEETING.wire
        assert f"/{BACK_EARLY_FAMILY}/anne" not in sim.pbx.astdb


async def test_available_on_the_screen_during_a_meeting_unpauses_until_it_ends() -> None:
    presence = InMemoryPresence({"anne": [BusyInterval(soon(-600), soon(600))]})
    async with simulator() as sim, engine(sim, presence) as router:
        await eventually(lambda: anne(sim) is not None and anne(sim).paused)
        router.set_manual_status("anne", ManualStatus.AVAILABLE, by_person=True)
        await eventually(lambda: not anne(sim).paused)
        assert pauses(sim) == ["false"]


async def test_a_status_shared_from_the_store_is_not_taken_as_back_early() -> None:
    presence = InMemoryPresence({"anne": [BusyInterval(soon(-600), soon(600))]})
    async with simulator() as sim, engine(sim, presence) as router:
        await eventually(lambda: anne(sim) is not None and anne(sim).paused)
        router.set_manual_status("anne", ManualStatus.AVAILABLE)
        await asyncio.sleep(0.3)
        assert anne(sim).paused


async def test_a_restarted_engine_keeps_honouring_an_early_return() -> None:
    presence = InMemoryPresence({"anne": [BusyInterval(soon(-600), soon(600))]})
    async with simulator() as sim:
        async with engine(sim, presence) as router:
            await eventually(lambda: anne(sim) is not None and anne(sim).paused)
            sim.pbx.pause_member("loop1", ANNE.interface, False, "")
            await eventually(lambda: f"/{BACK_EARLY_FAMILY}/anne" in sim.pbx.astdb)
        async with engine(sim, presence) as second:
            await eventually(lambda: "anne" in second.back_early)
            await asyncio.sleep(0.3)
            assert not anne(sim).paused
            assert router is not second
