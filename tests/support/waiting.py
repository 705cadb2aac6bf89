"""Waiting for something observable to happen, with a deadline."""

import asyncio
from collections.abc import Callable


async def eventually(condition: Callable[[], object], within: float = 3.0) -> None:
    """Poll `condition` until it holds; fail with TimeoutError after `within` seconds."""
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.01)
