"""Many actions outstanding at once: a bounded window, order kept per key, a deadline each.

Asterisk answers actions in the order it gets them, each reply carrying the ActionID the
connection correlates; awaiting every reply before the next send spends a round trip per
change (30,000 QueueAdds after a restart). The pipeline keeps up to `window` actions on
the wire. Actions for the same key (a member: queue and interface) are sent one after the
other, so a pause never overtakes the add it depends on. Every action has a deadline from
the moment it is submitted: one still waiting for the window when it passes is never sent
(a pause sent late is worse than none) and fails with ActionTimeout.

What waits costs no task and no timer: waiting actions sit in a queue that at most
`window` senders drain, and one timer (the earliest deadline) watches the whole queue.
30,000 actions submitted at once used to be 30,000 tasks and 30,000 timers.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from switchboard.ami.actions import Action
from switchboard.ami.connection import Reply
from switchboard.ami.errors import ActionTimeout, AmiError

Send = Callable[[Action, float], Awaitable[Reply]]  # action, seconds left -> reply
Outcome = Reply | AmiError
Done = Callable[[Outcome], None]


@dataclass(slots=True)
class _Item:
    key: Hashable
    action: Action
    deadline: float
    on_done: Done
    settled: bool = False


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
        self._loop = asyncio.get_running_loop()
        self._clock = clock or self._loop.time
        self._ready: deque[_Item] = deque()  # may go on the wire: nothing earlier of its key
        # Keys with an unfinished action; behind it, that key's later actions, in order.
        self._held: dict[Hashable, deque[_Item]] = {}
        self._senders: set[asyncio.Task[None]] = set()
        self._sending = 0  # senders that will still look at the queue
        self._unfinished = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._timer: asyncio.TimerHandle | None = None
        self.sent = 0
        self.expired = 0
        self.most_outstanding = 0
        self._outstanding = 0

    def busy(self, key: Hashable) -> bool:
        """Whether an action for `key` is still waiting or on the wire."""
        return key in self._held

    def __len__(self) -> int:
        return self._unfinished

    def submit(
        self, key: Hashable, action: Action, on_done: Done, *, deadline_s: float | None = None
    ) -> None:
        deadline = self._clock() + (self.deadline_s if deadline_s is None else deadline_s)
        item = _Item(key, action, deadline, on_done)
        self._unfinished += 1
        self._idle.clear()
        behind = self._held.get(key)
        if behind is not None:
            behind.append(item)  # released when the one before it has its outcome
            return
        self._held[key] = deque()
        self._enqueue(item)

    def _enqueue(self, item: _Item) -> None:
        self._ready.append(item)
        if self._timer is None or item.deadline < self._timer.when():
            self._arm(item.deadline)
        if self._sending < self.window:
            self._sending += 1
            sender = self._loop.create_task(self._drain_ready())
            self._senders.add(sender)
            sender.add_done_callback(self._senders.discard)

    def _arm(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        # The loop's clock and ours are the same unless a test gave its own.
        delay = max(0.0, at - self._clock())
        self._timer = self._loop.call_later(delay, self._expire_waiting)

    def _expire_waiting(self) -> None:
        """Fail every waiting action whose deadline passed; watch the next deadline."""
        self._timer = None
        now = self._clock()
        waiting: deque[_Item] = deque()
        for item in self._ready:
            if item.deadline <= now:
                self._expire(item)
            else:
                waiting.append(item)
        self._ready = waiting
        if waiting:
            self._arm(min(item.deadline for item in waiting))

    def _expire(self, item: _Item) -> None:
        self.expired += 1
        name = item.action.name
        self._finish(item, ActionTimeout(f"{name} not sent: its deadline passed in the queue"))

    async def _drain_ready(self) -> None:
        try:
            while self._ready:
                item = self._ready.popleft()  # (the expiry sweep may replace the deque)
                left = item.deadline - self._clock()
                if left <= 0:
                    self._expire(item)
                    continue
                await self._one(item, left)
        finally:
            self._sending -= 1

    async def _one(self, item: _Item, left: float) -> None:
        self._outstanding += 1
        self.most_outstanding = max(self.most_outstanding, self._outstanding)
        self.sent += 1
        outcome: Outcome
        try:
            outcome = await self._send(item.action, left)
        except TimeoutError:
            outcome = ActionTimeout(f"{item.action.name} got no reply within {left:g} s")
        except AmiError as failed:
            outcome = failed
        except asyncio.CancelledError:
            self._forget(item)
            raise
        except Exception as broken:  # a fault in `send` fails its action, not the pipeline
            outcome = AmiError(f"{item.action.name} not sent: {broken!r}")
        finally:
            self._outstanding -= 1
        self._finish(item, outcome)

    def _forget(self, item: _Item) -> None:
        """An action cancelled on the wire: no outcome for it or its key's later actions
        (they depended on it), but drain() no longer waits for them."""
        gone = [item, *self._held.pop(item.key, ())]
        for each in gone:
            if not each.settled:
                each.settled = True
                self._unfinished -= 1
        if not self._unfinished:
            self._idle.set()

    def _finish(self, item: _Item, outcome: Outcome) -> None:
        if item.settled:
            return
        item.settled = True
        behind = self._held.get(item.key)
        if behind:
            self._enqueue(behind.popleft())
        elif behind is not None:
            del self._held[item.key]
        self._unfinished -= 1
        if not self._unfinished:
            self._idle.set()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        item.on_done(outcome)

    async def drain(self) -> None:
        """Wait until everything submitted so far has its outcome."""
        while self._unfinished:
            await self._idle.wait()

    async def close(self) -> None:
        """Cancel what is queued or on the wire (the connection is gone or the engine stops)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self._ready.clear()
        self._held.clear()
        for task in self._senders:
            task.cancel()
        await asyncio.gather(*self._senders, return_exceptions=True)
        self._unfinished = 0
        self._idle.set()
