"""Presence from calendars: polls every agent's calendar, applies the house rules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from presence.busy import BusyInterval
from presence.calendar import CalendarEvent
from presence.polled import PolledCalendar
from presence.rules import Verdict, all_day_hint, classify
from presence.source import Listener

log = logging.getLogger("switchboard.presence")


class CalendarPresence:
    """A PresenceSource fed by polled calendars; agents with unknown calendars are absent."""

    def __init__(
        self,
        calendars: Sequence[PolledCalendar],
        clock: Callable[[], datetime],
        *,
        poll_interval_s: float = 60.0,
        tentative_is_busy: bool = True,
        max_parallel: int = 8,
    ) -> None:
        self.calendars = {c.agent_id: c for c in calendars}
        self._clock = clock
        self._poll_interval_s = poll_interval_s
        self._tentative_is_busy = tentative_is_busy
        self._listeners: list[Listener] = []
        self._limit = asyncio.Semaphore(max_parallel)
        self._told_all_day: set[tuple[str, datetime]] = set()
        # The router asks on every pass; classify each calendar once per fetched data.
        self._verdicts: dict[str, tuple[tuple[CalendarEvent, ...], Verdict]] = {}

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

    def ignored_all_day(self, agent_id: str) -> tuple[CalendarEvent, ...]:
        calendar = self.calendars.get(agent_id)
        events = calendar.events(self._clock()) if calendar else None
        if not events:
            return ()
        return self._verdict(agent_id, events).ignored_all_day

    async def refresh_all(self) -> bool:
        """Poll every calendar once (bounded parallelism); tell listeners if anything changed."""
        now = self._clock()

        async def one(calendar: PolledCalendar) -> bool:
            async with self._limit:
                return await calendar.refresh(now)

        changed = any(await asyncio.gather(*(one(c) for c in self.calendars.values())))
        self._tell_about_all_day()
        if changed:
            for listener in self._listeners:
                listener()
        return changed

    async def run(self) -> None:
        """Poll forever; transitions are scheduled by the router, not by this loop."""
        while True:
            await self.refresh_all()
            await asyncio.sleep(self._poll_interval_s)

    def _tell_about_all_day(self) -> None:
        for agent_id in self.calendars:
            for event in self.ignored_all_day(agent_id):
                key = (agent_id, event.start)
                if key not in self._told_all_day:
                    self._told_all_day.add(key)
                    log.info("%s: %s", agent_id, all_day_hint(event))
