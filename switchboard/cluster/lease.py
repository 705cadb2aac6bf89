"""Leadership between engines: a Redis lease, so exactly one engine sends AMI actions.

Every engine connects to Asterisk and follows events (a standby is warm); only the
holder of `sb:leader` acts. The holder renews every `ttl/3`; a holder that cannot renew
stops acting *before* the key can expire (it trusts its lease only until the last
renewal + ttl - margin, by its own monotonic clock), so two engines never act at once.
A dead holder's key expires after `ttl`, and a standby takes it on its next try.

Behind Redis Sentinel, `min_replicas` is 1: a take or renewal counts only once a connected
replica has it too (WAIT), so the replica promoted in a failover never holds an older lease
than the one its holder trusts, and the standby cannot take it while the holder still acts.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable

from redis.asyncio import Redis
from redis.exceptions import RedisError

from switchboard.cluster.outage import Outage

log = logging.getLogger("switchboard.lease")

KEY = "sb:leader"
# Take the lease if free, renew it if ours (also one we took but could not confirm to be
# replicated); compare-and-set, so a holder that expired and was replaced cannot revive.
_TAKE_OR_RENEW = """
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
if not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
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
        min_replicas: int = 0,
        outage: Outage | None = None,
    ) -> None:
        self.redis = redis
        self.holder = holder
        self.ttl_s = ttl_s
        self.on_change = on_change
        self._monotonic = monotonic
        self.min_replicas = min_replicas
        self.outage = outage or Outage(
            "Redis",
            log,
            monotonic,
            f"no engine acts from {ttl_s * 0.8:.1f} s after the last renewal until it is back",
        )
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
            held = bool(await self.redis.eval(_TAKE_OR_RENEW, 1, KEY, self.holder, ttl_ms))
            if held and self.min_replicas:
                held = await self._replicated(ttl_ms)
        except (RedisError, OSError) as exc:
            self.errors += 1
            self.outage.failed(exc)
            held = False
            if self.is_leader():  # keep acting only while the last renewal still covers us
                return True
        else:
            self.outage.succeeded()
        # Our trust ran out between two tries (Redis slow or away) though the key stayed
        # ours: whatever we skipped meanwhile (a meeting's start) must be decided again.
        lapsed = held and self._was_leader and self._valid_until <= started
        # The margin covers clock drift and the time the request took.
        self._valid_until = started + self.ttl_s * 0.8 if held else 0.0
        self._changed(held)
        if lapsed:
            log.warning("%s: acting again after the lease lapsed", self.holder)
            self.on_change(True)
        return held

    async def _replicated(self, ttl_ms: int) -> bool:
        """Whether the replicas that could be promoted have our lease (WAIT). With none
        connected (the last one was just promoted), nobody can be promoted over us."""
        acked = int(await self.redis.wait(self.min_replicas, max(1, ttl_ms // 5)))
        if acked >= self.min_replicas:
            return True
        info = await self.redis.info("replication")
        return acked >= min(self.min_replicas, int(info.get("connected_slaves", 0)))

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
