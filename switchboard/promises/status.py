"""What the IVR says about a reference: the AstDB entries (pure), and the feed that keeps
them from what changed in the store."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from switchboard.promises.promise import Promise, PromiseStatus
from switchboard.promises.store import PromiseStore


def status_entries(promises: Iterable[Promise], now: datetime, zone: ZoneInfo) -> dict[str, str]:
    """ref -> `open|DDMM`, `overdue|DDMM` or `done|`: nothing personal, nothing more."""
    out = {}
    for p in promises:
        if p.status is PromiseStatus.DONE:
            out[p.ref] = "done|"
        else:
            state = "overdue" if p.is_overdue(now) else "open"
            out[p.ref] = f"{state}|{p.due.astimezone(zone):%d%m}"
    return out


def status_changes(
    published: Mapping[str, str], wanted: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(entries to put, refs to delete) to turn what AstDB holds into what is wanted."""
    put = {ref: value for ref, value in wanted.items() if published.get(ref) != value}
    gone = sorted(ref for ref in published if ref not in wanted)
    return put, gone


class StatusFeed:
    """What the IVR should say of each reference, kept from what changed in the store.

    A full read at start (and on taking over, and hourly: it also drops the statuses of
    promises retention removed); between, one small read of what either engine wrote since
    the last look (`PromiseStore.changed_since`), and nothing read at all when nothing was.
    The entries are worked out again only when something changed or an open promise's due
    moment passed (it turns overdue)."""

    def __init__(
        self, store: PromiseStore, zone: ZoneInfo, *, keep: timedelta, full_every_s: float = 3600
    ) -> None:
        self.store = store
        self.zone = zone
        self.keep = keep
        self.full_every_s = full_every_s
        self.known: dict[str, Promise] = {}
        self._seq: int | None = None  # None: read everything next
        self._full_at = -math.inf
        self._entries: dict[str, str] = {}
        self._turns_at: datetime | None = None  # the next open promise to turn overdue
        self.full_reads = 0
        self.changes_read = 0

    def start_over(self) -> None:
        """Read everything at the next look (this engine has just taken over)."""
        self._seq = None

    async def entries(self, now: datetime, monotonic: float) -> dict[str, str]:
        """ref -> status, as `status_entries` gives it for every stored promise."""
        changed = False
        if self._seq is None or monotonic - self._full_at >= self.full_every_s:
            seq, _ = await self.store.changed_since(2**62)  # the newest number, before reading
            everything = await self.store.since(now - self.keep)
            self.known = {p.ref: p for p in everything}
            self._seq, self._full_at, changed = seq, monotonic, True
            self.full_reads += 1
        else:
            seq, fresh = await self.store.changed_since(self._seq)
            if fresh:
                self.known.update((p.ref, p) for p in fresh)
                self.changes_read += len(fresh)
                changed = True
            self._seq = seq
        if changed or (self._turns_at is not None and now > self._turns_at):
            self._entries = status_entries(self.known.values(), now, self.zone)
            dues = [
                p.due for p in self.known.values()
                if p.status is not PromiseStatus.DONE and not p.is_overdue(now)
            ]  # fmt: skip
            self._turns_at = min(dues, default=None)
        return self._entries
