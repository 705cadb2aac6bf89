"""The leader lease on a real redis-server: one engine acts, a dead one is replaced."""

from __future__ import annotations

import asyncio
import logging

import pytest
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from switchboard.cluster.lease import KEY, LeaderLease


async def test_only_one_of_two_engines_holds_the_lease(redis: Redis) -> None:
    a, b = LeaderLease(redis, "a", 1.0), LeaderLease(redis, "b", 1.0)
    assert await a.try_once() is True
    assert await b.try_once() is False
    assert a.is_leader()
    assert not b.is_leader()
    assert await a.try_once() is True  # renewing keeps it


async def test_a_holder_that_stops_renewing_is_replaced_after_the_ttl(redis: Redis) -> None:
    a, b = LeaderLease(redis, "a", 0.5), LeaderLease(redis, "b", 0.5)
    await a.try_once()
    await asyncio.sleep(0.6)  # a died: no renewal
    assert a.is_leader() is False  # and it would not act on its own either
    assert await b.try_once() is True


async def test_an_expired_holder_cannot_take_the_lease_back_by_renewing(redis: Redis) -> None:
    a, b = LeaderLease(redis, "a", 0.3), LeaderLease(redis, "b", 0.3)
    await a.try_once()
    await asyncio.sleep(0.4)
    await b.try_once()
    assert await a.try_once() is False  # compare-and-set: the key is b's now
    assert await redis.get(KEY) == b"b"


async def test_the_holder_stops_acting_before_its_key_can_expire(redis: Redis) -> None:
    now = [0.0]
    a = LeaderLease(redis, "a", 10.0, monotonic=lambda: now[0])
    await a.try_once()
    now[0] = 7.9
    assert a.is_leader()
    now[0] = 8.0  # 80 % of the ttl: trust ends while the key still blocks everyone else
    assert not a.is_leader()


async def test_losing_and_gaining_the_lease_is_reported(redis: Redis) -> None:
    seen: list[bool] = []
    a = LeaderLease(redis, "a", 1.0, on_change=seen.append)
    await a.try_once()
    await a.release()
    assert seen == [True, False]
    assert await redis.get(KEY) is None


async def test_a_lapse_between_renewals_counts_as_taking_the_lease_again(redis: Redis) -> None:
    # Redis slow or away past 80 % of the ttl: the holder stopped acting (and skipped what
    # fell due meanwhile); renewing afterwards must make the engine decide again.
    now = [0.0]
    seen: list[bool] = []
    a = LeaderLease(redis, "a", 10.0, on_change=seen.append, monotonic=lambda: now[0])
    await a.try_once()
    now[0] = 9.0
    assert not a.is_leader()
    assert await a.try_once() is True
    assert seen == [True, True]
    now[0] = 12.0
    await a.try_once()  # an ordinary renewal: nothing to report
    assert seen == [True, True]


async def test_an_outage_is_logged_when_it_starts_and_once_when_it_ends(
    redis: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    # The attack run: a 22 s outage gave a line per second per engine.
    caplog.set_level(logging.INFO, "switchboard.lease")
    now = [0.0]
    dead = Redis(unix_socket_path="/nonexistent/redis.sock", retry=Retry(NoBackoff(), 0))
    a = LeaderLease(dead, "a", 3.0, monotonic=lambda: now[0])
    for _ in range(22):
        await a.try_once()
        now[0] += 1.0
    a.redis = redis
    await a.try_once()
    await a.try_once()
    await dead.aclose()
    lines = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
    assert len(lines) == 2, lines
    assert lines[0].startswith("Redis unreachable (")
    assert lines[0].endswith("no engine acts from 2.4 s after the last renewal until it is back")
    assert lines[1] == "Redis back after 22.0 s (22 failed attempts meanwhile)"
