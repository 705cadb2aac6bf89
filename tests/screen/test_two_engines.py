"""A status set on the standby engine's screen is carried out by the acting engine."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from redis.asyncio import Redis

from switchboard.cluster.lease import LeaderLease
from switchboard.cluster.manual_store import RedisManualStore
from switchboard.config import Settings, parse_config
from switchboard.engine import Engine
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.policy import ManualStatus
from switchboard.screen.directory import SqliteDirectory
from tests.support.screen import CONFIG
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


@contextlib.asynccontextmanager
async def two_engines(
    settings: Settings, sim: AmiServer, redis: Redis
) -> AsyncIterator[list[Engine]]:
    """Two engines on one simulated PBX, sharing Redis: one acts, one stands by."""
    engines = [
        Engine(
            settings,
            settings_for(sim),
            InMemoryPresence(),
            lease=LeaderLease(redis, name, 2.0),
            directory=SqliteDirectory(":memory:", key=b"k"),
            manual_store=RedisManualStore(redis),
        )
        for name in ("a", "b")
    ]
    tasks = [asyncio.create_task(e.run()) for e in engines]
    try:
        yield engines
    finally:
        for engine in engines:
            engine.stop()
        await asyncio.gather(*tasks, return_exceptions=True)


async def test_lunch_set_on_the_standby_is_sent_by_the_leader(redis: Redis) -> None:
    settings = parse_config(CONFIG, "two.yaml")
    async with simulator(ring_s=0.1) as sim, two_engines(settings, sim, redis) as engines:
        await eventually(lambda: sum(e.is_leader() for e in engines) == 1, 10)
        await eventually(lambda: "PJSIP/202" in sim.pbx.queues["loop2"].members, 10)
        standby = next(e for e in engines if not e.is_leader())
        assert standby.desk is not None
        await standby.desk.set_status("bjorn", "lunch")
        assert await RedisManualStore(redis).load() == {"bjorn": ManualStatus.LUNCH}
        member = sim.pbx.queues["loop2"].members["PJSIP/202"]
        await eventually(lambda: member.paused_reason == "switchboard:lunch", 5)
        assert member.paused


async def test_ring_in_meetings_chosen_on_the_standby_is_followed_by_the_leader(
    redis: Redis,
) -> None:
    text = CONFIG.replace(
        "agents: [bjorn, anne]}", "agents: [bjorn, anne], when_all_in_meetings: ring_opted_in}"
    )
    settings = parse_config(text, "two.yaml")
    async with simulator(ring_s=0.1) as sim, two_engines(settings, sim, redis) as engines:
        await eventually(lambda: sum(e.is_leader() for e in engines) == 1, 10)
        standby = next(e for e in engines if not e.is_leader())
        leader = next(e for e in engines if e.is_leader())
        assert standby.desk is not None
        await standby.desk.set_ring_in_meetings("bjorn", "on")
        assert await RedisManualStore(redis).load_opt_ins() == {"bjorn": True}
        await eventually(lambda: "bjorn" in leader.router.opted_in, 5)
        await standby.desk.set_ring_in_meetings("bjorn", "off")
        await eventually(lambda: "bjorn" not in leader.router.opted_in, 5)
