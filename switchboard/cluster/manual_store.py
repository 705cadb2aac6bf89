"""Manual statuses shared between engines (Redis), so a standby takes over what agents set."""

from __future__ import annotations

import logging
from typing import Protocol

from redis.asyncio import Redis

from switchboard.routing.policy import ManualStatus

log = logging.getLogger("switchboard.manual")
KEY = "sb:manual"  # hash: agent id -> status (ids and statuses only: no personal data)
OPT_IN_KEY = "sb:ring-in-meetings"  # hash: agent id -> on/off, the agent's own choice


class ManualStatusStore(Protocol):
    async def load(self) -> dict[str, ManualStatus]: ...

    async def save(self, agent_id: str, status: ManualStatus) -> None: ...

    async def load_opt_ins(self) -> dict[str, bool]:
        """Who chose "ring me in meetings if nobody else can" (True) or turned it off."""
        ...

    async def save_opt_in(self, agent_id: str, on: bool) -> None: ...


class MemoryManualStore:
    def __init__(self) -> None:
        self.statuses: dict[str, ManualStatus] = {}
        self.opt_ins: dict[str, bool] = {}

    async def load_opt_ins(self) -> dict[str, bool]:
        return dict(self.opt_ins)

    async def save_opt_in(self, agent_id: str, on: bool) -> None:
        self.opt_ins[agent_id] = on

    async def load(self) -> dict[str, ManualStatus]:
        return dict(self.statuses)

    async def save(self, agent_id: str, status: ManualStatus) -> None:
        self.statuses[agent_id] = status


class RedisManualStore:
    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def load(self) -> dict[str, ManualStatus]:
        raw = await self.redis.hgetall(KEY)
        statuses = {}
        for key, value in raw.items():
            agent = key.decode() if isinstance(key, bytes) else key
            text = value.decode() if isinstance(value, bytes) else value
            try:
                statuses[agent] = ManualStatus(text)
            except ValueError:  # written by a newer engine, perhaps: leave it, say so
                log.warning("unknown manual status %r for %s in Redis", text, agent)
        return statuses

    async def save(self, agent_id: str, status: ManualStatus) -> None:
        await self.redis.hset(KEY, agent_id, status.value)

    async def load_opt_ins(self) -> dict[str, bool]:
        raw = await self.redis.hgetall(OPT_IN_KEY)
        choices = {}
        for key, value in raw.items():
            agent = key.decode() if isinstance(key, bytes) else key
            text = value.decode() if isinstance(value, bytes) else value
            if text in ("on", "off"):
                choices[agent] = text == "on"
            else:
                log.warning("unknown ring-in-meetings choice %r for %s in Redis", text, agent)
        return choices

    async def save_opt_in(self, agent_id: str, on: bool) -> None:
        await self.redis.hset(OPT_IN_KEY, agent_id, "on" if on else "off")
