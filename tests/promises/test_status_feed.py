"""The IVR's status by reference follows what changed in the store, through either engine,
in a real redis-server: one full read, then only what was written; an open promise turns
overdue when its date passes, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from redis.asyncio import Redis

from switchboard.promises.promise import Promise, close, take
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.promises.status import StatusFeed
from switchboard.promises.store import MemoryPromiseStore, PromiseStore
from tests.promises.test_retention import inquiry

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = datetime(2026, 11, 23, 9, tzinfo=OSLO)


class CountingStore(RedisPromiseStore):
    """An engine's view of the shared store, counting the promises it reads."""

    read = 0

    async def since(self, start: datetime) -> list[Promise]:
        found = await super().since(start)
        self.read += len(found)
        return found

    async def changed_since(self, seq: int) -> tuple[int, list[Promise]]:
        newest, found = await super().changed_since(seq)
        self.read += len(found)
        return newest, found


async def written(store: PromiseStore, n: int) -> list[Promise]:
    out = []
    for i in range(n):
        p = inquiry(f"{10_000_000 + i}", f"m{i}", MONDAY)
        added = await store.add(p)
        assert added is not None
        out.append(added)
    return out


async def test_after_one_full_read_only_what_either_engine_wrote_is_read(redis: Redis) -> None:
    sealer = Sealer.generated()
    leader = CountingStore(redis, sealer)
    other = RedisPromiseStore(redis, sealer)  # the standby engine, where an agent works
    promises = await written(other, 50)
    feed = StatusFeed(leader, OSLO, keep=timedelta(days=3650))
    entries = await feed.entries(MONDAY, 0.0)
    assert len(entries) == 50
    assert entries["10000000"] == "open|2511"
    assert leader.read == 50
    await feed.entries(MONDAY, 2.0)
    assert leader.read == 50  # nothing written: nothing read

    taken = await other.swap(promises[7], take(promises[7], "anne", MONDAY))
    assert taken is not None
    assert await other.swap(taken, close(taken, "anne", MONDAY, "answered"))
    entries = await feed.entries(MONDAY, 4.0)
    assert entries["10000007"] == "done|"
    assert leader.read == 51  # that one promise, once
    assert feed.full_reads == 1

    feed.start_over()  # taking over from the other engine: everything once more
    await feed.entries(MONDAY, 6.0)
    assert (leader.read, feed.full_reads) == (101, 2)


async def test_an_open_promise_turns_overdue_when_its_date_passes() -> None:
    store = MemoryPromiseStore()
    (p,) = await written(store, 1)
    feed = StatusFeed(store, OSLO, keep=timedelta(days=3650))
    assert (await feed.entries(MONDAY, 0.0))[p.ref] == "open|2511"
    later = p.due + timedelta(minutes=1)
    assert (await feed.entries(later.astimezone(UTC), 2.0))[p.ref] == "overdue|2511"


async def test_a_purged_promise_leaves_the_ivr_at_the_hourly_full_read() -> None:
    store = MemoryPromiseStore()
    (p,) = await written(store, 1)
    feed = StatusFeed(store, OSLO, keep=timedelta(days=3650), full_every_s=3600)
    assert p.ref in await feed.entries(MONDAY, 0.0)
    del store.promises[p.ref]  # gone by retention
    assert p.ref in await feed.entries(MONDAY, 60.0)
    assert p.ref not in await feed.entries(MONDAY, 3600.0)
