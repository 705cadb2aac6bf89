"""An unchanged calendar costs one conditional request and no parse; a changed one is read
at the next poll; a read serves the polls of a day while the window slides."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchboard.demo import outlook_ics
from switchboard.presence.busy import BusyInterval
from switchboard.presence.ics_source import IcsCalendar, IcsHttp
from switchboard.presence.parse_pool import ParsePool

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 8, tzinfo=UTC)


def calendar(hour: int) -> bytes:
    start = NOW.replace(hour=hour)
    return outlook_ics([BusyInterval(start, start + timedelta(hours=1))]).encode()


class CalendarServer:
    """An HTTP server for one calendar, as Outlook's publishing or a plain web server
    answers: with validators (ETag, Last-Modified) and 304, or with neither."""

    def __init__(self, validators: bool) -> None:
        self.validators = validators
        self.body = calendar(10)
        self.version = 1
        self.requests: list[str] = []  # "200" or "304", one per request
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}/anne.ics"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        etag = f'"v{self.version}"'
        if self.validators and f"If-None-Match: {etag}" in head:
            self.requests.append("304")
            writer.write(f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode())
        else:
            self.requests.append("200")
            extra = f"ETag: {etag}\r\nLast-Modified: Mon, 23 Nov 2026 07:00:00 GMT\r\n"
            writer.write(
                f"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n"
                f"Content-Length: {len(self.body)}\r\n{extra if self.validators else ''}\r\n"
                .encode() + self.body
            )  # fmt: skip
        await writer.drain()
        writer.close()


@pytest.fixture
async def pool() -> AsyncIterator[ParsePool]:
    readers = ParsePool(workers=1, deadline_s=10.0)
    yield readers
    readers.close()


def window(minutes: int) -> tuple[datetime, datetime]:
    now = NOW + timedelta(minutes=minutes)
    return now - timedelta(hours=1), now + timedelta(hours=36)


@pytest.mark.parametrize("validators", [True, False], ids=["etag", "no-validators"])
async def test_an_unchanged_url_is_asked_conditionally_and_not_parsed_again(
    pool: ParsePool, validators: bool
) -> None:
    server = CalendarServer(validators)
    url = await server.__aenter__()
    http = IcsHttp()
    try:
        anne = IcsCalendar(url, OSLO, pool=pool, http=http)
        first = await anne(*window(0))
        for minute in range(1, 6):
            assert await anne(*window(minute)) is first  # the same read, not a new parse
        assert (anne.parsed, anne.reused) == (1, 5)
        assert server.requests == ["200"] + (["304"] * 5 if validators else ["200"] * 5)

        server.body, server.version = calendar(13), 2  # the meeting moved
        moved = await anne(*window(6))
        assert anne.parsed == 2
        assert moved.events[0].start == NOW.replace(hour=13)

        later = await anne(*window(60 * 25))  # a day on: past what the last read covered
        assert anne.parsed == 3
        assert later.events == ()  # read anew for the new window: the meeting is past
    finally:
        await http.close()
        await server.__aexit__()


async def test_an_unchanged_file_is_not_read_again(pool: ParsePool, tmp_path: Path) -> None:
    path = tmp_path / "anne.ics"
    path.write_bytes(calendar(10))
    anne = IcsCalendar(str(path), OSLO, pool=pool)
    first = await anne(*window(0))
    assert await anne(*window(1)) is first
    path.write_bytes(calendar(14))
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    assert (await anne(*window(2))).events[0].start == NOW.replace(hour=14)
    assert (anne.parsed, anne.reused) == (2, 1)
