"""Done callbacks and inquiries do not stay in Redis forever (promises.keep_days), in a
real redis-server: the pass deletes them with every index entry, and Redis's own expiry
is the net when no engine runs the pass."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from switchboard.promises.promise import (
    Promise,
    PromiseKind,
    PromiseStatus,
    close,
    registered,
    take,
)
from switchboard.promises.redis_store import ALL_SET, DONE_SET, EXPIRY_GRACE, RedisPromiseStore
from switchboard.promises.sealing import Sealer

KEEP_DAYS = 30


def inquiry(ref: str, member: str, at: datetime) -> Promise:
    p = Promise(ref, "+4790595313", "loop1", at, at + timedelta(days=2))
    return registered(replace(p, kind=PromiseKind.INQUIRY, topic="invoice", member_id=member))


async def done(store: RedisPromiseStore, p: Promise, at: datetime) -> Promise:
    assert await store.add(p)
    stored = await store.get(p.ref)
    assert stored is not None
    taken = await store.swap(stored, take(stored, "anne", at))
    assert taken is not None
    closed = await store.swap(taken, close(taken, "anne", at, "answered"))
    assert closed is not None
    return closed


async def test_a_done_promise_gets_an_expiry_and_an_open_one_none(redis: Redis) -> None:
    store = RedisPromiseStore(redis, Sealer.generated(), keep_days=KEEP_DAYS)
    now = datetime.now(UTC)
    await done(store, inquiry("10000009", "m1", now), now)
    assert await store.add(inquiry("10000017", "m1", now))

    expires_in = await redis.pttl("sb:promise:10000009") / 1000
    wanted = (timedelta(days=KEEP_DAYS) + EXPIRY_GRACE).total_seconds()
    assert wanted - 60 < expires_in <= wanted
    assert await redis.pttl("sb:promise:10000017") == -1  # open: kept until done
    assert await redis.zscore(DONE_SET, "10000009") is not None
    assert await redis.zscore(DONE_SET, "10000017") is None


async def test_the_pass_deletes_done_promises_past_retention_with_their_index_entries(
    redis: Redis,
) -> None:
    store = RedisPromiseStore(redis, Sealer.generated(), keep_days=KEEP_DAYS)
    now = datetime.now(UTC)
    old = now - timedelta(days=KEEP_DAYS + 1)
    await done(store, inquiry("10000009", "m1", old), old)  # past retention
    await done(store, inquiry("10000017", "m1", now), now)  # done today
    assert await store.add(inquiry("10000025", "m1", old))  # open, however old

    assert await store.purge(now - timedelta(days=KEEP_DAYS)) == 1

    assert await store.get("10000009") is None
    assert [p.ref for p in await store.history(["m1"], "+4790595313")] == [
        "10000017",
        "10000025",
    ]
    for key in (ALL_SET, DONE_SET):
        assert await redis.zscore(key, "10000009") is None
    assert b"10000009" not in await redis.smembers("sb:promises:member:m1")
    callers = [k async for k in redis.scan_iter(match="sb:promises:caller:*")]
    assert callers
    for key in callers:
        assert not await redis.sismember(key, "10000009")
    assert [p.ref for p in await store.pending()] == ["10000025"]


async def test_a_promise_redis_expired_leaves_no_dangling_entries(redis: Redis) -> None:
    store = RedisPromiseStore(redis, Sealer.generated(), keep_days=KEEP_DAYS)
    now = datetime.now(UTC)
    await done(store, inquiry("10000009", "m1", now), now)
    await redis.pexpire("sb:promise:10000009", 1)  # as if its expiry had come
    await asyncio.sleep(0.01)

    assert await store.history(["m1"], "+4790595313") == []
    assert await redis.smembers("sb:promises:member:m1") == set()
    assert await redis.zscore(ALL_SET, "10000009") is None


async def test_done_promises_stored_by_an_older_version_get_their_expiry_at_the_first_pass(
    redis: Redis,
) -> None:
    store = RedisPromiseStore(redis, Sealer.generated(), keep_days=KEEP_DAYS)
    now = datetime.now(UTC)
    await done(store, inquiry("10000009", "m1", now), now)
    await redis.persist("sb:promise:10000009")  # what the older version left: no expiry,
    await redis.zrem(DONE_SET, "10000009")  # no done list

    assert await store.purge(now - timedelta(days=KEEP_DAYS)) == 0

    assert await redis.pttl("sb:promise:10000009") > 0
    assert await redis.zscore(DONE_SET, "10000009") == now.timestamp()
    p = await store.get("10000009")
    assert p is not None
    assert p.status is PromiseStatus.DONE
