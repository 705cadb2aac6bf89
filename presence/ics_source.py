"""Fetching an ICS calendar: a file, or a published Outlook calendar URL. Blocking work
(file and network reads, parsing) runs off the event loop."""

from __future__ import annotations

import asyncio
import urllib.request
from datetime import datetime, tzinfo
from pathlib import Path

from presence.ics import IcsResult, parse_ics
from presence.polled import Fetch

MAX_BYTES = 20 << 20


def _read(location: str, timeout_s: float) -> bytes:
    if location.startswith(("https://", "http://")):
        with urllib.request.urlopen(location, timeout=timeout_s) as response:
            data: bytes = response.read(MAX_BYTES + 1)
    else:
        data = Path(location).read_bytes()
    if len(data) > MAX_BYTES:
        raise ValueError(f"calendar larger than {MAX_BYTES >> 20} MiB")
    return data


def ics_fetch(location: str, local: tzinfo, *, timeout_s: float = 20.0) -> Fetch:
    """A fetch function for `PolledCalendar` reading ICS from `location`."""

    async def fetch(start: datetime, end: datetime) -> IcsResult:
        data = await asyncio.to_thread(_read, location, timeout_s)
        return await asyncio.to_thread(parse_ics, data, start, end, local)

    return fetch
