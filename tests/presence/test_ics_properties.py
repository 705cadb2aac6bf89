"""Property tests of the ICS reader: whatever arrives, only CalendarError leaves it, and no
input takes it hostage. Bounded for CI by the fuzz profile (tests/conftest.py: examples) and
a generous per-input deadline here (a guard against hanging, not a speed measurement)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from switchboard.presence.calendar import CalendarRead
from switchboard.presence.ics import CalendarError, parse_ics

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
BOUNDED = settings(deadline=timedelta(seconds=10), database=None)
pytestmark = pytest.mark.fuzz

FREQ = st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"])
NUMBERS = st.lists(st.integers(-400, 400), min_size=1, max_size=70).map(
    lambda xs: ",".join(map(str, xs))
)
PART = st.one_of(
    st.builds("COUNT={}".format, st.integers(-5, 10**10)),
    st.builds("UNTIL={}".format, st.sampled_from(["20991231T000000Z", "20000101", "2026x"])),
    st.builds("INTERVAL={}".format, st.integers(-2, 100)),
    st.builds(
        "{}={}".format,
        st.sampled_from(["BYSECOND", "BYMINUTE", "BYHOUR", "BYMONTHDAY", "BYYEARDAY", "BYMONTH"]),
        NUMBERS,
    ),
    st.builds("BYWEEKNO={}".format, NUMBERS),
    st.builds("BYSETPOS={}".format, NUMBERS),
    st.builds("BYDAY={}".format, st.sampled_from(["MO, TU", "1MO,-1FR", "SU", "0MO", "XX"])),
)
RULE = st.builds(
    lambda f, parts: "RRULE:FREQ=" + f + "".join(";" + p for p in parts),
    FREQ,
    st.lists(PART, max_size=5),
)
MOMENT = st.sampled_from(
    ["19000101T000000", "20000101T000000Z", "20261123T100000", "20261123", "99991231T235959"]
)
ZONE = st.sampled_from(["", ";TZID=Europe/Oslo", ";TZID=W. Europe Standard Time", ";TZID=Nope"])
LINE = st.one_of(
    RULE,
    st.builds("DTSTART{}:{}".format, ZONE, MOMENT),
    st.builds("DTEND{}:{}".format, ZONE, MOMENT),
    st.builds("EXDATE{}:{}".format, ZONE, MOMENT),
    st.builds("RDATE{}:{}".format, ZONE, MOMENT),
    st.builds("RECURRENCE-ID{}:{}".format, ZONE, MOMENT),
    st.sampled_from(
        [
            "DURATION:-PT1W1D2H3M4S",
            "DURATION:P1000000W",
            "STATUS:CANCELLED",
            "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE",
            "UID:same",
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VTIMEZONE",
            "END:VTIMEZONE",
            "TZID:Nope",
            "TZOFFSETTO:+9900",
            " folded",
            "no colon",
        ]
    ),
    st.text(max_size=40),
)


def _check(data: str | bytes) -> None:
    try:
        result = parse_ics(data, NOW, NOW + timedelta(hours=36), OSLO)
    except CalendarError:
        return
    assert isinstance(result, CalendarRead)


@BOUNDED
@given(st.lists(LINE, max_size=30))
def test_any_mix_of_calendar_lines_gives_events_or_a_calendar_error(lines: list[str]) -> None:
    body = "\r\n".join(lines)
    _check(f"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n{body}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


@BOUNDED
@given(st.binary(max_size=2000))
def test_any_bytes_give_events_or_a_calendar_error(data: bytes) -> None:
    _check(b"BEGIN:VCALENDAR\r\n" + data)
    _check(data)


@BOUNDED
@given(RULE, MOMENT, ZONE)
def test_any_recurrence_is_priced_before_it_is_expanded(rule: str, start: str, zone: str) -> None:
    event = f"BEGIN:VEVENT\r\nDTSTART{zone}:{start}\r\n{rule}\r\nEND:VEVENT\r\n"
    _check(f"BEGIN:VCALENDAR\r\n{event}END:VCALENDAR\r\n")
