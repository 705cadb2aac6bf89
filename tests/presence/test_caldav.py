"""CalDAV against a real Radicale server started by the test: one session per server,
sync tokens so an unchanged calendar costs one request."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import caldav
import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.caldav_source import DavCalendar, DavSession
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.parse_pool import ParsePool
from switchboard.presence.polled import PolledCalendar
from tests.presence.test_ics import cal, ev

OSLO = ZoneInfo("Europe/Oslo")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder: Path = tmp_path_factory.mktemp("radicale")
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable, "-m", "radicale", "--config", "", "--auth-type", "none",
            "--auth-delay", "0", "--server-hosts", f"127.0.0.1:{port}",
            "--storage-filesystem-folder", str(folder),
            # Sync tokens are aged by the files' times against Radicale's clock; under a
            # faked clock (the year-ahead run) those differ, and every token looked expired.
            "--storage-max-sync-token-age", str(10 * 365 * 86400),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("Radicale did not start")
            time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        process.wait(10)


def _calendar_with(base: str, name: str, *events: str) -> Any:
    # Radicale wants some username even with auth off. The test writes with the caldav
    # library, a client independent of ours.
    dav: Any = caldav.DAVClient  # caldav's own annotations are incomplete
    client = dav(url=base, username="anne", password="x")
    calendar = client.principal().make_calendar(name=name, cal_id=name)
    for event in events:
        calendar.save_event(cal(event))
    return calendar


NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


async def test_a_caldav_calendar_makes_its_agent_busy(radicale: str, pool: ParsePool) -> None:
    weekly = ev("w", "20261102T100000", "20261102T110000", "RRULE:FREQ=WEEKLY;COUNT=4")
    all_day = ev("o", "20261124T000000", "20261125T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
    url = str(_calendar_with(radicale, "anne-work", weekly, all_day).url)
    session = DavSession("anne", "x")
    polled = PolledCalendar(
        "anne", "caldav", DavCalendar(session, url, OSLO, pool).fetch, window=timedelta(days=3)
    )
    presence = CalendarPresence([polled], lambda: NOW)
    assert await presence.refresh_all()
    start = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    assert presence.busy_intervals() == {"anne": (BusyInterval(start, start + timedelta(hours=1)),)}
    (ignored,) = presence.ignored_all_day("anne")
    assert ignored.start == datetime(2026, 11, 24, tzinfo=OSLO)
    await session.close()


async def test_an_unchanged_calendar_costs_one_request_and_changes_are_seen(
    radicale: str, pool: ParsePool
) -> None:
    first = ev("a", "20261123T100000", "20261123T110000")
    anne = _calendar_with(radicale, "anne-sync", first)
    bo = _calendar_with(radicale, "bo-sync", ev("b", "20261123T120000", "20261123T130000"))
    session = DavSession("anne", "x")  # one session for both calendars on this server
    calendars = [
        DavCalendar(session, str(anne.url), OSLO, pool),
        DavCalendar(session, str(bo.url), OSLO, pool),
    ]
    end = NOW + timedelta(hours=36)
    for calendar in calendars:
        assert len((await calendar.fetch(NOW, end)).events) == 1
    assert len(session._clients) == 1
    before = session.requests
    for calendar in calendars:
        await calendar.fetch(NOW, end)
    assert session.requests - before == 2  # one sync-collection REPORT each, nothing fetched
    anne.save_event(cal(ev("c", "20261123T140000", "20261123T150000")))
    anne.event_by_uid("a").delete()
    before = session.requests
    starts = [e.start for e in (await calendars[0].fetch(NOW, end)).events]
    assert starts == [datetime(2026, 11, 23, 14, tzinfo=OSLO)]
    assert session.requests - before == 2  # the changes, then the one new object
    await session.close()


async def test_an_unreachable_caldav_server_is_a_source_error(
    radicale: str, pool: ParsePool
) -> None:
    url = f"http://127.0.0.1:{_free_port()}/anne/nothing/"
    session = DavSession("anne", "x")
    polled = PolledCalendar("anne", "caldav", DavCalendar(session, url, OSLO, pool).fetch)
    assert not await polled.refresh(NOW)
    assert "ConnectError" in polled.health.last_error
    assert polled.events(NOW) is None
    await session.close()


async def test_calendar_codes_are_read_from_caldav_objects_in_the_reader(
    radicale: str, pool: ParsePool
) -> None:
    from switchboard.presence.codes import SubjectCodes

    coded = ev("m", "20261123T100000", "20261123T110000", "TRANSP:TRANSPARENT").replace(
        "SUMMARY:Salary talk", "SUMMARY:MØT: Styremøte"
    )
    info = ev("l", "20261123T113000", "20261123T120000").replace(
        "SUMMARY:Salary talk", "SUMMARY:\\;Lunsj"
    )
    url = str(_calendar_with(radicale, "anne-codes", coded, info).url)
    session = DavSession("anne", "x")
    codes = SubjectCodes(busy=("MØT:",), info=(";",))
    fetch = DavCalendar(session, url, OSLO, pool, codes=codes).fetch
    presence = CalendarPresence([PolledCalendar("anne", "caldav", fetch)], lambda: NOW, zone=OSLO)
    await presence.refresh_all()
    start = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    # Free-shown with a busy code: busy; busy-shown with the info code: information only.
    assert presence.busy_intervals() == {"anne": (BusyInterval(start, start + timedelta(hours=1)),)}
    (ignored,) = presence.ignored("anne")
    assert ignored.info_only
    assert ignored.start == datetime(2026, 11, 23, 11, 30, tzinfo=OSLO)
    await session.close()
