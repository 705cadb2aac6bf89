"""Clients of the configured Redis: the engine's (asyncio) and the admin commands' (blocking).

Both reach the same server the same way: the primary the sentinels name when sentinels are
configured, else the one `url` names. An admin command that read `url` alone would, on a
sentinel setup, talk to an address that may be a replica or nothing at all."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import redis
from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel
from redis.backoff import ExponentialBackoff
from redis.sentinel import Sentinel as BlockingSentinel

from switchboard.cluster.config import RedisConfig


def redis_client(config: RedisConfig, environ: Mapping[str, str] = os.environ) -> Redis:
    """A Redis client: the primary the sentinels name (followed through a failover), or the
    one `url` names over a *blocking* pool (under a burst, callers wait up to 5 s for a
    connection instead of failing at once with "Too many connections").

    Commands time out after 2 s and retry twice at once, so a frozen Redis is an outage
    within seconds, not a hang."""
    if not config.sentinels:
        pool = BlockingConnectionPool.from_url(
            config.url,
            max_connections=config.max_connections,
            timeout=5,
            socket_timeout=2.0,
            socket_connect_timeout=2.0,
            retry=_retry(),
        )
        return Redis(connection_pool=pool)
    sentinel = Sentinel(
        _sentinel_addresses(config), sentinel_kwargs=_sentinel_options(config, environ)
    )
    primary: Redis = sentinel.master_for(
        config.sentinel_service,
        socket_timeout=2.0,
        socket_connect_timeout=1.0,
        max_connections=config.max_connections,
        retry=_retry(),
        **_credentials(config),
    )
    return primary


def admin_client(
    config: RedisConfig, environ: Mapping[str, str] = os.environ, timeout_s: float = 5.0
) -> redis.Redis:
    """A blocking client for one-off commands (`run`'s key check, `re-key`), strings decoded."""
    if not config.sentinels:
        return redis.Redis.from_url(
            config.url,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            decode_responses=True,
        )
    sentinel = BlockingSentinel(
        _sentinel_addresses(config), sentinel_kwargs=_sentinel_options(config, environ)
    )
    primary: redis.Redis = sentinel.master_for(
        config.sentinel_service,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        decode_responses=True,
        **_credentials(config),
    )
    return primary


def _retry() -> Retry:
    """Two quick retries (0.1, 0.2 s): enough to reach a just-promoted primary; redis-py's
    own default backs off up to 10 s per command, longer than a lease can wait."""
    return Retry(ExponentialBackoff(cap=0.5, base=0.1), retries=2)


def _sentinel_addresses(config: RedisConfig) -> list[tuple[str, int]]:
    out = []
    for entry in config.sentinels:
        host, _, port = entry.rpartition(":")
        out.append((host.strip("[]"), int(port)))
    return out


def _sentinel_options(config: RedisConfig, environ: Mapping[str, str]) -> dict[str, Any]:
    password = environ.get(config.sentinel_password_env) if config.sentinel_password_env else None
    return {"socket_timeout": 1.0, "socket_connect_timeout": 1.0, "password": password}


def _credentials(config: RedisConfig) -> dict[str, Any]:
    """The database and the primary's credentials, from `url` (its host is the sentinels')."""
    options = parse_url(config.url)
    return {
        "db": options.get("db", 0),
        "username": options.get("username"),
        "password": options.get("password"),
    }
