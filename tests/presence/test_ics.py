"""ICS calendars read the way Outlook means them, with the house rules applied."""

import time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendar import ShowAs
from switchboard.presence.ics import CalendarError, parse_ics
from switchboard.presence.rules import all_day_hint, classify

OSLO = ZoneInfo("Europe/Oslo")
WINDOW = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC))


def cal(*events: str) -> str:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    body = body.replace("\n", "\r\n").replace("\r\r\n", "\r\n")
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{body}END:VCALENDAR\r\n"


def ev(uid: str, start: str, end: str, *extra: str, tz: str = "Europe/Oslo") -> str:
    zone = f";TZID={tz}" if tz else ""
    lines = [
        f"UID:{uid}",
        f"DTSTART{zone}:{start}",
        f"DTEND{zone}:{end}",
        "SUMMARY:Salary talk",
        *extra,
    ]
    return "\n".join(lines)


def oslo(day: int, hh: int, mm: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hh, mm, tzinfo=OSLO)


def busy_of(text: str, **kw: bool) -> tuple[BusyInterval, ...]:
    return classify(parse_ics(text, *WINDOW, OSLO).events, **kw).busy


def test_a_timed_meeting_is_busy_for_exactly_its_span() -> None:
    busy = busy_of(cal(ev("a", "20261123T100000", "20261123T120000")))
    assert busy == (BusyInterval(oslo(23, 10), oslo(23, 12)),)


def test_a_windows_time_zone_name_as_outlook_writes_it_is_resolved() -> None:
    text = cal(ev("a", "20261123T100000", "20261123T120000", tz="W. Europe Standard Time"))
    (busy,) = busy_of(text)
    assert busy.start == oslo(23, 10)


def test_an_unknown_time_zone_is_reported_and_never_guessed() -> None:
    result = parse_ics(
        cal(ev("a", "20261123T100000", "20261123T120000", tz="Mars/Olympus")), *WINDOW, OSLO
    )
    assert result.events == ()
    assert result.problems == (
        "event 1 (line 4): DTSTART uses unknown time zone 'Mars/Olympus'; not guessed; skipped",
    )


@pytest.mark.parametrize(
    "event",
    [
        ev("d", "20261123", "20261124", tz="")
        .replace("DTSTART:", "DTSTART;VALUE=DATE:")
        .replace("DTEND:", "DTEND;VALUE=DATE:"),
        ev("o", "20261123T000000", "20261124T000000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE"),
    ],
    ids=["date-only", "outlook-midnight-flagged"],
)
def test_all_day_events_never_count_and_are_reported(event: str) -> None:
    verdict = classify(parse_ics(cal(event), *WINDOW, OSLO).events)
    assert verdict.busy == ()
    (ignored,) = verdict.ignored_all_day
    assert ignored.start == oslo(23, 0)
    assert all_day_hint(ignored).startswith(
        "all-day event on Mon 23 Nov is ignored: write it with clock times"
    )


@pytest.mark.parametrize(
    ("extra", "tentative_is_busy", "busy"),
    [
        ("X-MICROSOFT-CDO-BUSYSTATUS:BUSY", True, True),
        ("X-MICROSOFT-CDO-BUSYSTATUS:OOF", True, True),
        ("X-MICROSOFT-CDO-BUSYSTATUS:FREE", True, False),
        ("X-MICROSOFT-CDO-BUSYSTATUS:WORKINGELSEWHERE", True, False),
        ("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", True, True),
        ("X-MICROSOFT-CDO-BUSYSTATUS:TENTATIVE", False, False),
        ("TRANSP:TRANSPARENT", True, False),
        ("STATUS:TENTATIVE", False, False),
        ("STATUS:CANCELLED", True, False),
        ("CLASS:PRIVATE", True, True),
    ],
)
def test_show_as_decides(extra: str, tentative_is_busy: bool, busy: bool) -> None:
    text = cal(ev("a", "20261123T100000", "20261123T110000", extra))
    assert bool(busy_of(text, tentative_is_busy=tentative_is_busy)) is busy


def test_recurrence_with_an_exdate_and_a_moved_instance() -> None:
    weekly = ev(
        "w",
        "20261102T100000",
        "20261102T110000",
        "RRULE:FREQ=WEEKLY;COUNT=4",
        "EXDATE;TZID=Europe/Oslo:20261109T100000",
    )
    moved = ev(
        "w", "20261116T140000", "20261116T150000", "RECURRENCE-ID;TZID=Europe/Oslo:20261116T100000"
    )
    starts = [b.start for b in busy_of(cal(weekly, moved))]
    assert starts == [oslo(2, 10), oslo(16, 14), oslo(23, 10)]


def test_a_weekly_meeting_keeps_its_local_time_across_the_dst_change() -> None:
    weekly = ev("w", "20261019T100000", "20261019T110000", "RRULE:FREQ=WEEKLY;COUNT=2")
    first, second = busy_of(cal(weekly))
    assert first.start.astimezone(UTC).hour == 8  # CEST, before 25 Oct
    assert second.start.astimezone(UTC).hour == 9  # CET, after
    assert second.start == oslo(26, 10, month=10)


def test_a_meeting_across_midnight_is_one_busy_span() -> None:
    (busy,) = busy_of(cal(ev("n", "20261123T230000", "20261124T010000")))
    assert busy.end - busy.start == timedelta(hours=2)


def test_overlapping_meetings_merge() -> None:
    text = cal(
        ev("a", "20261123T100000", "20261123T110000"), ev("b", "20261123T103000", "20261123T120000")
    )
    assert busy_of(text) == (BusyInterval(oslo(23, 10), oslo(23, 12)),)


def test_an_endless_dense_recurrence_cannot_hang_the_engine() -> None:
    endless = ev("m", "20000101T000000", "20000101T000100", "RRULE:FREQ=MINUTELY")
    began = time.process_time()
    result = parse_ics(cal(endless, ev("a", "20261123T100000", "20261123T110000")), *WINDOW, OSLO)
    assert time.process_time() - began < 5  # a guard against hanging, not a speed test
    assert [e.start for e in result.events] == [oslo(23, 10)]
    assert "repeats minutely from 2000-01-01" in result.problems[0]


def test_subjects_never_leave_the_parser() -> None:
    result = parse_ics(
        cal(ev("a", "20261123T100000", "20261123T110000", "CLASS:PRIVATE")), *WINDOW, OSLO
    )
    assert "Salary" not in repr(result)
    assert result.events[0].show_as is ShowAs.BUSY


def test_a_file_that_is_not_icalendar_is_a_clear_error() -> None:
    with pytest.raises(CalendarError, match="not an iCalendar file"):
        parse_ics("<html>Sign in to Outlook</html>", *WINDOW, OSLO)
