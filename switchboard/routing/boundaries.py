"""Indexes that let the router work in proportion to what changed (pure data structures).

- `BoundaryIndex`: every moment at which some agent's desired state may change on its own
  (a meeting starts or ends, a "back early" override runs out), in a heap, so the next wake
  is a peek and the agents due at a moment are popped, not searched for among thousands.
- `MeetingCache`: per agent, the merged busy intervals and the verdict "in which meeting
  now, if any", valid until that agent's next boundary; asked for by every pass, board and
  screen, computed again only when the agent's intervals change or the window is left.

No clock, no I/O: the moment is always a parameter.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from switchboard.presence.busy import BusyInterval, merge

K = TypeVar("K", bound=Hashable)


class BoundaryIndex(Generic[K]):
    """Moments per key; `next_after` and `pop_due` cost O(log n) per boundary, not O(n)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, K]] = []
        self._version: dict[K, int] = {}  # entries of older versions are stale, skipped lazily
        self._counter = 0

    def replace(self, key: K, moments: Iterable[datetime], after: datetime) -> None:
        """Replace `key`'s moments; only those later than `after` are kept."""
        self._counter += 1
        self._version[key] = version = self._counter
        cut = after.timestamp()
        pushed = False
        for moment in moments:
            at = moment.timestamp()
            if at > cut:
                heapq.heappush(self._heap, (at, version, key))
                pushed = True
        if not pushed:
            del self._version[key]
        self._compact()

    def discard(self, key: K) -> None:
        self._version.pop(key, None)

    def next_at(self) -> float | None:
        """The earliest live moment (epoch seconds), or None."""
        heap = self._heap
        while heap and self._version.get(heap[0][2]) != heap[0][1]:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def pop_due(self, now: datetime) -> set[K]:
        """Keys with a moment at or before `now`; those moments are consumed."""
        due: set[K] = set()
        cut = now.timestamp()
        heap = self._heap
        while heap and heap[0][0] <= cut:
            _, version, key = heapq.heappop(heap)
            if self._version.get(key) == version:
                due.add(key)
        return due

    def __len__(self) -> int:
        return len(self._heap)

    def _compact(self) -> None:
        # Replaced entries stay until popped; rebuild when they outnumber the live ones.
        if len(self._heap) > 64 and len(self._heap) > 4 * len(self._version) + 64:
            self._heap = [e for e in self._heap if self._version.get(e[2]) == e[1]]
            heapq.heapify(self._heap)


def moments(intervals: Sequence[BusyInterval], leads: Iterable[timedelta] = ()) -> list[datetime]:
    """Every start and end: when being busy may begin or stop; and each start less each
    heads-up lead, when a loop stops offering calls before a meeting."""
    found = [t for i in intervals for t in (i.start, i.end)]
    for lead in leads:
        found += [i.start - lead for i in intervals]
    return found


@dataclass(frozen=True, slots=True)
class _Verdict:
    source: Sequence[BusyInterval]  # the sequence it was computed from (compared by identity)
    merged: tuple[BusyInterval, ...]
    starts: tuple[float, ...]
    meeting: BusyInterval | None
    valid_from: float
    valid_until: float


def covering(
    merged: Sequence[BusyInterval], starts: Sequence[float], moment: float
) -> tuple[BusyInterval | None, float, float]:
    """The merged interval covering `moment`, and the window [from, until) that answer holds."""
    i = bisect_right(starts, moment) - 1
    if i >= 0 and moment < merged[i].end.timestamp():
        return merged[i], starts[i], merged[i].end.timestamp()
    valid_from = merged[i].end.timestamp() if i >= 0 else float("-inf")
    valid_until = starts[i + 1] if i + 1 < len(starts) else float("inf")
    return None, valid_from, valid_until


class MeetingCache:
    """busy_at per agent, kept until the agent's intervals change or time leaves the window."""

    def __init__(self) -> None:
        self._verdicts: dict[str, _Verdict] = {}
        self.computed = 0  # how often the answer had to be worked out (tests and benches)

    def meeting(
        self, agent_id: str, intervals: Sequence[BusyInterval], now: datetime
    ) -> BusyInterval | None:
        """The merged busy interval covering `now` for this agent: `busy_at`, remembered."""
        at = now.timestamp()
        v = self._verdicts.get(agent_id)
        if v is not None and v.source is intervals and v.valid_from <= at < v.valid_until:
            return v.meeting
        self.computed += 1
        if v is not None and v.source is intervals:
            merged, starts = v.merged, v.starts
        else:
            merged = merge(intervals)
            starts = tuple(i.start.timestamp() for i in merged)
        meeting, valid_from, valid_until = covering(merged, starts, at)
        self._verdicts[agent_id] = _Verdict(
            intervals, merged, starts, meeting, valid_from, valid_until
        )
        return meeting

    def upcoming(
        self, agent_id: str, intervals: Sequence[BusyInterval], now: datetime
    ) -> BusyInterval | None:
        """The first merged busy interval starting after `now` (for a heads-up)."""
        self.meeting(agent_id, intervals, now)  # the merged list, computed once per change
        v = self._verdicts[agent_id]
        i = bisect_right(v.starts, now.timestamp())
        return v.merged[i] if i < len(v.merged) else None

    def forget(self, agent_id: str) -> None:
        self._verdicts.pop(agent_id, None)
