"""Fetching a CalDAV calendar: the server's objects in the window, expanded by our own ICS
rules (so recurrence, time zones and all-day handling are the same for every source).
The caldav client is blocking: it runs off the event loop."""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from typing import Any

import caldav

from presence.calendar import CalendarEvent
from presence.ics import IcsResult, parse_ics
from presence.polled import Fetch


def _fetch_objects(
    url: str, username: str, password: str, start: datetime, end: datetime
) -> list[str]:
    dav: Any = caldav.DAVClient  # caldav's own annotations are incomplete
    with dav(url=url, username=username, password=password, timeout=20) as client:
        calendar = client.calendar(url=url)
        found = calendar.search(start=start, end=end, event=True, expand=False)
        return [str(obj.data) for obj in found]


def caldav_fetch(url: str, username: str, password: str, local: tzinfo) -> Fetch:
    """A fetch function for `PolledCalendar` reading one CalDAV calendar collection."""

    async def fetch(start: datetime, end: datetime) -> IcsResult:
        objects = await asyncio.to_thread(_fetch_objects, url, username, password, start, end)
        events: list[CalendarEvent] = []
        problems: list[str] = []
        for data in objects:
            result = await asyncio.to_thread(parse_ics, data, start, end, local)
            events.extend(result.events)
            problems.extend(result.problems)
        return IcsResult(tuple(sorted(events, key=lambda e: e.start)), tuple(problems))

    return fetch
