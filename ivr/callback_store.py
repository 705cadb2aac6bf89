"""Callback requests in Redis (AOF persistence), the number sealed, one hash per request.

Keys: `sb:callback:<ref>` (hash) and `sb:callbacks:open` (sorted set, score = due epoch).
Adding is one Lua script, so a request is stored whole or not at all and a second
import of the same reference (after a router restart) changes nothing.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Protocol

from redis.asyncio import Redis

from ivr.callbacks import CallbackRequest, CallbackStatus, handled
from ops.outage import Outage
from routing.sealing import Sealer

log = logging.getLogger("switchboard.callbacks")


class CallbackStore(Protocol):
    """Where callback requests live (Redis in production, memory in the demo)."""

    async def add(self, request: CallbackRequest) -> bool: ...
    async def get(self, ref: str) -> CallbackRequest | None: ...
    async def pending(self) -> list[CallbackRequest]: ...
    async def mark(
        self, ref: str, status: CallbackStatus, agent: str, at: datetime
    ) -> CallbackRequest: ...
    async def take(self, ref: str, agent: str, at: datetime) -> CallbackRequest | None:
        """Claim an open request for `agent`; None when someone else has it already."""
        ...

    async def release(self, ref: str, agent: str) -> bool:
        """Hand a request `agent` took back to the loop; False when it is not theirs."""
        ...


PREFIX = "sb:callback:"
OPEN_SET = "sb:callbacks:open"

_ADD = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], unpack(ARGV, 2))
redis.call('zadd', KEYS[2], ARGV[1], KEYS[3])
return 1
"""


# Two agents pressing "take" at once: exactly one gets the request.
_TAKE = """
local status = redis.call('hget', KEYS[1], 'status')
if not status then return -1 end
if status ~= 'open' then return 0 end
redis.call('hset', KEYS[1], 'status', 'taken', 'handled_by', ARGV[1], 'handled_at', ARGV[2])
return 1
"""


_RELEASE = """
if redis.call('hget', KEYS[1], 'status') ~= 'taken' then return 0 end
if redis.call('hget', KEYS[1], 'handled_by') ~= ARGV[1] then return 0 end
redis.call('hset', KEYS[1], 'status', 'open', 'handled_by', '', 'handled_at', '')
return 1
"""


def _ts(at: datetime | None) -> str:
    return "" if at is None else str(at.timestamp())


def _dt(text: str) -> datetime | None:
    return None if not text else datetime.fromtimestamp(float(text), UTC)


class RedisCallbackStore:
    def __init__(self, redis: Redis, sealer: Sealer) -> None:
        self.redis = redis
        self.sealer = sealer

    def _fields(self, r: CallbackRequest) -> dict[str, str]:
        return {
            "ref": r.ref,
            "number": self.sealer.seal(r.number),
            "loop": r.loop,
            "requested_at": _ts(r.requested_at),
            "due": _ts(r.due),
            "call_id": r.call_id,
            "status": r.status.value,
            "handled_by": r.handled_by,
            "handled_at": _ts(r.handled_at),
        }

    def _request(self, h: dict[str, str]) -> CallbackRequest:
        requested, due = _dt(h["requested_at"]), _dt(h["due"])
        assert requested is not None
        assert due is not None
        return CallbackRequest(
            ref=h["ref"],
            number=self.sealer.open(h["number"]),
            loop=h["loop"],
            requested_at=requested,
            due=due,
            call_id=h["call_id"],
            status=CallbackStatus(h["status"]),
            handled_by=h["handled_by"],
            handled_at=_dt(h["handled_at"]),
        )

    async def add(self, request: CallbackRequest) -> bool:
        """Store a new request; False when that reference is already stored."""
        flat = [item for pair in self._fields(request).items() for item in pair]
        added = await self.redis.eval(
            _ADD, 3, PREFIX + request.ref, OPEN_SET, request.ref, _ts(request.due), *flat
        )
        return bool(added)

    async def get(self, ref: str) -> CallbackRequest | None:
        h = await self.redis.hgetall(PREFIX + ref)
        return self._request(_text(h)) if h else None

    async def pending(self) -> list[CallbackRequest]:
        """Requests not yet done, soonest due first."""
        refs = await self.redis.zrange(OPEN_SET, 0, -1)
        async with self.redis.pipeline(transaction=False) as pipe:
            for ref in refs:
                pipe.hgetall(PREFIX + _str(ref))
            found = await pipe.execute()  # one round trip, however many are open
        return [self._request(_text(h)) for h in found if h]

    async def mark(
        self, ref: str, status: CallbackStatus, agent: str, at: datetime
    ) -> CallbackRequest:
        """An agent took (or finished) a callback; done ones leave the open set."""
        current = await self.get(ref)
        if current is None:
            raise KeyError(f"no callback with reference {ref}")
        updated = handled(current, status, agent, at)
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                PREFIX + ref,
                mapping={
                    "status": status.value,
                    "handled_by": agent,
                    "handled_at": _ts(at),
                },
            )
            if status is CallbackStatus.DONE:
                pipe.zrem(OPEN_SET, ref)
            await pipe.execute()
        return updated

    async def take(self, ref: str, agent: str, at: datetime) -> CallbackRequest | None:
        taken = await self.redis.eval(_TAKE, 1, PREFIX + ref, agent, _ts(at))
        if taken == -1:
            raise KeyError(f"no callback with reference {ref}")
        return await self.get(ref) if taken == 1 else None

    async def release(self, ref: str, agent: str) -> bool:
        return bool(await self.redis.eval(_RELEASE, 1, PREFIX + ref, agent))


