"""Exchange free/busy in batches: one GetUserAvailability request per 100 mailboxes.

Cheaper than a calendar view per mailbox when subjects are not needed, but free/busy has
no all-day flag: an event that runs from local midnight to local midnight (a whole number
of days) is taken as all-day, which is how Outlook stores one, so the house rule still
holds. Times are asked for in UTC, so no GetServerTimeZones round trip is needed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from switchboard.presence.calendar import CalendarEvent, CalendarRead, ShowAs
from switchboard.presence.ics_source import READ_AHEAD
from switchboard.presence.polled import Fetch

BATCH = 100  # Exchange's limit of mailboxes per GetUserAvailability
_BUSY_TYPE = {
    "Free": ShowAs.FREE,
    "Tentative": ShowAs.TENTATIVE,
    "Busy": ShowAs.BUSY,
    "OOF": ShowAs.OUT_OF_OFFICE,
    "WorkingElsewhere": ShowAs.WORKING_ELSEWHERE,
}


def _utc_zone() -> Any:
    from exchangelib.properties import DaylightTime, StandardTime, TimeZone

    # UTC as EWS describes a zone: no bias and two identical, never-used transitions.
    transition = {"bias": 0, "time": time(0), "occurrence": 1, "iso_month": 1, "weekday": 1}
    return TimeZone(
        bias=0, standard_time=StandardTime(**transition), daylight_time=DaylightTime(**transition)
    )


def looks_all_day(start: datetime, end: datetime, local: tzinfo) -> bool:
    """Midnight to midnight in the local zone, a whole number of days long."""
    s, e = start.astimezone(local), end.astimezone(local)
    return s.time() == time(0) and e.time() == time(0) and e.date() > s.date()


class EwsFreeBusy:
    """Free/busy for many mailboxes, fetched once per poll cycle and shared out.

    One sweep asks for every mailbox, in batches, over a window a day longer than asked;
    it serves each mailbox once. A mailbox that comes back for more (its next poll, a cycle
    later) starts the next sweep, as does a window the last sweep does not cover. So every
    mailbox is asked about once per cycle, whatever second each calendar polls in.
    """

    def __init__(
        self, protocol: Any, mailboxes: Sequence[str], local: tzinfo, *, in_parallel: int = 4
    ) -> None:
        self._protocol = protocol
        self._mailboxes = list(mailboxes)
        self._local = local
        self._in_parallel = in_parallel  # batches asked at once (each in a thread)
        self._lock = asyncio.Lock()
        self._window: tuple[datetime, datetime] | None = None
        self._served: set[str] = set()
        self._results: dict[str, CalendarRead | Exception] = {}
        self.requests = 0
        self.sweeps = 0

    def fetch_for(self, mailbox: str) -> Fetch:
        """A PolledCalendar fetch for one mailbox, served from the shared sweep."""

        async def fetch(start: datetime, end: datetime) -> CalendarRead:
            async with self._lock:
                if not self._covers(start, end) or mailbox in self._served:
                    await self._sweep(start, end + READ_AHEAD)
                self._served.add(mailbox)
            result = self._results.get(mailbox)
            if isinstance(result, Exception):
                raise result
            if result is None:
                raise LookupError(f"Exchange returned no free/busy for {mailbox}")
            return result

        return fetch

    def _covers(self, start: datetime, end: datetime) -> bool:
        return self._window is not None and self._window[0] <= start and end <= self._window[1]

    async def _sweep(self, start: datetime, end: datetime) -> None:
        batches = [
            self._mailboxes[first : first + BATCH]
            for first in range(0, len(self._mailboxes), BATCH)
        ]
        gate = asyncio.Semaphore(self._in_parallel)

        async def one(batch: list[str]) -> dict[str, CalendarRead | Exception]:
            async with gate:
                self.requests += 1
                try:
                    return await asyncio.to_thread(self._fetch_batch, batch, start, end)
                except Exception as exc:  # this batch's mailboxes fail; the others go on
                    return dict.fromkeys(batch, exc)

        results: dict[str, CalendarRead | Exception] = {}
        for found in await asyncio.gather(*(one(b) for b in batches)):
            results.update(found)
        self._results, self._window, self._served = results, (start, end), set()
        self.sweeps += 1

    def _fetch_batch(
        self, batch: list[str], start: datetime, end: datetime
    ) -> dict[str, CalendarRead | Exception]:
        from exchangelib import EWSDateTime, EWSTimeZone
        from exchangelib.properties import FreeBusyViewOptions, MailboxData, TimeWindow
        from exchangelib.services import GetUserAvailability

        utc = EWSTimeZone("UTC")

        def ews(moment: datetime) -> Any:
            u = moment.astimezone(UTC)
            return EWSDateTime(u.year, u.month, u.day, u.hour, u.minute, u.second, tzinfo=utc)

        results: dict[str, CalendarRead | Exception] = {}
        views = GetUserAvailability(protocol=self._protocol).call(
            tzinfo=utc,
            mailbox_data=[MailboxData(email=m, attendee_type="Required") for m in batch],
            timezone=_utc_zone(),
            free_busy_view_options=FreeBusyViewOptions(
                time_window=TimeWindow(start=ews(start), end=ews(end)),
                merged_free_busy_interval=30,
                requested_view="FreeBusy",
            ),
        )
        for mailbox, view in zip(batch, views, strict=True):
            results[mailbox] = view if isinstance(view, Exception) else self._events(view)
        return results

    def _events(self, view: Any) -> CalendarRead:
        events = []
        for e in view.calendar_events or ():
            start, end = _aware(e.start), _aware(e.end)
            all_day = looks_all_day(start, end, self._local)
            events.append(
                CalendarEvent(start, end, all_day, _BUSY_TYPE.get(str(e.busy_type), ShowAs.BUSY))
            )
        return CalendarRead(tuple(sorted(events, key=lambda ev: ev.start)), ())


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:  # asked for in UTC
        return datetime(*moment.timetuple()[:6], tzinfo=UTC)
    return datetime.fromtimestamp(moment.timestamp(), UTC)
