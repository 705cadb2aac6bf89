"""Outages: boundaries passed while Asterisk was away are corrected within a second of it
taking logins again, and an action a stalled Asterisk carries out late is undone."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.policy import PauseReason
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


def now() -> datetime:
    return datetime.now(UTC)


def soon(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def engine(
    sim: AmiServer, presence: InMemoryPresence, **ami: float
) -> AsyncIterator[AmiClient]:
    router = Router(ROSTER, presence, now)
    # Production backoff (0.5 s doubling to 30 s): only the fast retry makes this quick.
    settings = settings_for(sim, backoff_initial_s=0.5, backoff_max_s=30.0, **ami)
    client = AmiClient(settings, router.on_event, router.on_connected)
    async with running(router, client):
        yield client


def anne(sim: AmiServer):  # type: ignore[no-untyped-def]
    return sim.pbx.queues["loop1"].members.get(ANNE.interface)


async def restart(sim: AmiServer, down_s: float, *, boot_s: float = 0.0) -> float:
    """Asterisk goes away (port closed) and comes back; returns when it booted fully."""
    port = sim.port
    await sim.close()  # persistentmembers: the members come back with it
    await asyncio.sleep(down_s)
    sim.booted = boot_s == 0
    await sim.start(port=port)
    if boot_s:
        await asyncio.sleep(boot_s)  # logins taken, app_queue still loading
        sim.finish_boot()
    return time.monotonic()


async def test_a_meeting_that_began_during_an_outage_pauses_within_a_second_of_the_return() -> None:
    presence = InMemoryPresence({"anne": [BusyInterval(soon(1.0), soon(60))]})
    async with simulator() as sim, engine(sim, presence) as client:
        await eventually(lambda: anne(sim) is not None and client.connected.is_set())
        assert not anne(sim).paused
        back = await restart(sim, down_s=4.0)  # the meeting starts while Asterisk is away
        await eventually(lambda: anne(sim).paused, within=5)
        assert time.monotonic() - back < 1.0
        assert anne(sim).paused_reason == PauseReason.MEETING.wire


async def test_the_engine_waits_for_fully_booted_before_reading_queues() -> None:
    presence = InMemoryPresence({"anne": [BusyInterval(soon(1.0), soon(60))]})
    async with simulator() as sim, engine(sim, presence) as client:
        await eventually(lambda: anne(sim) is not None and client.connected.is_set())
        booted = await restart(sim, down_s=2.0, boot_s=1.0)
        await eventually(lambda: anne(sim).paused, within=5)
        assert time.monotonic() - booted < 1.0
        refused = [a for a in sim.actions_received if a.get("Action") == "QueueStatus"]
        assert len(refused) == 2  # once at the start, once after FullyBooted: none too early


async def test_a_closed_port_is_retried_fast_but_not_in_a_tight_loop() -> None:
    async with simulator() as sim, engine(sim, InMemoryPresence()) as client:
        await eventually(client.connected.is_set)
        before = client.reconnects
        await restart(sim, down_s=2.0)
        await eventually(client.connected.is_set, within=3)
        assert 4 <= client.reconnects - before <= 12  # about four a second


async def test_a_pause_a_stalled_asterisk_carries_out_late_is_undone_by_the_next_snapshot() -> None:
    start, end = soon(0.8), soon(1.6)
    presence = InMemoryPresence({"anne": [BusyInterval(start, end)]})
    async with (
        simulator() as sim,
        engine(sim, presence, action_timeout_s=0.3, ping_interval_s=10) as client,
    ):
        await eventually(lambda: anne(sim) is not None and client.connected.is_set())
        # Stalled after the first round (logins and their ownership records), not within it.
        await eventually(lambda: sum(k.startswith("/sb-member/") for k in sim.pbx.astdb) == 3)
        await asyncio.sleep(0.05)
        sim.stall()  # SIGSTOP across the meeting's start and end
        await eventually(lambda: now() > end + timedelta(seconds=0.5), within=5)
        assert not anne(sim).paused
        sim.resume()  # the pause the engine gave up on is carried out now, late

        def pauses() -> list[str]:
            return [a["Paused"] for a in sim.actions_received if a.get("Action") == "QueuePause"]

        # Carried out in that order: the late pause, then the engine's correction.
        await eventually(lambda: pauses() == ["true", "false"], within=3)
        await eventually(lambda: not anne(sim).paused)
