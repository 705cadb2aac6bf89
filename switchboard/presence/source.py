"""The presence interface the router reads, and an in-memory source behind it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from switchboard.presence.busy import BusyInterval, merge

Listener = Callable[[], None]


class PresenceSource(Protocol):
    """Busy intervals per agent id. Agents it knows nothing about are simply absent.

    Absent means unknown, and unknown never pauses anyone.
    """

    def busy_intervals(self) -> Mapping[str, Sequence[BusyInterval]]: ...

    def subscribe(self, listener: Listener) -> None:
        """Call `listener` whenever the intervals change (a meeting added or moved)."""

    def take_changes(self) -> set[str] | None:
        """The agents whose intervals may have changed since the last call (None: read
        them all); a reader that keeps its own copy reads only those (`busy_of`)."""

    def busy_of(self, agent_id: str) -> Sequence[BusyInterval] | None:
        """One agent's intervals (None: unknown)."""


class InMemoryPresence:
    """Presence held in memory: for tests of the router shell, and as a plain reference source."""

    def __init__(self, initial: Mapping[str, Iterable[BusyInterval]] | None = None) -> None:
        self._intervals: dict[str, tuple[BusyInterval, ...]] = {
            agent: merge(spans) for agent, spans in (initial or {}).items()
        }
        self._listeners: list[Listener] = []
        self._changed: set[str] | None = None

    def busy_intervals(self) -> Mapping[str, Sequence[BusyInterval]]:
        return dict(self._intervals)

    def take_changes(self) -> set[str] | None:
        changed, self._changed = self._changed, set()
        return changed

    def busy_of(self, agent_id: str) -> Sequence[BusyInterval] | None:
        return self._intervals.get(agent_id)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def set(self, agent_id: str, intervals: Iterable[BusyInterval]) -> None:
        """Replace one agent's intervals and tell the listeners."""
        self._intervals[agent_id] = merge(intervals)
        if self._changed is not None:
            self._changed.add(agent_id)
        for listener in self._listeners:
            listener()

    def add(self, agent_id: str, interval: BusyInterval) -> None:
        self.set(agent_id, (*self._intervals.get(agent_id, ()), interval))
