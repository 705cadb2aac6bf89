"""Catching up after a fresh snapshot, with the cyclic garbage collector held meanwhile.

After an Asterisk restart the engine reads 30,000 memberships, compares each with what it
decided, and sends what is due (a tenth of the agents went into a meeting while Asterisk
was down). Those objects are new: each full collection in that time walked them all,
45-75 ms at a go, two or three times before the last pause went out. The collector
waits (`Heap.hold`) from the connect until the first pass's actions are answered; then
the heap is settled (`Heap.settle`: collected, what lives on frozen, the collector on
again). Nothing depends on a cycle being freed sooner, and the wait is capped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Protocol

log = logging.getLogger(__name__)

# However long Asterisk stays away or busy, the collector runs again within this long.
LONGEST_HOLD_S = 60.0


class Heap(Protocol):
    """The process's heap as the engine keeps it (`switchboard.heap`)."""

    def hold(self) -> None: ...

    def settle(self) -> int: ...


class CatchUp:
    """Holds the collector from `begin` until what the next pass sent is answered (at
    most `longest_hold_s`)."""

    def __init__(self, heap: Heap | None, longest_hold_s: float = LONGEST_HOLD_S) -> None:
        self.heap = heap
        self.longest_hold_s = longest_hold_s
        self.held = False
        self.settles = 0  # heaps settled so far (start-up is the first)
        self._due = False  # a pass is to come whose answers end the hold
        self._waiting: asyncio.Task[None] | None = None
        self._cap: asyncio.TimerHandle | None = None

    def begin(self) -> None:
        """A fresh snapshot is about to be read and acted on."""
        if self.heap is None:
            return
        if not self.held:
            self.heap.hold()
            self.held = True
            # From the hold, not the pass: Asterisk may stay down and no pass come for long.
            self._cap = asyncio.get_running_loop().call_later(self.longest_hold_s, self._settle)
        self._due = True

    def passed(self, answered: Callable[[], Awaitable[object]]) -> None:
        """A pass has handed its actions over; settle once `answered` returns."""
        if not self._due:
            return
        self._due = False
        if self._waiting is not None:
            self._waiting.cancel()
        self._waiting = asyncio.get_running_loop().create_task(self._settle_after(answered))

    async def _settle_after(self, answered: Callable[[], Awaitable[object]]) -> None:
        await answered()
        self._settle()

    async def close(self) -> None:
        """The router stops: never leave the collector held."""
        if self._waiting is not None:
            self._waiting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._waiting
            self._waiting = None
        if self.held:
            self._settle()

    def _settle(self) -> None:
        if self._cap is not None:
            self._cap.cancel()
            self._cap = None
        if self.heap is None or not self.held:
            return
        self.held = False
        frozen = self.heap.settle()
        self.settles += 1
        log.info("caught up: %d objects set aside from garbage collection", frozen)
