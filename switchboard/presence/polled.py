"""A polled calendar: keeps its last good data, reports its health, goes unknown when stale.

Modelled on a data-update coordinator: failures keep the last good events until they are
`stale_after` old; after that the calendar is unknown, and unknown never pauses anyone.
State changes are logged (failing, recovered, stale), not every failed poll, and skipped
events are logged when the list of them changes, not on every poll.
Every fetch has one total deadline (connect, transfer and reading together).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from switchboard.presence.calendar import CalendarEvent, CalendarRead

log = logging.getLogger("switchboard.presence")

Fetch = Callable[[datetime, datetime], Awaitable[CalendarRead]]


@dataclass(slots=True)
class SourceHealth:
    """What ops and `calendar check` see of one calendar source."""

    name: str
    last_success: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    problems: tuple[str, ...] = ()  # events skipped by the last good fetch
    errors: int = 0  # failed fetches since start

    def age_s(self, now: datetime) -> float | None:
        return None if self.last_success is None else (now - self.last_success).total_seconds()


class PolledCalendar:
    """One agent's calendar behind one fetch function."""

    def __init__(
        self,
        agent_id: str,
        name: str,
        fetch: Fetch,
        *,
        window: timedelta = timedelta(hours=36),
        stale_after: timedelta = timedelta(minutes=15),
        deadline_s: float = 30.0,
    ) -> None:
        self.agent_id = agent_id
        self.health = SourceHealth(name)
        self._fetch = fetch
        self._window = window
        self._stale_after = stale_after
        self.deadline_s = deadline_s
        self._events: tuple[CalendarEvent, ...] = ()
        self._reported_stale = False
        self._last_view: tuple[CalendarEvent, ...] | None = None

    @property
    def stale_at(self) -> datetime | None:
        """When the last good data stops counting (None: never fetched)."""
        last = self.health.last_success
        return None if last is None else last + self._stale_after

    def events(self, now: datetime) -> tuple[CalendarEvent, ...] | None:
        """The last good events, or None when never fetched or too stale to trust."""
        last = self.health.last_success
        if last is None or now - last > self._stale_after:
            return None
        return self._events

    async def refresh(self, now: datetime) -> bool:
        """Fetch once; returns whether what the engine sees changed."""
        before = self._last_view
        try:
            async with asyncio.timeout(self.deadline_s):
                result = await self._fetch(now - timedelta(hours=1), now + self._window)
        except TimeoutError:
            self._failed(now, f"no data within {self.deadline_s:g} s; stopped")
        except Exception as exc:  # any adapter failure is a source failure, never fatal
            self._failed(now, f"{type(exc).__name__}: {exc}")
        else:
            if self.health.last_error:
                log.info("calendar %s of %s recovered", self.health.name, self.agent_id)
            self.health.last_success = now
            self.health.last_error = ""
            told = set(self.health.problems)
            for problem in result.problems:
                if problem not in told:  # once per problem, not once per poll
                    log.warning("calendar %s of %s: %s", self.health.name, self.agent_id, problem)
            self.health.problems = result.problems
            self._events = result.events
            self._reported_stale = False
        after = self._last_view = self.events(now)
        if after is None and before is not None and not self._reported_stale:
            self._reported_stale = True
            log.warning(
                "calendar %s of %s is stale (no good data for %s); treated as unknown: "
                "it pauses nobody",
                self.health.name,
                self.agent_id,
                self._stale_after,
            )
        return after != before

    def _failed(self, now: datetime, error: str) -> None:
        if not self.health.last_error:
            log.warning(
                "calendar %s of %s failing: %s (last good data kept up to %s)",
                self.health.name,
                self.agent_id,
                error,
                self._stale_after,
            )
        self.health.last_error = error
        self.health.last_error_at = now
        self.health.errors += 1
