"""CalDAV against a real Radicale server started by the test."""

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

from presence.busy import BusyInterval
from presence.caldav_source import caldav_fetch
from presence.calendars import CalendarPresence
from presence.polled import PolledCalendar
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


def _calendar_with(base: str, name: str, *events: str) -> str:
    # Radicale wants some username even with auth off.
    dav: Any = caldav.DAVClient  # caldav's own annotations are incomplete
    with dav(url=base, username="anne", password="x") as client:
        calendar = client.principal().make_calendar(name=name, cal_id=name)
        for event in events:
            calendar.save_event(cal(event))
        return str(calendar.url)


async def test_a_caldav_calendar_makes_its_agent_busy(radicale: str) -> None:
    weekly = ev("w", "20261102T100000", "20261102T110000", "RRULE:FREQ=WEEKLY;COUNT=4")
    all_day = ev("o", "20261124T000000", "20261125T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
    url = _calendar_with(radicale, "anne-work", weekly, all_day)
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    polled = PolledCalendar(
        "anne", "caldav", caldav_fetch(url, "anne", "x", OSLO), window=timedelta(days=3)
    )
    presence = CalendarPresence([polled], lambda: now)
    assert await presence.refresh_all()
    start = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    assert presence.busy_intervals() == {"anne": (BusyInterval(start, start + timedelta(hours=1)),)}
    (ignored,) = presence.ignored_all_day("anne")
    assert ignored.start == datetime(2026, 11, 24, tzinfo=OSLO)


async def test_an_unreachable_caldav_server_is_a_source_error(radicale: str) -> None:
    url = f"http://127.0.0.1:{_free_port()}/anne/nothing/"
    polled = PolledCalendar("anne", "caldav", caldav_fetch(url, "anne", "x", OSLO))
    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    assert not await polled.refresh(now)
    assert polled.health.last_error
    assert polled.events(now) is None
