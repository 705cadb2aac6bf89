"""An engine that cannot act sleeps: a standby engine, or one whose Asterisk is away.

Boundaries that pass meanwhile stay due until a pass consumes them; the router used to wake
for them at once, again and again, and burned a whole core (seen on an orphaned engine and
on the standby of the failover test)."""

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


class CountingClock:
    def __init__(self) -> None:
        self.reads = 0

    def __call__(self) -> datetime:
        self.reads += 1
        return datetime.now(UTC)


def a_meeting_that_began(presence: InMemoryPresence) -> None:
    now = datetime.now(UTC)
    presence.add("anne", BusyInterval(now - timedelta(seconds=1), now + timedelta(minutes=5)))


def anne_paused(sim: AmiServer) -> bool:
    member = sim.pbx.queues["loop1"].members.get(ANNE.interface)
    return member is not None and member.paused


async def reads_in(clock: CountingClock, seconds: float) -> int:
    before = clock.reads
    await asyncio.sleep(seconds)
    return clock.reads - before


async def test_a_standby_engine_sleeps_through_a_meeting_start_it_may_not_act_on() -> None:
    presence, clock = InMemoryPresence(), CountingClock()
    a_meeting_that_began(presence)
    leader = False
    may_act: Callable[[], bool] = lambda: leader  # noqa: E731
    async with simulator() as sim:
        router = Router(ROSTER, presence, clock, may_act=may_act)
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        async with running(router, client):
            await eventually(lambda: client.connected.is_set())
            assert await reads_in(clock, 0.5) < 20
            assert not sim.pbx.queues["loop1"].members.get(ANNE.interface)
            leader = True
            router.became_leader()  # the lease tells it so
            await eventually(lambda: anne_paused(sim))


async def test_an_engine_whose_asterisk_is_away_sleeps_until_it_is_back() -> None:
    presence, clock = InMemoryPresence(), CountingClock()
    a_meeting_that_began(presence)
    async with simulator() as sim:
        port = sim.port
    router = Router(ROSTER, presence, clock)
    client = AmiClient(settings_for(sim, port=port), router.on_event, router.on_connected)
    async with running(router, client):
        assert await reads_in(clock, 0.5) < 20
