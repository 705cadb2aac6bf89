"""Promises in Redis (AOF persistence): one hash per promise, personal fields sealed.

Keys: `sb:promise:<ref>` (hash), `sb:promises:open` (sorted set, score = due epoch),
`sb:promises:all` (sorted set, score = registration epoch: reports and retention),
`sb:promises:done` (sorted set, score = epoch it was done: retention reads only these),
`sb:promises:member:<member id>` and `sb:promises:caller:<keyed hash of the number>`
(sets of refs: a caller's history without the number in clear), `sb:promises:changed`
(sorted set, score = the write's number from `sb:promises:seq`: what changed since a
reader last looked, whichever engine wrote it). Adding and every change are one Lua script
each, so a promise is stored whole or not at all.

Retention: the leading engine's pass (`purge`) deletes a done promise `keep_days` after
it was done, with every index entry. Redis enforces it too: a done promise's hash expires
`EXPIRY_GRACE` after that, so nothing personal outlives the retention by more than a week
even when no engine runs; index entries left by such an expiry are dropped when read.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from switchboard.promises import codec
from switchboard.promises.promise import Promise, PromiseStatus
from switchboard.promises.sealing import Sealer
from switchboard.promises.store import caller_key

PREFIX = "sb:promise:"
OPEN_SET = "sb:promises:open"
ALL_SET = "sb:promises:all"
DONE_SET = "sb:promises:done"
EXPIRY_GRACE = timedelta(days=7)  # the pass deletes first; Redis's own expiry is the net
MEMBER_INDEX = "sb:promises:member:"
SEALED_FIELDS = ("number", "outcome", "note", "steps")  # what `switchboard re-key` re-seals
CALLER_INDEX = "sb:promises:caller:"
CHANGED_SET = "sb:promises:changed"
SEQ = "sb:promises:seq"

# KEYS: hash, open set, all set, member index ("" = none), caller index ("" = none),
# changed set, seq. ARGV: ref, due score, requested score, field pairs...
_ADD = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 4))
redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
if KEYS[4] ~= '' then redis.call('sadd', KEYS[4], ARGV[1]) end
if KEYS[5] ~= '' then redis.call('sadd', KEYS[5], ARGV[1]) end
redis.call('zadd', KEYS[6], redis.call('incr', KEYS[7]), ARGV[1])
return 1
"""

# KEYS: hash, open set, done set, changed set, seq.
# ARGV: ref, expected version, done (1/0), due score, done score, expire in (ms), fields...
_SWAP = """
local version = redis.call('hget', KEYS[1], 'version')
if not version then return -1 end
if version ~= ARGV[2] then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 7))
if ARGV[3] == '1' then
  redis.call('zrem', KEYS[2], ARGV[1])
  redis.call('zadd', KEYS[3], ARGV[5], ARGV[1])
  redis.call('pexpire', KEYS[1], ARGV[6])
else
  redis.call('zadd', KEYS[2], ARGV[4], ARGV[1])
end
redis.call('zadd', KEYS[4], redis.call('incr', KEYS[5]), ARGV[1])
return 1
"""


def _str(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _text(h: Mapping[Any, Any]) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in h.items()}


