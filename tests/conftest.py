"""Fixtures shared by every test package: real servers started once per session."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from redis.asyncio import Redis

from tests.support.redis_server import RedisServer, redis_server


@pytest.fixture(scope="session")
def redis_process() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


@pytest.fixture
async def redis(redis_process: RedisServer) -> AsyncIterator[Redis]:
    client = Redis(unix_socket_path=str(redis_process.socket))
    await client.flushall()
    try:
        yield client
    finally:
        await client.aclose()
