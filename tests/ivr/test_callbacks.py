"""Callback requests: read from Asterisk's AstDB, promised within two working days, sealed."""

import asyncio
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from ivr.callback_store import MemoryCallbackStore, PendingCallbacks, RedisCallbackStore
from ivr.callbacks import (
    CallbackCounts,
    CallbackParseError,
    CallbackRequest,
    CallbackStatus,
    count,
    from_astdb,
)
from ivr.hours import OpeningHours, Span
from routing.sealing import Sealer

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
HOURS = OpeningHours((DAY,) * 5 + ((), ()), OSLO)
MONDAY_10 = int(datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp())


def test_an_astdb_entry_becomes_a_request_due_in_two_working_days() -> None:
    r = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1795.7", HOURS, 2)
    assert (r.ref, r.number, r.loop, r.call_id) == ("482913", "+4790595313", "loop1", "1795.7")
    assert r.due == datetime(2026, 11, 25, 10, 0, tzinfo=OSLO)
    assert r.status is CallbackStatus.OPEN


@pytest.mark.parametrize(
    "value", ["+4790595313|loop1", "+4790595313|loop1|yesterday|1795.7", "a|b|c|d|e"]
)
def test_a_malformed_entry_is_refused_without_quoting_the_number(value: str) -> None:
    with pytest.raises(CallbackParseError) as refused:
        from_astdb("/sb-callback/482913", value, HOURS, 2)
    assert "90595313" not in str(refused.value)
    assert "/sb-callback/482913" in str(refused.value)


def test_ops_count_open_and_overdue_requests() -> None:
    early = from_astdb("/sb-callback/100001", f"+4790000001|loop1|{MONDAY_10}|1.1", HOURS, 2)
    late = from_astdb("/sb-callback/100002", f"+4790000002|loop2|{MONDAY_10 + 86400}|1.2", HOURS, 2)
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=OSLO)
    assert count([early, late], thursday) == CallbackCounts(open=2, overdue=1)


async def test_a_request_is_stored_once_with_the_number_sealed(redis: Redis) -> None:
    store = RedisCallbackStore(redis, Sealer.generated())
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    assert await store.add(request) is True
    assert await store.add(request) is False  # a second import changes nothing
    raw = await redis.hgetall("sb:callback:482913")
    assert b"90595313" not in repr(raw).encode()
    assert await store.get("482913") == request
    assert [r.ref for r in await store.pending()] == ["482913"]


async def test_a_finished_callback_leaves_the_open_list_but_keeps_its_record(
    redis: Redis,
) -> None:
    store = RedisCallbackStore(redis, Sealer.generated())
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await store.add(request)
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    taken = await store.mark("482913", CallbackStatus.TAKEN, "marit.haugen", at)
    assert taken.handled_by == "marit.haugen"
    await store.mark("482913", CallbackStatus.DONE, "marit.haugen", at)
    assert await store.pending() == []
    done = await store.get("482913")
    assert done is not None
    assert done.status is CallbackStatus.DONE
    with pytest.raises(ValueError, match="already done"):
        await store.mark("482913", CallbackStatus.DONE, "marit.haugen", at)


async def test_a_number_sealed_with_another_key_does_not_open(redis: Redis) -> None:
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await RedisCallbackStore(redis, Sealer.generated()).add(request)
    with pytest.raises(Exception, match="does not open"):
        await RedisCallbackStore(redis, Sealer.generated()).get("482913")


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_two_agents_taking_one_callback_at_once_one_gets_it(redis: Redis, kind: str) -> None:
    store = (
        RedisCallbackStore(redis, Sealer.generated()) if kind == "redis" else MemoryCallbackStore()
    )
    request = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    await store.add(request)
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    results = await asyncio.gather(
        *(store.take("482913", agent, at) for agent in ("anne", "bjorn", "cari", "dina"))
    )
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert winners[0].status is CallbackStatus.TAKEN
    stored = await store.get("482913")
    assert stored is not None
    assert stored.handled_by == winners[0].handled_by
    with pytest.raises(KeyError, match="no callback with reference 000000"):
        await store.take("000000", "anne", at)


@pytest.mark.parametrize("kind", ["redis", "memory"])
async def test_only_the_taker_can_hand_a_callback_back(redis: Redis, kind: str) -> None:
    store = (
        RedisCallbackStore(redis, Sealer.generated()) if kind == "redis" else MemoryCallbackStore()
    )
    await store.add(
        from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    )
    at = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert await store.release("482913", "anne") is False  # nobody has it
    await store.take("482913", "anne", at)
    assert await store.release("482913", "bjorn") is False
    assert await store.release("482913", "anne") is True
    back = await store.get("482913")
    assert back is not None
    assert (back.status, back.handled_by, back.handled_at) == (CallbackStatus.OPEN, "", None)
    assert await store.take("482913", "bjorn", at) is not None


async def test_open_requests_are_read_once_a_second_and_kept_when_the_store_fails() -> None:
    reads: list[float] = []
    now = [100.0]

    class CountingStore(MemoryCallbackStore):
        fail = False

        async def pending(self) -> list[CallbackRequest]:
            reads.append(now[0])
            if self.fail:
                raise ConnectionError("redis down")
            return await super().pending()

    store = CountingStore()
    await store.add(
        from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1.7", HOURS, 2)
    )
    pending = PendingCallbacks(store, every_s=1.0, monotonic=lambda: now[0])
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
