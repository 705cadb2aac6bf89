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
    """Free/busy for many mailboxes, fetched once per poll cycle and shared out."""

    def __init__(self, protocol: Any, mailboxes: Sequence[str], local: tzinfo) -> None:
        self._protocol = protocol
        self._mailboxes = list(mailboxes)
        self._local = local
        self._lock = asyncio.Lock()
        self._window: tuple[datetime, datetime] | None = None
        self._results: dict[str, CalendarRead | Exception] = {}
        self.requests = 0

    def fetch_for(self, mailbox: str) -> Fetch:
        """A PolledCalendar fetch for one mailbox, served from the shared batch."""

        async def fetch(start: datetime, end: datetime) -> CalendarRead:
            async with self._lock:
                if self._window != (start, end):
                    self._results = await asyncio.to_thread(self._fetch_all, start, end)
                    self._window = (start, end)
            result = self._results.get(mailbox)
            if isinstance(result, Exception):
                raise result
            if result is None:
                raise LookupError(f"Exchange returned no free/busy for {mailbox}")
            return result

        return fetch

    def _fetch_all(self, start: datetime, end: datetime) -> dict[str, CalendarRead | Exception]:
        from exchangelib import EWSDateTime, EWSTimeZone
        from exchangelib.properties import FreeBusyViewOptions, MailboxData, TimeWindow
        from exchangelib.services import GetUserAvailability

        utc = EWSTimeZone("UTC")

        def ews(moment: datetime) -> Any:
            u = moment.astimezone(UTC)
            return EWSDateTime(u.year, u.month, u.day, u.hour, u.minute, u.second, tzinfo=utc)

        results: dict[str, CalendarRead | Exception] = {}
        for first in range(0, len(self._mailboxes), BATCH):
            batch = self._mailboxes[first : first + BATCH]
            self.requests += 1
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
