"""A failing calendar keeps its last good data for a while, then pauses nobody."""

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendar import CalendarRead
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.ics_source import ics_fetch
from switchboard.presence.parse_pool import ParsePool
from switchboard.presence.polled import PolledCalendar
from tests.presence.test_ics import cal, ev

OSLO = ZoneInfo("Europe/Oslo")
MEETING = cal(ev("a", "20261123T100000", "20261123T120000"))
T = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T

    def __call__(self) -> datetime:
        return self.now


async def test_an_ics_file_makes_its_agent_busy(tmp_path: Path, pool: ParsePool) -> None:
    path = tmp_path / "anne.ics"
    path.write_text(MEETING)
    clock = Clock()
    presence = CalendarPresence(
        [PolledCalendar("anne", "ics", ics_fetch(str(path), OSLO, pool=pool))], clock
    )
    told: list[int] = []
    presence.subscribe(lambda: told.append(1))
    assert presence.busy_intervals() == {}  # not fetched yet: unknown, nobody paused
    assert await presence.refresh_all()
    start = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    assert presence.busy_intervals() == {"anne": (BusyInterval(start, start + timedelta(hours=2)),)}
    assert told == [1]
    assert not await presence.refresh_all()  # same data: nobody is told again


async def test_a_broken_source_keeps_last_good_data_then_goes_unknown(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, pool: ParsePool
) -> None:
    caplog.set_level(logging.INFO, "switchboard.presence")
    path = tmp_path / "anne.ics"
    path.write_text(MEETING)
    clock = Clock()
    calendar = PolledCalendar(
        "anne", "ics", ics_fetch(str(path), OSLO, pool=pool), stale_after=timedelta(minutes=15)
    )
    presence = CalendarPresence([calendar], clock)
    await presence.refresh_all()
    path.write_text("<html>Sign in</html>")
    for minutes in (1, 2, 14):
        clock.now = T + timedelta(minutes=minutes)
        await presence.refresh_all()
        assert "anne" in presence.busy_intervals()  # still trusted
    assert "not an iCalendar file" in calendar.health.last_error
    assert calendar.health.age_s(clock.now) == 14 * 60
    clock.now = T + timedelta(minutes=16)
    assert await presence.refresh_all()  # the change: anne's calendar is now unknown
    assert presence.busy_intervals() == {}
    path.write_text(MEETING)
    clock.now = T + timedelta(minutes=17)
    await presence.refresh_all()
    assert "anne" in presence.busy_intervals()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failing" in m for m in messages) == 1  # transitions, not repetitions
    assert sum("is stale" in m for m in messages) == 1
    assert sum("recovered" in m for m in messages) == 1


async def test_a_missing_file_is_a_source_error_not_a_crash(
    tmp_path: Path, pool: ParsePool
) -> None:
    calendar = PolledCalendar("anne", "ics", ics_fetch(str(tmp_path / "nope.ics"), OSLO, pool=pool))
    assert not await calendar.refresh(T)
    assert "FileNotFoundError" in calendar.health.last_error
    assert calendar.events(T) is None


async def test_ignored_all_day_events_are_told_once(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "switchboard.presence")
    all_day = cal(ev("o", "20261123T000000", "20261124T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"))

    async def fetch(start: datetime, end: datetime) -> CalendarRead:
        from switchboard.presence.ics import parse_ics

        return parse_ics(all_day, start, end, OSLO)

    presence = CalendarPresence([PolledCalendar("anne", "fake", fetch)], Clock())
    await presence.refresh_all()
    await presence.refresh_all()
    assert presence.busy_intervals() == {"anne": ()}
    hints = [r.getMessage() for r in caplog.records if "all-day" in r.getMessage()]
    assert hints == [
        "anne: all-day event on Mon 23 Nov is ignored: write it with clock times "
        "(e.g. 08:00-15:30) to be taken out of the queue"
    ]


async def test_the_router_is_told_only_which_calendars_changed_and_when_one_turns_stale(
    tmp_path: Path, pool: ParsePool
) -> None:
    clock = Clock()
    calendars = []
    for agent in ("anne", "bo", "cari"):
        path = tmp_path / f"{agent}.ics"
        path.write_text(MEETING)
        calendars.append(
            PolledCalendar(
                agent, "ics", ics_fetch(str(path), OSLO, pool=pool),
                stale_after=timedelta(minutes=15),
            )
        )  # fmt: skip
    presence = CalendarPresence(calendars, clock)
    assert presence.take_changes() is None  # the first read: everything
    await presence.refresh_all()
    assert presence.take_changes() == {"anne", "bo", "cari"}  # their first data
    assert presence.take_changes() == set()
    (tmp_path / "bo.ics").write_text(cal())  # bo's meeting is cancelled
    clock.now = T + timedelta(minutes=1)
    await presence.refresh(calendars[1])
    assert presence.take_changes() == {"bo"}
    assert presence.busy_of("bo") == ()
    assert presence.take_changes() == set()
    # No poll for 15 minutes (a stuck source): the data turns stale on its own.
    clock.now = T + timedelta(minutes=15, seconds=1)
    assert presence.take_changes() == {"anne", "cari"}  # bo's data is a minute younger
    assert presence.busy_of("anne") is None  # unknown: pauses nobody
