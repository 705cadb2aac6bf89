"""Presence from calendars: every calendar polled in its own task, the house rules applied.

Calendars are islands: each polls on its own schedule with its own total deadline, and its
news reaches the router as soon as it has it. No poll waits for another calendar, so the
slowest source (a server trickling bytes, a file that takes long to read) delays only itself.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, tzinfo

from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendar import CalendarEvent
from switchboard.presence.polled import PolledCalendar
from switchboard.presence.rules import Verdict, classify, ignored_hint
from switchboard.presence.source import Listener

log = logging.getLogger("switchboard.presence")

TELL_WITHIN_S = 0.1


class CalendarPresence:
    """A PresenceSource fed by polled calendars; agents with unknown calendars are absent."""

    def __init__(
        self,
        calendars: Sequence[PolledCalendar],
        clock: Callable[[], datetime],
        *,
        poll_interval_s: float = 60.0,
        tentative_is_busy: bool = True,
        zone: tzinfo | None = None,  # the office's: hints say times as people read them
        max_in_flight: int = 32,  # polls under way at once (their deadlines start inside)
    ) -> None:
        self.zone = zone
        self.calendars = {c.agent_id: c for c in calendars}
        self._clock = clock
        self._poll_interval_s = poll_interval_s
        self._tentative_is_busy = tentative_is_busy
        self._listeners: list[Listener] = []
        self._told_all_day: set[tuple[str, datetime]] = set()
        # The router asks on every pass; classify each calendar once per fetched data.
        self._verdicts: dict[str, tuple[tuple[CalendarEvent, ...], Verdict]] = {}
        self._telling: asyncio.TimerHandle | None = None
        # 10,000 calendars polled at start would otherwise all wait for the same readers,
        # and their deadlines would run out in the queue: a calendar's deadline is its own
        # fetch and read, so polls take turns here before it starts.
        self._in_flight = asyncio.Semaphore(max_in_flight)
        # The agents whose view changed since the router last asked (None: it reads all),
        # and when each calendar's data turns stale, which changes the view unannounced.
        self._changed: set[str] | None = None
        self._stale: list[tuple[datetime, str]] = []  # a heap, one entry per calendar
        self._watched: set[str] = set()  # calendars with an entry in it
        # What the sources share (reader pool, HTTP sessions), closed by `aclose`.
        self.resources: list[Callable[[], Awaitable[None] | None]] = []

    def _verdict(self, agent_id: str, events: tuple[CalendarEvent, ...]) -> Verdict:
        cached = self._verdicts.get(agent_id)
        if cached is not None and cached[0] is events:
            return cached[1]
        verdict = classify(events, tentative_is_busy=self._tentative_is_busy)
        self._verdicts[agent_id] = (events, verdict)
        return verdict

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def busy_intervals(self) -> Mapping[str, Sequence[BusyInterval]]:
        now = self._clock()
        busy: dict[str, Sequence[BusyInterval]] = {}
        for agent_id, calendar in self.calendars.items():
            events = calendar.events(now)
            if events is not None:
                busy[agent_id] = self._verdict(agent_id, events).busy
        return busy

    def take_changes(self) -> set[str] | None:
        changed, self._changed = self._changed, set()
        if changed is not None:
            now = self._clock()
            while self._stale and self._stale[0][0] < now:  # (as `events` reads stale)
                _, agent_id = heapq.heappop(self._stale)
                stale_at = self.calendars[agent_id].stale_at
                if stale_at is not None and stale_at >= now:  # refreshed since: watch on
                    heapq.heappush(self._stale, (stale_at, agent_id))
                else:
                    self._watched.discard(agent_id)
                    changed.add(agent_id)
        return changed

    def busy_of(self, agent_id: str) -> Sequence[BusyInterval] | None:
        calendar = self.calendars.get(agent_id)
        events = calendar.events(self._clock()) if calendar else None
        return None if events is None else self._verdict(agent_id, events).busy

    def ignored_all_day(self, agent_id: str) -> tuple[CalendarEvent, ...]:
        calendar = self.calendars.get(agent_id)
        events = calendar.events(self._clock()) if calendar else None
        if not events:
            return ()
        return self._verdict(agent_id, events).ignored_all_day

    def ignored(self, agent_id: str) -> tuple[CalendarEvent, ...]:
        """All-day and information-only events: what the person is told is not busy."""
        calendar = self.calendars.get(agent_id)
        events = calendar.events(self._clock()) if calendar else None
        if not events:
            return ()
        return self._verdict(agent_id, events).ignored

    async def refresh(self, calendar: PolledCalendar) -> bool:
        """Poll one calendar (its own deadline applies); tell listeners soon if it changed.

        Listeners hear within TELL_WITHIN_S of a change, once for all the changes in that
        time: 2,000 calendars read in one burst wake the router a few times, not 2,000.
        """
        async with self._in_flight:
            changed = await calendar.refresh(self._clock())
        self._tell_about_ignored(calendar.agent_id)
        if changed and self._changed is not None:
            self._changed.add(calendar.agent_id)
        stale_at = calendar.stale_at
        if stale_at is not None and calendar.agent_id not in self._watched:
            self._watched.add(calendar.agent_id)
            heapq.heappush(self._stale, (stale_at, calendar.agent_id))
        if changed and self._telling is None:
            self._telling = asyncio.get_running_loop().call_later(TELL_WITHIN_S, self._tell)
        return changed

    def _tell(self) -> None:
        if self._telling is not None:
            self._telling.cancel()
            self._telling = None
        for listener in self._listeners:
            listener()

    async def refresh_all(self) -> bool:
        """Poll every calendar once, side by side; listeners are told when all are done."""
        results = await asyncio.gather(*(self.refresh(c) for c in self.calendars.values()))
        if self._telling is not None:
            self._tell()
        return any(results)

    async def run(self) -> None:
        """Poll forever, every calendar in its own task on its own schedule."""
        async with asyncio.TaskGroup() as tasks:
            for calendar in self.calendars.values():
                tasks.create_task(
                    self._poll_forever(calendar), name=f"calendar {calendar.agent_id}"
                )

    async def _poll_forever(self, calendar: PolledCalendar) -> None:
        # Read at once at start; then spread over the interval (each calendar at its own
        # offset), so 10,000 calendars poll a steady 170 a second, not all in one burst.
        spread = random.Random(calendar.agent_id)
        await self.refresh(calendar)
        await asyncio.sleep(self._poll_interval_s * spread.random())
        while True:
            await self.refresh(calendar)
            await asyncio.sleep(self._poll_interval_s * spread.uniform(0.98, 1.02))

    async def aclose(self) -> None:
        if self._telling is not None:
            self._telling.cancel()
            self._telling = None
        for close in self.resources:
            done = close()
            if done is not None:
                await done
        self.resources.clear()

    def _tell_about_ignored(self, agent_id: str) -> None:
        for event in self.ignored(agent_id):
            key = (agent_id, event.start)
            if key not in self._told_all_day:
                self._told_all_day.add(key)
                log.info("%s: %s", agent_id, ignored_hint(event, self.zone))
