"""The one promise store (callbacks and inquiries alike): stored once, sealed, changed by
compare-and-set so that two agents never both win."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from switchboard.ivr.hours import OpeningHours, Span
from switchboard.promises.callbacks import from_astdb
from switchboard.promises.keeper import PromiseKeeper
from switchboard.promises.promise import Promise, PromiseError, PromiseStatus
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.promises.store import MemoryPromiseStore, PendingPromises

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
HOURS = OpeningHours((DAY,) * 5 + ((), ()), OSLO)
MONDAY_10 = int(datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp())


async def test_a_request_is_stored_once_with_the_number_sealed(redis: Redis) -> None:
    store = RedisPromiseStore(redis, Sealer.generated())
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    assert await store.add(request) == replace(request, version=1)
    assert await store.add(request) is None  # a second import changes nothing
    raw = await redis.hgetall("sb:promise:482913")
    assert b"90595313" not in repr(raw).encode()
    assert await store.get("482913") == replace(request, version=1)
    assert [r.ref for r in await store.pending()] == ["482913"]


async def test_a_finished_callback_leaves_the_open_list_but_keeps_its_record(
    redis: Redis,
) -> None:
    store = RedisPromiseStore(redis, Sealer.generated())
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await store.add(request)
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    desk = PromiseKeeper(store, HOURS, lambda: at)
    taken = await desk.take("482913", "marit.haugen")
    assert taken.handled_by == "marit.haugen"
    await desk.close("482913", "marit.haugen")
    assert await store.pending() == []
    done = await store.get("482913")
    assert done is not None
    assert done.status is PromiseStatus.DONE
    assert [s.action for s in done.steps] == ["registered", "taken", "done"]
    with pytest.raises(PromiseError, match="already done"):
        await desk.close("482913", "marit.haugen")


async def test_a_number_sealed_with_another_key_does_not_open(redis: Redis) -> None:
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await RedisPromiseStore(redis, Sealer.generated()).add(request)
    with pytest.raises(Exception, match="does not open"):
        await RedisPromiseStore(redis, Sealer.generated()).get("482913")


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_two_agents_taking_one_callback_at_once_one_gets_it(redis: Redis, kind: str) -> None:
    store = (
        RedisPromiseStore(redis, Sealer.generated()) if kind == "redis" else MemoryPromiseStore()
    )
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await store.add(request)
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    desk = PromiseKeeper(store, HOURS, lambda: at)
    results = await asyncio.gather(
        *(desk.take("482913", agent) for agent in ("anne", "bjorn", "cari", "dina")),
        return_exceptions=True,
    )
    winners = [r for r in results if isinstance(r, Promise)]
    assert all(isinstance(r, PromiseError) for r in results if r not in winners)
    assert len(winners) == 1
    assert winners[0].status is PromiseStatus.TAKEN
    stored = await store.get("482913")
    assert stored is not None
    assert stored.handled_by == winners[0].handled_by
    with pytest.raises(PromiseError, match="no promise with reference 000000"):
        await desk.take("000000", "anne")


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_only_the_taker_can_hand_a_callback_back(redis: Redis, kind: str) -> None:
    store = (
        RedisPromiseStore(redis, Sealer.generated()) if kind == "redis" else MemoryPromiseStore()
    )
    await store.add(
        from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    )
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    desk = PromiseKeeper(store, HOURS, lambda: at)
    with pytest.raises(PromiseError, match="only the one who took it"):
        await desk.release("482913", "anne")  # nobody has it
    await desk.take("482913", "anne")
    with pytest.raises(PromiseError, match="only the one who took it"):
        await desk.release("482913", "bjorn")
    await desk.release("482913", "anne")
    back = await store.get("482913")
    assert back is not None
    assert (back.status, back.handled_by, back.handled_at) == (PromiseStatus.OPEN, "", None)
    assert (await desk.take("482913", "bjorn")).handled_by == "bjorn"


async def test_open_requests_are_read_once_a_second_and_kept_when_the_store_fails() -> None:
    reads: list[float] = []
    now = [100.0]

    class CountingStore(MemoryPromiseStore):
        fail = False

        async def pending(self) -> list[Promise]:
            reads.append(now[0])
            if self.fail:
                raise ConnectionError("redis down")
            return await super().pending()

    store = CountingStore()
    await store.add(
        from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    )
    pending = PendingPromises(store, every_s=1.0, monotonic=lambda: now[0])
    assert pending.requests is None
    for _ in range(5):  # five screens and a scrape within the same second
        await pending.refresh()
    assert len(reads) == 1
    await pending.refresh(force=True)  # after an agent's own change
    assert len(reads) == 2
    now[0] += 1.0
    store.fail = True
    await pending.refresh()
    assert len(reads) == 3
    assert pending.requests is not None
    assert [r.ref for r in pending.requests] == ["482913"]  # the last list stands
