"""Fixtures shared by every test package: real servers started once per session."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest
from hypothesis import HealthCheck, settings
from playwright.async_api import Browser
from redis.asyncio import Redis

from tests.support.postgres_server import PostgresServer, postgres_server
from tests.support.redis_server import RedisServer, redis_server
from tests.support.screen import chromium

# Fuzzing (hypothesis): "ci" keeps every fuzz test together under two minutes in `./dev test`;
# "long" is the overnight run: SWITCHBOARD_FUZZ=long .venv/bin/pytest -m fuzz
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "long", max_examples=20_000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("SWITCHBOARD_FUZZ", "ci"))


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


@pytest.fixture(scope="session")
def postgres_process() -> Iterator[PostgresServer]:
    with postgres_server() as server:
        yield server


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as b:
        yield b
