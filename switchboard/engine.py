"""The engine: one router, one AMI client, their tasks owned by one TaskGroup."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from presence.source import PresenceSource
from routing.ami.client import AmiClient, AmiSettings
from routing.router import Clock, Router
from switchboard.config import Settings


def system_clock() -> datetime:
    return datetime.now(UTC)


class Engine:
    """Everything that runs against one Asterisk, built in one place."""

    def __init__(
        self,
        settings: Settings,
        ami: AmiSettings,
        presence: PresenceSource,
        clock: Clock = system_clock,
    ) -> None:
        self.router = Router(settings.roster, presence, clock)
        self.router.manual.update(settings.manual)
        self.client = AmiClient(ami, self.router.on_event, self.router.on_connected)
        self.router.attach(self.client)
        self._stop = asyncio.Event()

    async def run(self) -> None:
        """Run until `stop()`; a failing task stops the others and surfaces its error."""
        async with asyncio.TaskGroup() as tasks:
            client = tasks.create_task(self.client.run())
            router = tasks.create_task(self.router.run())
            await self._stop.wait()
            await self.client.stop()
            router.cancel()
            await client

    def stop(self) -> None:
        self._stop.set()
