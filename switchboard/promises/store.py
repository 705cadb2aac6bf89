"""Where promises live: one store for callbacks and inquiries (Redis, or memory in the demo).

Every change is compare-and-set on the promise's version: two agents pressing "take" at
once, or an agent closing what the escalation pass is just moving up, cannot both win.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from switchboard.cluster.outage import Outage
from switchboard.ivr.caller_id import split_loop_suffix
from switchboard.promises.promise import Promise, PromiseStatus

log = logging.getLogger("switchboard.promises")


class PromiseStore(Protocol):
    async def add(self, promise: Promise) -> Promise | None:
        """Store a new promise; the record as stored (its version), or None when that
        reference is already stored."""
        ...

    async def get(self, ref: str) -> Promise | None: ...

    async def pending(self) -> list[Promise]:
        """Promises not yet done, soonest due first."""
        ...

    async def swap(self, before: Promise, after: Promise) -> Promise | None:
        """Write `after` if the stored one is still `before` (same version); None if not."""
        ...

    async def changed_since(self, seq: int) -> tuple[int, list[Promise]]:
        """(the newest write's number, the promises added or changed after write `seq`)."""
        ...

    async def history(self, member_ids: Iterable[str], number: str) -> list[Promise]:
        """Every stored promise about these members or from this number, newest first."""
        ...

    async def since(self, start: datetime) -> list[Promise]:
        """Every promise registered at or after `start` (for reports)."""
        ...

    async def purge(self, done_before: datetime) -> int:
        """Forget promises done before `done_before` (retention); how many went."""
        ...


def caller_key(number: str) -> str:
    """The part of a number that identifies a caller: without the loop suffix."""
    return split_loop_suffix(number)[0]


class MemoryPromiseStore:
    """Promises kept in this process only: the demo's default when no Redis is configured."""

    def __init__(self) -> None:
        self.promises: dict[str, Promise] = {}
        self.seq = 0
        self.written: dict[str, int] = {}  # ref -> the number of its last write

    def _wrote(self, ref: str) -> None:
        self.seq += 1
        self.written[ref] = self.seq

    async def add(self, promise: Promise) -> Promise | None:
        if promise.ref in self.promises:
            return None
        stored = self.promises[promise.ref] = replace(promise, version=1)
        self._wrote(promise.ref)
        return stored

    async def changed_since(self, seq: int) -> tuple[int, list[Promise]]:
        refs = [ref for ref, at in self.written.items() if at > seq]
        return self.seq, [self.promises[ref] for ref in refs if ref in self.promises]

    async def get(self, ref: str) -> Promise | None:
        return self.promises.get(ref)

    async def pending(self) -> list[Promise]:
        return sorted(
            (p for p in self.promises.values() if p.status is not PromiseStatus.DONE),
            key=lambda p: p.due,
        )

    async def swap(self, before: Promise, after: Promise) -> Promise | None:
        current = self.promises.get(before.ref)
        if current is None or current.version != before.version:
            return None
        stored = self.promises[before.ref] = replace(after, version=before.version + 1)
        self._wrote(before.ref)
        return stored

    async def history(self, member_ids: Iterable[str], number: str) -> list[Promise]:
        members = set(member_ids) - {""}
        key = caller_key(number) if number else ""
        found = [
            p
            for p in self.promises.values()
            if p.member_id in members or (key and caller_key(p.number) == key)
        ]
        return sorted(found, key=lambda p: p.requested_at, reverse=True)

    async def since(self, start: datetime) -> list[Promise]:
        return sorted(
            (p for p in self.promises.values() if p.requested_at >= start),
            key=lambda p: p.requested_at,
        )

    async def purge(self, done_before: datetime) -> int:
        old = [
            ref
            for ref, p in self.promises.items()
            if p.status is PromiseStatus.DONE and p.handled_at and p.handled_at < done_before
        ]
        for ref in old:
            del self.promises[ref]
            self.written.pop(ref, None)
        return len(old)


class PendingPromises:
    """Open promises as last read from the store.

    Every open wallboard and agent screen asks each second, and every scrape asks too;
    one read a second serves them all.
    """

    def __init__(
        self,
        store: PromiseStore,
        every_s: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        outage: Outage | None = None,  # a shared outage record logs for us (Redis)
    ) -> None:
        self.store = store
        self.outage = outage
        self.every_s = every_s
        self.monotonic = monotonic
        self.requests: list[Promise] | None = None  # None: never read yet
        self._read_at = -math.inf

    async def refresh(self, force: bool = False) -> None:
        """Re-read unless read within `every_s` (`force`: after a change of one's own)."""
        now = self.monotonic()
        if not force and self.requests is not None and now - self._read_at < self.every_s:
            return
        self._read_at = now
        try:
            self.requests = await self.store.pending()
        except Exception as exc:  # the store is an adapter: the last list stands
            if self.outage is None:
                log.warning("open promises not read from the store: %s", exc)
            else:
                self.outage.failed(exc)
        else:
            if self.outage is not None:
                self.outage.succeeded()

    def took(self, p: Promise) -> None:
        """A promise this engine just wrote, as it now stands: into the list without a
        re-read of every open promise (the next read, within `every_s`, agrees)."""
        if self.requests is None:
            return
        rest = [q for q in self.requests if q.ref != p.ref]
        if p.status is not PromiseStatus.DONE:
            rest.append(p)
            rest.sort(key=lambda q: q.due)
        self.requests = rest