class RedisPromiseStore:
    def __init__(self, redis: Redis, sealer: Sealer, keep_days: int = 400) -> None:
        self.redis = redis
        self.sealer = sealer
        self.keep = timedelta(days=keep_days)  # promises.keep_days
        self._dated = False  # done promises of an older version have their expiry set

    def _expires_in_ms(self, done_at: datetime) -> int:
        """How long Redis keeps a done promise, counted on the engine's clock: a TTL, not a
        moment, so a Redis host whose clock is off neither cuts retention short nor stretches
        it (0 or less: the promise is already past it, and Redis deletes it at once)."""
        expires_at = (done_at + self.keep + EXPIRY_GRACE).timestamp()
        return int((expires_at - time.time()) * 1000)

    def _caller_index(self, number: str) -> str:
        key = caller_key(number) if number else ""
        return CALLER_INDEX + self.sealer.tag(key) if key else ""

    async def add(self, promise: Promise) -> Promise | None:
        stored = replace(promise, version=1)
        flat = [x for pair in codec.fields(stored, self.sealer).items() for x in pair]
        added = await self.redis.eval(
            _ADD,
            7,
            PREFIX + promise.ref,
            OPEN_SET,
            ALL_SET,
            MEMBER_INDEX + promise.member_id if promise.member_id else "",
            self._caller_index(promise.number),
            CHANGED_SET,
            SEQ,
            promise.ref,
            codec.ts(promise.due),
            codec.ts(promise.requested_at),
            *flat,
        )
        return stored if added else None

    async def get(self, ref: str) -> Promise | None:
        h = await self.redis.hgetall(PREFIX + ref)
        return codec.promise(_text(h), self.sealer) if h else None

    async def _many(self, refs: Iterable[object]) -> list[Promise]:
        async with self.redis.pipeline(transaction=False) as pipe:
            for ref in refs:
                pipe.hgetall(PREFIX + _str(ref))
            found = await pipe.execute()  # one round trip, however many
        return [codec.promise(_text(h), self.sealer) for h in found if h]

    async def pending(self) -> list[Promise]:
        return await self._many(await self.redis.zrange(OPEN_SET, 0, -1))

    async def swap(self, before: Promise, after: Promise) -> Promise | None:
        stored = replace(after, version=before.version + 1)
        flat = [x for pair in codec.fields(stored, self.sealer).items() for x in pair]
        is_done = after.status is PromiseStatus.DONE
        done_at = after.handled_at or after.due
        result = await self.redis.eval(
            _SWAP,
            5,
            PREFIX + before.ref,
            OPEN_SET,
            DONE_SET,
            CHANGED_SET,
            SEQ,
            before.ref,
            str(before.version),
            "1" if is_done else "0",
            codec.ts(after.due),
            codec.ts(done_at),
            str(self._expires_in_ms(done_at)),
            *flat,
        )
        if result == -1:
            raise KeyError(f"no promise with reference {before.ref}")
        return stored if result == 1 else None

    async def history(self, member_ids: Iterable[str], number: str) -> list[Promise]:
        keys = [MEMBER_INDEX + m for m in member_ids if m]
        if caller := self._caller_index(number):
            keys.append(caller)
        if not keys:
            return []
        refs = sorted(_str(r) for r in await self.redis.sunion(keys))
        found = await self._many(refs)
        if gone := set(refs) - {p.ref for p in found}:  # expired by Redis: drop the entries
            async with self.redis.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.srem(key, *gone)
                pipe.zrem(ALL_SET, *gone)
                pipe.zrem(DONE_SET, *gone)
                await pipe.execute()
        return sorted(found, key=lambda p: p.requested_at, reverse=True)

    async def changed_since(self, seq: int) -> tuple[int, list[Promise]]:
        """(the newest write's number, the promises written after `seq`): what changed,
        through either engine, read in one round trip for the refs and one for the records."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.get(SEQ)
            pipe.zrangebyscore(CHANGED_SET, f"({seq}", "+inf")
            newest, refs = await pipe.execute()
        return int(newest or 0), await self._many(refs)

    async def since(self, start: datetime) -> list[Promise]:
        return await self._many(await self.redis.zrangebyscore(ALL_SET, start.timestamp(), "+inf"))

    async def _date_older_ones(self) -> None:
        """Done promises stored before `sb:promises:done` existed: listed and given their
        expiry, once per process (the only pass that reads every promise)."""
        for p in await self._many(await self.redis.zrange(ALL_SET, 0, -1)):
            if p.status is not PromiseStatus.DONE or not p.handled_at:
                continue
            if await self.redis.zscore(DONE_SET, p.ref) is None:
                await self.redis.zadd(DONE_SET, {p.ref: p.handled_at.timestamp()})
                await self.redis.pexpire(PREFIX + p.ref, self._expires_in_ms(p.handled_at))
        self._dated = True

    async def purge(self, done_before: datetime) -> int:
        """Delete promises done before `done_before`, reading only those (`sb:promises:done`)."""
        if not self._dated:
            await self._date_older_ones()
        refs = [
            _str(r)
            for r in await self.redis.zrangebyscore(DONE_SET, "-inf", f"({done_before.timestamp()}")
        ]
        found = {p.ref: p for p in await self._many(refs)}
        gone = 0
        for ref in refs:
            p = found.get(ref)
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(PREFIX + ref)
                pipe.zrem(ALL_SET, ref)
                pipe.zrem(OPEN_SET, ref)
                pipe.zrem(DONE_SET, ref)
                pipe.zrem(CHANGED_SET, ref)  # (a full read, hourly, forgets its status)
                if p is None:  # Redis expired it already; history() drops its index entries
                    await pipe.execute()
                    continue
                if p.member_id:
                    pipe.srem(MEMBER_INDEX + p.member_id, p.ref)
                if caller := self._caller_index(p.number):
                    pipe.srem(caller, p.ref)
                await pipe.execute()
            gone += 1
        return gone
