"""Busy intervals: the only thing the router needs to know from a calendar."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True, order=True)
class BusyInterval:
    """A half-open span [start, end) in which the agent is out of call routing.

    Times are timezone-aware. No subject: the engine needs start and end only.
    """

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("BusyInterval needs timezone-aware start and end")
        if self.end <= self.start:
            raise ValueError(f"BusyInterval ends ({self.end}) before it starts ({self.start})")

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def merge(intervals: Iterable[BusyInterval]) -> tuple[BusyInterval, ...]:
    """Sort and merge overlapping or touching intervals (back-to-back meetings are one)."""
    merged: list[BusyInterval] = []
    for interval in sorted(intervals):
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            if interval.end > last.end:
                merged[-1] = BusyInterval(last.start, interval.end)
        else:
            merged.append(interval)
    return tuple(merged)


def busy_at(intervals: Sequence[BusyInterval], moment: datetime) -> BusyInterval | None:
    """The merged interval covering `moment`, if any (input need not be merged)."""
    for interval in merge(intervals):
        if interval.contains(moment):
            return interval
    return None


def next_boundary(intervals: Iterable[BusyInterval], after: datetime) -> datetime | None:
    """The first start or end strictly after `after`: when the decision may change."""
    upcoming = [t for i in intervals for t in (i.start, i.end) if t > after]
    return min(upcoming, default=None)
