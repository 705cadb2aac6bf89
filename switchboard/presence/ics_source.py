"""Fetching an ICS calendar: a file, or a published calendar URL (Outlook, Google, iCloud).

A URL is fetched with httpx under one total deadline for connect and transfer (a server
trickling a byte every few seconds is cut off at the deadline, not after each read) and a
size cap enforced while reading. One HTTP client per host, so a slow host holds only its own
connections. Reading the text happens in the worker pool (presence.parse_pool): a file is
read there directly, so no thread of the engine waits on a disk either.

An unchanged calendar costs one conditional request and no parse: the server's ETag and
Last-Modified go back as If-None-Match and If-Modified-Since, and a 304 (or a body with the
same digest, from a server that offers neither) reuses the last read. A read covers a day
more than asked, so it serves the polls of a day while the window slides. A file is read
again only when its size or modification time changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from urllib.parse import urlsplit

import httpx

from switchboard.presence.calendar import CalendarRead
from switchboard.presence.codes import NO_CODES, SubjectCodes
from switchboard.presence.ics import DEFAULT_LIMITS, Limits
from switchboard.presence.parse_pool import MAX_BYTES, ParsePool, ReadJob
from switchboard.presence.polled import Fetch


class FetchError(RuntimeError):
    """The calendar could not be fetched; the text says what happened (no calendar data)."""


# How far past the window asked for a read reaches, so it can serve the next polls.
READ_AHEAD = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Answer:
    """What a conditional GET gave: a body (None: 304, not modified) and its validators."""

    body: bytes | None
    etag: str = ""
    last_modified: str = ""


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
        answer = await self.get_if_changed(url)
        assert answer.body is not None
        return answer.body

    async def get_if_changed(self, url: str, etag: str = "", last_modified: str = "") -> Answer:
        """The body unless the validators say it is unchanged (then `body` is None)."""
        try:
            async with asyncio.timeout(self.deadline_s):
                return await self._get(url, etag, last_modified)
        except TimeoutError:
            raise FetchError(
                f"no complete answer within {self.deadline_s:g} s "
                "(presence.calendar_fetch_deadline_s, connect and transfer together)"
            ) from None
        except httpx.HTTPError as exc:
            raise FetchError(f"{type(exc).__name__}: {exc}") from None

    async def _get(self, url: str, etag: str, last_modified: str) -> Answer:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._client(url).stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and headers:
                return Answer(None, etag, last_modified)
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
            return Answer(
                bytes(body),
                response.headers.get("ETag", ""),
                response.headers.get("Last-Modified", ""),
            )

    def _too_large(self, size: int) -> str:
        return f"calendar larger than {self.max_bytes >> 20} MiB ({size} bytes or more)"

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


Key = tuple[object, ...]  # (size, mtime, inode) of a file; (digest,) of a URL's body


@dataclass(frozen=True, slots=True)
class _LastRead:
    """A calendar's last read, and what says whether its source changed since."""

    key: Key
    start: datetime
    end: datetime
    read: CalendarRead

    def serves(self, key: Key, start: datetime, end: datetime) -> bool:
        return key == self.key and self.start <= start and end <= self.end


class IcsCalendar:
    """A fetch function for `PolledCalendar`: ICS from a file path or an http(s) URL, read
    again only when it changed (or the window moved past the last read)."""

    def __init__(
        self,
        location: str,
        local: tzinfo,
        *,
        pool: ParsePool,
        http: IcsHttp | None = None,
        limits: Limits = DEFAULT_LIMITS,
        codes: SubjectCodes = NO_CODES,
    ) -> None:
        self.is_url = location.startswith(("https://", "http://"))
        if self.is_url and http is None:
            raise ValueError("an ICS URL needs an IcsHttp session")
        self.location = location
        self._local = local
        self._pool = pool
        self._http = http
        self._limits = limits
        self._codes = codes
        self._last: _LastRead | None = None
        self._etag = ""
        self._modified = ""
        self.parsed = 0  # reads parsed (in the pool)
        self.reused = 0  # polls the last read served

    async def __call__(self, start: datetime, end: datetime) -> CalendarRead:
        if not self.is_url:
            stat = await asyncio.to_thread(os.stat, self.location)
            key: Key = (stat.st_size, stat.st_mtime_ns, stat.st_ino)
            return self._reuse(key, start, end) or await self._parse(key, start, end)
        assert self._http is not None
        answer = await self._http.get_if_changed(self.location, self._etag, self._modified)
        if answer.body is None and self._last is not None:  # 304: the server says unchanged
            if reused := self._reuse(self._last.key, start, end):
                return reused
            answer = await self._http.get_if_changed(self.location)  # the window moved on
        assert answer.body is not None
        self._etag, self._modified = answer.etag, answer.last_modified
        key = (hashlib.sha256(answer.body).digest(),)
        return self._reuse(key, start, end) or await self._parse(key, start, end, answer.body)

    def _reuse(self, key: Key, start: datetime, end: datetime) -> CalendarRead | None:
        if self._last is not None and self._last.serves(key, start, end):
            self.reused += 1
            return self._last.read
        return None

    async def _parse(
        self, key: Key, start: datetime, end: datetime, data: bytes = b""
    ) -> CalendarRead:
        job = ReadJob(
            start, end + READ_AHEAD, self._local, data=data,
            path="" if data else self.location, limits=self._limits, codes=self._codes,
        )  # fmt: skip
        read = await self._pool.read(job)
        self.parsed += 1
        self._last = _LastRead(key, start, end + READ_AHEAD, read)
        return read


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
    return IcsCalendar(location, local, pool=pool, http=http, limits=limits, codes=codes)
