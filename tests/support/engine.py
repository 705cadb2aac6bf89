"""The engine's two loops, the AMI client and the router, running against a test peer."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from switchboard.ami.client import AmiClient
from switchboard.routing.router import Router


@contextlib.asynccontextmanager
async def running(router: Router, client: AmiClient, *phones: AmiClient) -> AsyncIterator[None]:
    """Runs `router` on `client` (and any other AMI clients, e.g. a lab's phones) for the block.

    The clients stop first, as the engine's own shutdown does, so the router never sends an
    action into a connection that is closing under it."""
    router.attach(client)
    tasks = [
        asyncio.create_task(client.run()),
        asyncio.create_task(router.run()),
        *(asyncio.create_task(phone.run()) for phone in phones),
    ]
    try:
        yield
    finally:
        for phone in phones:
            await phone.stop()
        await client.stop()
        tasks[1].cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
