"""Promises in Redis (AOF persistence): one hash per promise, personal fields sealed.

Keys: `sb:promise:<ref>` (hash), `sb:promises:open` (sorted set, score = due epoch),
`sb:promises:all` (sorted set, score = registration epoch: reports and retention),
`sb:promises:member:<member id>` and `sb:promises:caller:<keyed hash of the number>`
(sets of refs: a caller's history without the number in clear). Adding and every change
are one Lua script each, so a promise is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from redis.asyncio import Redis

from promises import codec
from promises.promise import Promise, PromiseStatus
from promises.store import caller_key
from routing.sealing import Sealer

PREFIX = "sb:promise:"
OPEN_SET = "sb:promises:open"
ALL_SET = "sb:promises:all"
MEMBER_INDEX = "sb:promises:member:"
SEALED_FIELDS = ("number", "outcome", "note", "steps")  # what `switchboard re-key` re-seals
CALLER_INDEX = "sb:promises:caller:"

# KEYS: hash, open set, all set, member index ("" = none), caller index ("" = none)
# ARGV: ref, due score, requested score, field pairs...
_ADD = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 4))
redis.call('zadd', KEYS[2], ARGV[2], ARGV[1])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
if KEYS[4] ~= '' then redis.call('sadd', KEYS[4], ARGV[1]) end
if KEYS[5] ~= '' then redis.call('sadd', KEYS[5], ARGV[1]) end
return 1
"""

# KEYS: hash, open set. ARGV: ref, expected version, done (1/0), due score, field pairs...
_SWAP = """
local version = redis.call('hget', KEYS[1], 'version')
if not version then return -1 end
if version ~= ARGV[2] then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 5))
if ARGV[3] == '1' then
  redis.call('zrem', KEYS[2], ARGV[1])
else
  redis.call('zadd', KEYS[2], ARGV[4], ARGV[1])
end
return 1
"""


def _str(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _text(h: Mapping[Any, Any]) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in h.items()}


class RedisPromiseStore:
    def __init__(self, redis: Redis, sealer: Sealer) -> None:
        self.redis = redis
        self.sealer = sealer

    def _caller_index(self, number: str) -> str:
        key = caller_key(number) if number else ""
        return CALLER_INDEX + self.sealer.tag(key) if key else ""

    async def add(self, promise: Promise) -> bool:
        stored = replace(promise, version=1)
        flat = [x for pair in codec.fields(stored, self.sealer).items() for x in pair]
        added = await self.redis.eval(
            _ADD,
            5,
            PREFIX + promise.ref,
            OPEN_SET,
            ALL_SET,
            MEMBER_INDEX + promise.member_id if promise.member_id else "",
            self._caller_index(promise.number),
            promise.ref,
            codec.ts(promise.due),
            codec.ts(promise.requested_at),
            *flat,
        )
        return bool(added)

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
        done = "1" if after.status is PromiseStatus.DONE else "0"
        result = await self.redis.eval(
            _SWAP,
            2,
            PREFIX + before.ref,
            OPEN_SET,
            before.ref,
            str(before.version),
            done,
            codec.ts(after.due),
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
        refs = await self.redis.sunion(keys)
        found = await self._many(sorted(_str(r) for r in refs))
        return sorted(found, key=lambda p: p.requested_at, reverse=True)

    async def since(self, start: datetime) -> list[Promise]:
        return await self._many(await self.redis.zrangebyscore(ALL_SET, start.timestamp(), "+inf"))

    async def purge(self, done_before: datetime) -> int:
        gone = 0
        for p in await self._many(await self.redis.zrange(ALL_SET, 0, -1)):
            if p.status is not PromiseStatus.DONE or not p.handled_at:
                continue
            if p.handled_at >= done_before:
                continue
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.delete(PREFIX + p.ref)
                pipe.zrem(ALL_SET, p.ref)
                pipe.zrem(OPEN_SET, p.ref)
                if p.member_id:
                    pipe.srem(MEMBER_INDEX + p.member_id, p.ref)
                if caller := self._caller_index(p.number):
                    pipe.srem(caller, p.ref)
                await pipe.execute()
            gone += 1
        return gone