def _str(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _text(h: Mapping[Any, Any]) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in h.items()}


class MemoryCallbackStore:
    """Requests kept in this process only: the demo's default when no Redis is configured."""

    def __init__(self) -> None:
        self.requests: dict[str, CallbackRequest] = {}

    async def add(self, request: CallbackRequest) -> bool:
        if request.ref in self.requests:
            return False
        self.requests[request.ref] = request
        return True

    async def get(self, ref: str) -> CallbackRequest | None:
        return self.requests.get(ref)

    async def pending(self) -> list[CallbackRequest]:
        return sorted(
            (r for r in self.requests.values() if r.status is not CallbackStatus.DONE),
            key=lambda r: r.due,
        )

    async def mark(
        self, ref: str, status: CallbackStatus, agent: str, at: datetime
    ) -> CallbackRequest:
        current = self.requests.get(ref)
        if current is None:
            raise KeyError(f"no callback with reference {ref}")
        self.requests[ref] = handled(current, status, agent, at)
        return self.requests[ref]

    async def take(self, ref: str, agent: str, at: datetime) -> CallbackRequest | None:
        current = self.requests.get(ref)
        if current is None:
            raise KeyError(f"no callback with reference {ref}")
        if current.status is not CallbackStatus.OPEN:
            return None
        return await self.mark(ref, CallbackStatus.TAKEN, agent, at)

    async def release(self, ref: str, agent: str) -> bool:
        current = self.requests.get(ref)
        if current is None or current.status is not CallbackStatus.TAKEN:
            return False
        if current.handled_by != agent:
            return False
        self.requests[ref] = replace(
            current, status=CallbackStatus.OPEN, handled_by="", handled_at=None
        )
        return True


class PendingCallbacks:
    """Open requests as last read from the store.

    Every open wallboard and agent screen asks each second, and every scrape asks too;
    one read a second serves them all.
    """

    def __init__(
        self,
        store: CallbackStore,
        every_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        outage: Outage | None = None,  # a shared outage record logs for us (Redis)
    ) -> None:
        self.store = store
        self.outage = outage
        self.every_s = every_s
        self.monotonic = monotonic
        self.requests: list[CallbackRequest] | None = None  # None: never read yet
        self._read_at = -math.inf

    async def refresh(self, force: bool = False) -> None:
        """Re-read unless read within `every_s` (`force`: after a change of one's own)."""
        now = self.monotonic()
        if not force and self.requests is not None and now - self._read_at < self.every_s:
            return
        self._read_at = now
        try:
            self.requests = await self.store.pending()
        except Exception as exc:  # the store is an adapter: the last list stands
            if self.outage is None:
                log.warning("open callback requests not read from the store: %s", exc)
            else:
                self.outage.failed(exc)
        else:
            if self.outage is not None:
                self.outage.succeeded()
