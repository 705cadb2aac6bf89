"""One calendar never harms another: zones, recurrence bombs, stuck reads, slow servers."""

import asyncio
import os
import time
from collections.abc import AsyncIterator
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchboard.presence import ics_recur
from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.ics import CalendarError, parse_ics
from switchboard.presence.ics_source import IcsHttp, ics_fetch
from switchboard.presence.parse_pool import ParsePool, ReadJob
from switchboard.presence.polled import PolledCalendar
from switchboard.presence.rules import classify
from tests.presence.test_ics import cal, ev

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
END = NOW + timedelta(hours=36)


def custom_zone(offset: str) -> str:
    """Outlook's "Customized Time Zone": a TZID that is neither IANA nor Windows."""
    return (
        "BEGIN:VTIMEZONE\r\nTZID:Customized Time Zone\r\nBEGIN:STANDARD\r\n"
        f"DTSTART:16010101T000000\r\nTZOFFSETFROM:{offset}\r\nTZOFFSETTO:{offset}\r\n"
        "END:STANDARD\r\nEND:VTIMEZONE\r\n"
    )


def with_zone(offset: str) -> str:
    body = cal(ev("m", "20261123T170000", "20261123T180000", tz="Customized Time Zone"))
    return body.replace("BEGIN:VEVENT", custom_zone(offset) + "BEGIN:VEVENT", 1)


def utc_start(text: str) -> datetime:
    (event,) = parse_ics(text, NOW, END, OSLO).events
    return event.start.astimezone(UTC)


@pytest.mark.parametrize("order", [("+0700", "-0500"), ("-0500", "+0700")])
def test_two_calendars_sharing_a_custom_tzid_each_keep_their_own_zone(
    order: tuple[str, str],
) -> None:
    expected = {"+0700": datetime(2026, 11, 23, 10, tzinfo=UTC)}
    expected["-0500"] = datetime(2026, 11, 23, 22, tzinfo=UTC)
    for _poll in range(3):
        for offset in order:
            assert utc_start(with_zone(offset)) == expected[offset]


def test_a_corrected_zone_is_read_as_corrected_on_the_next_poll() -> None:
    assert utc_start(with_zone("+0700")) == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert utc_start(with_zone("+0100")) == datetime(2026, 11, 23, 16, tzinfo=UTC)


def test_a_custom_tzid_seen_elsewhere_is_still_unknown_where_it_is_not_defined() -> None:
    utc_start(with_zone("+0700"))
    bare = cal(ev("m", "20261123T170000", "20261123T180000", tz="Customized Time Zone"))
    result = parse_ics(bare, NOW, END, OSLO)
    assert result.events == ()
    assert "unknown time zone 'Customized Time Zone'" in result.problems[0]


BOMBS = {
    "minutely, a billion times": "RRULE:FREQ=MINUTELY;COUNT=1000000000",
    "minutely until 2099": "RRULE:FREQ=SECONDLY;UNTIL=20991231T000000Z",
    "daily, every second": "RRULE:FREQ=DAILY;BYHOUR="
    + ",".join(map(str, range(24)))
    + ";BYMINUTE="
    + ",".join(map(str, range(60)))
    + ";BYSECOND="
    + ",".join(map(str, range(60))),
    "yearly by minute": "RRULE:FREQ=YEARLY;BYMONTH="
    + ",".join(map(str, range(1, 13)))
    + ";BYMONTHDAY="
    + ",".join(map(str, range(1, 32)))
    + ";BYMINUTE="
    + ",".join(map(str, range(60)))
    + ";COUNT=100000000",
}


@pytest.mark.parametrize("rule", BOMBS.values(), ids=BOMBS.keys())
def test_a_recurrence_bomb_is_priced_skipped_and_reported_and_the_rest_kept(rule: str) -> None:
    bomb = ev("bomb", "20000101T000000", "20000101T000100", rule)
    text = cal(ev("a", "20261123T100000", "20261123T110000"), bomb)
    began = time.process_time()
    result = parse_ics(text, NOW, END, OSLO)
    assert time.process_time() - began < 2  # a guard against hanging, not a speed test
    assert [e.start for e in result.events] == [datetime(2026, 11, 23, 10, tzinfo=OSLO)]
    (problem,) = result.problems
    assert problem.startswith("event 2 (line 10): repeats ")
    assert "steps to expand, over the limit" in problem


def test_a_minutely_rule_until_2099_costs_only_its_window() -> None:
    # Not a bomb: whole periods before the window are skipped, not walked.
    rule = "RRULE:FREQ=MINUTELY;INTERVAL=30;UNTIL=20991231T000000Z"
    text = cal(ev("m", "20000101T000000", "20000101T000100", rule))
    result = parse_ics(text, NOW, END, OSLO)
    assert result.problems == ()
    assert len(result.events) == 72  # every 30 minutes through the 36-hour window


@pytest.fixture
async def quick_pool() -> AsyncIterator[ParsePool]:
    readers = ParsePool(workers=2, deadline_s=1.0)
    yield readers
    readers.close()


