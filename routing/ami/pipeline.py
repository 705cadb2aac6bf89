"""Many actions outstanding at once: a bounded window, order kept per key, a deadline each.

Asterisk answers actions in the order it gets them, each reply carrying the ActionID the
connection correlates; awaiting every reply before the next send spends a round trip per
change (30,000 QueueAdds after a restart). The pipeline keeps up to `window` actions on
the wire. Actions for the same key (a member: queue and interface) are sent one after the
other, so a pause never overtakes the add it depends on. Every action has a deadline from
the moment it is submitted: one still waiting for the window when it passes is never sent
(a pause sent late is worse than none) and fails with ActionTimeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable

from routing.ami.actions import Action
from routing.ami.connection import Reply
from routing.ami.errors import ActionTimeout, AmiError

Send = Callable[[Action, float], Awaitable[Reply]]  # action, seconds left -> reply
Outcome = Reply | AmiError
Done = Callable[[Outcome], None]


class ActionPipeline:
    """Sends through `send`; `submit` returns at once, `on_done` hears the outcome."""

    def __init__(
        self,
        send: Send,
        *,
        window: int = 64,
        deadline_s: float = 5.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if window < 1:
            raise ValueError(f"the pipeline window must be at least 1, not {window}")
        self._send = send
        self.window = window
        self.deadline_s = deadline_s
        self._clock = clock or asyncio.get_running_loop().time
        self._slots = asyncio.Semaphore(window)
        self._tails: dict[Hashable, asyncio.Task[None]] = {}  # last action per key
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.expired = 0
        self.most_outstanding = 0
        self._outstanding = 0

    def busy(self, key: Hashable) -> bool:
        """Whether an action for `key` is still waiting or on the wire."""
        return key in self._tails

    def __len__(self) -> int:
        return len(self._tasks)

    def submit(
        self, key: Hashable, action: Action, on_done: Done, *, deadline_s: float | None = None
    ) -> None:
        deadline = self._clock() + (self.deadline_s if deadline_s is None else deadline_s)
        before = self._tails.get(key)
        task = asyncio.get_running_loop().create_task(
            self._one(key, action, deadline, before, on_done)
        )
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _one(
        self,
        key: Hashable,
        action: Action,
        deadline: float,
        before: asyncio.Task[None] | None,
        on_done: Done,
    ) -> None:
        outcome: Outcome
        try:
            if before is not None:
                await asyncio.wait((before,))  # its outcome is its own; order is what counts
            async with asyncio.timeout_at(deadline):
                await self._slots.acquire()
            try:
                left = deadline - self._clock()
                if left <= 0:
                    raise TimeoutError
                self._outstanding += 1
                self.most_outstanding = max(self.most_outstanding, self._outstanding)
                self.sent += 1
                try:
                    outcome = await self._send(action, left)
                finally:
                    self._outstanding -= 1
            finally:
                self._slots.release()
        except TimeoutError:
            self.expired += 1
            outcome = ActionTimeout(f"{action.name} not sent: its deadline passed in the queue")
        except AmiError as failed:
            outcome = failed
        finally:
            if self._tails.get(key) is asyncio.current_task():
                del self._tails[key]
        on_done(outcome)

    async def drain(self) -> None:
        """Wait until everything submitted so far has its outcome."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self) -> None:
        """Cancel what is queued or on the wire (the connection is gone or the engine stops)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tails.clear()
