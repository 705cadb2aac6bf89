"""Leadership between engines: a Redis lease, so exactly one engine sends AMI actions.

Every engine connects to Asterisk and follows events (a standby is warm); only the
holder of `sb:leader` acts. The holder renews every `ttl/3`; a holder that cannot renew
stops acting *before* the key can expire (it trusts its lease only until the last
renewal + ttl - margin, by its own monotonic clock), so two engines never act at once.
A dead holder's key expires after `ttl`, and a standby takes it on its next try.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("switchboard.lease")

KEY = "sb:leader"
# Renew only if we still hold it; compare-and-set, so an expired holder cannot revive.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class LeaderLease:
    def __init__(
        self,
        redis: Redis,
        holder: str,
        ttl_s: float = 6.0,
        *,
        on_change: Callable[[bool], None] = lambda _leader: None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.redis = redis
        self.holder = holder
        self.ttl_s = ttl_s
        self.on_change = on_change
        self._monotonic = monotonic
        self._valid_until = 0.0
        self._was_leader = False
        self.errors = 0

    def is_leader(self) -> bool:
        """True only while our last renewal is fresh enough to be sure nobody else holds it."""
        return self._monotonic() < self._valid_until

    async def try_once(self) -> bool:
        """Take the lease if free, or renew it if ours; returns whether we hold it."""
        started = self._monotonic()
        ttl_ms = int(self.ttl_s * 1000)
        try:
            if self._was_leader:
                held = bool(await self.redis.eval(_RENEW, 1, KEY, self.holder, ttl_ms))
            else:
                held = bool(await self.redis.set(KEY, self.holder, nx=True, px=ttl_ms))
        except (RedisError, OSError) as exc:
            self.errors += 1
            log.warning("leader lease: Redis unreachable (%s)", exc)
            held = False
            if self.is_leader():  # keep acting only while the last renewal still covers us
                return True
        # The margin covers clock drift and the time the request took.
        self._valid_until = started + self.ttl_s * 0.8 if held else 0.0
        self._changed(held)
        return held

    def _changed(self, held: bool) -> None:
        if held != self._was_leader:
            self._was_leader = held
            log.warning(
                "%s: %s", self.holder, "now acting (leader)" if held else "standing by (not leader)"
            )
            self.on_change(held)

    async def run(self) -> None:
        """Keep trying and renewing until cancelled; releases the lease on the way out."""
        try:
            while True:
                await self.try_once()
                await asyncio.sleep(self.ttl_s / 3)
        finally:
            if self._was_leader:
                with contextlib.suppress(RedisError, OSError, asyncio.CancelledError):
                    await asyncio.shield(self.release())

    async def release(self) -> None:
        self._valid_until = 0.0
        await self.redis.eval(_RELEASE, 1, KEY, self.holder)
        self._changed(False)