async def test_a_read_that_hangs_is_stopped_at_the_deadline_and_others_go_on(
    tmp_path: Path, quick_pool: ParsePool
) -> None:
    stuck = tmp_path / "stuck.ics"
    os.mkfifo(stuck)  # reading it blocks forever: only killing the reader stops it
    good = tmp_path / "good.ics"
    good.write_text(cal(ev("a", "20261123T100000", "20261123T110000")))
    jobs = [ReadJob(NOW, END, OSLO, path=str(p)) for p in (stuck, stuck, good)]
    began = time.monotonic()
    results = await asyncio.gather(*(quick_pool.read(j) for j in jobs), return_exceptions=True)
    assert time.monotonic() - began < 15  # two 1 s deadlines and fresh readers, not forever
    for result in results[:2]:
        assert isinstance(result, CalendarError)
        assert "reading took longer than 1 s and was stopped" in str(result)
    assert not isinstance(results[2], BaseException)
    assert len(results[2].events) == 1
    assert quick_pool.killed == 2
    again = await quick_pool.read(jobs[2])  # fresh workers took the killed ones' places
    assert len(again.events) == 1


class Trickle:
    """An HTTP server on 127.0.0.1 that sends a calendar one byte every half second."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None

    async def __aenter__(self) -> str:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/anne.ics"

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        body = cal(ev("t", "20261123T100000", "20261123T110000")).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n")
        writer.write(f"Content-Length: {len(body)}\r\n\r\n".encode())
        try:
            for byte in body:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(0.5)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()


async def test_a_trickling_url_never_delays_a_local_calendar(
    tmp_path: Path, pool: ParsePool
) -> None:
    local = tmp_path / "bo.ics"
    local.write_text(cal(ev("b", "20261123T100000", "20261123T110000")))
    http = IcsHttp(deadline_s=4)
    await pool.read(ReadJob(NOW, END, OSLO, path=str(local)))  # readers started: not timed
    async with Trickle() as url:
        slow = PolledCalendar("anne", "ics", ics_fetch(url, OSLO, pool=pool, http=http))
        fast = PolledCalendar("bo", "ics", ics_fetch(str(local), OSLO, pool=pool))
        presence = CalendarPresence([slow, fast], lambda: NOW, poll_interval_s=60)
        told: list[float] = []
        began = time.monotonic()
        presence.subscribe(lambda: told.append(time.monotonic() - began))
        running = asyncio.create_task(presence.run())
        await asyncio.sleep(5.0)
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
    await http.close()
    assert told  # bo's meeting reached the router, without waiting for anne's server
    assert told[0] < 4  # before anne's server was given up on
    start = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    assert presence.busy_intervals() == {"bo": (BusyInterval(start, start + timedelta(hours=1)),)}
    assert "no complete answer within 4 s" in slow.health.last_error


def test_the_bombs_do_not_change_what_the_good_events_say() -> None:
    good = ev("a", "20261123T100000", "20261123T110000")
    alone = classify(parse_ics(cal(good), NOW, END, OSLO).events).busy
    bombs = [
        ev(f"b{i}", "20000101T000000", "20000101T000100", r) for i, r in enumerate(BOMBS.values())
    ]
    assert classify(parse_ics(cal(good, *bombs), NOW, END, OSLO).events).busy == alone


def test_a_rule_whose_filter_empties_every_period_is_stopped_and_reported() -> None:
    # Priced cheap (it yields nothing), but dateutil would walk on to the year 9999.
    never = ev("n", "20261123T120000", "20261123T130000", "RRULE:FREQ=DAILY;BYSETPOS=-335")
    began = time.process_time()
    result = parse_ics(cal(ev("a", "20261123T100000", "20261123T110000"), never), NOW, END, OSLO)
    assert time.process_time() - began < 3  # a guard against hanging, not a speed test
    assert [e.start for e in result.events] == [datetime(2026, 11, 23, 10, tzinfo=OSLO)]
    assert result.problems == (
        "event 2 (line 10): took over 1 s of CPU to expand; stopped; skipped",
    )


def test_a_rule_that_overran_once_is_skipped_at_once_on_the_next_poll(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    expansions = []
    guard = ics_recur.cpu_guard

    def counted(seconds: float) -> AbstractContextManager[None]:
        expansions.append(seconds)
        return guard(seconds)

    monkeypatch.setattr(ics_recur, "cpu_guard", counted)
    never = ev("n", "20261123T120000", "20261123T130000", "RRULE:FREQ=DAILY;BYSETPOS=-336")
    text = cal(ev("a", "20261123T100000", "20261123T110000"), never)
    first = parse_ics(text, NOW, END, OSLO)
    assert first.problems == (
        "event 2 (line 10): took over 1 s of CPU to expand; stopped; skipped",
    )
    for hour in range(1, 6):  # five more polls, the window moving on
        again = parse_ics(text, NOW + timedelta(hours=hour), END + timedelta(hours=hour), OSLO)
        assert again.problems == first.problems  # still reported, each poll
    assert len(expansions) == 1  # the 1 s allowance was paid once, not six times
