"""Fetching an ICS calendar: a file, or a published calendar URL (Outlook, Google, iCloud).

A URL is fetched with httpx under one total deadline for connect and transfer (a server
trickling a byte every few seconds is cut off at the deadline, not after each read) and a
size cap enforced while reading. One HTTP client per host, so a slow host holds only its own
connections. Reading the text happens in the worker pool (presence.parse_pool): a file is
read there directly, so no thread of the engine waits on a disk either.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

import httpx

from switchboard.presence.calendar import CalendarRead
from switchboard.presence.codes import NO_CODES, SubjectCodes
from switchboard.presence.ics import DEFAULT_LIMITS, Limits
from switchboard.presence.parse_pool import MAX_BYTES, ParsePool, ReadJob
from switchboard.presence.polled import Fetch


class FetchError(RuntimeError):
    """The calendar could not be fetched; the text says what happened (no calendar data)."""


class IcsHttp:
    """HTTP clients for ICS URLs, one per host, with the limits every fetch obeys."""

    def __init__(
        self, *, deadline_s: float = 20.0, max_bytes: int = MAX_BYTES, per_host: int = 16
    ) -> None:
        self.deadline_s = deadline_s
        self.max_bytes = max_bytes
        self._per_host = per_host
        self._clients: dict[str, httpx.AsyncClient] = {}

    def _client(self, url: str) -> httpx.AsyncClient:
        parts = urlsplit(url)
        host = f"{parts.scheme}://{parts.netloc}"
        client = self._clients.get(host)
        if client is None:
            client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.deadline_s),
                limits=httpx.Limits(max_connections=self._per_host),
                follow_redirects=True,
                headers={"Accept": "text/calendar, */*;q=0.5"},
            )
            self._clients[host] = client
        return client

    async def get(self, url: str) -> bytes:
        """The body, within the deadline and the size cap; FetchError otherwise."""
        try:
            async with asyncio.timeout(self.deadline_s):
                return await self._get(url)
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.deadline_s:g} s "
                "(presence.calendar_fetch_deadline_s, connect and transfer together)"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from None

    async def _get(self, url: str) -> bytes:
        async with self._client(url).stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} from {urlsplit(url).netloc}")
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise FetchError(self._too_large(int(declared)))
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > self.max_bytes:
                    raise FetchError(self._too_large(len(body)))
            return bytes(body)

    def _too_large(self, size: int) -> str:
        return f"calendar larger than {self.max_bytes >> 20} MiB ({size} bytes or more)"

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


def ics_fetch(
    location: str,
    local: tzinfo,
    *,
    pool: ParsePool,
    http: IcsHttp | None = None,
    limits: Limits = DEFAULT_LIMITS,
    codes: SubjectCodes = NO_CODES,
) -> Fetch:
    """A fetch function for `PolledCalendar` reading ICS from a file path or an http(s) URL."""
    is_url = location.startswith(("https://", "http://"))
    if is_url and http is None:
        raise ValueError("an ICS URL needs an IcsHttp session")

    async def fetch(start: datetime, end: datetime) -> CalendarRead:
        if is_url:
            assert http is not None
            data = await http.get(location)
            return await pool.read(
                ReadJob(start, end, local, data=data, limits=limits, codes=codes)
            )
        return await pool.read(
            ReadJob(start, end, local, path=location, limits=limits, codes=codes)
        )

    return fetch
