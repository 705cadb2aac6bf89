"""Real calendars read right: one small calendar of our own for each defect class of issue 12
(malformed properties, silent guesses, refusals nobody can act on), so each is covered
without the shared corpus."""

import codecs
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.ics import CalendarError, parse_ics
from switchboard.presence.rules import classify
from tests.presence.test_ics import cal, ev

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
END = NOW + timedelta(days=3)
GOOD = ev("good", "20261123T100000", "20261123T110000")


def oslo(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=OSLO)


def read(text: str | bytes) -> tuple[list[tuple[datetime, datetime]], tuple[str, ...]]:
    result = parse_ics(text, NOW, END, OSLO)
    busy = [(b.start, b.end) for b in classify(result.events).busy]
    return busy, result.problems


# --- 4. one malformed property loses only its own event ---------------------------------


def test_spaces_in_byday_as_exchange_writes_them_are_read() -> None:
    daily = ev("d", "20261120T090000", "20261120T093000", "RRULE:FREQ=DAILY;BYDAY=MO, TU, WE")
    busy, problems = read(cal(daily))
    assert problems == ()
    assert [s for s, _ in busy] == [oslo(23, 9), oslo(24, 9), oslo(25, 9)]


def test_two_different_rrules_skip_that_event_only_and_a_repeated_one_is_harmless() -> None:
    twice = ev("t", "20261123T120000", "20261123T130000", "RRULE:FREQ=DAILY", "RRULE:FREQ=WEEKLY")
    same = ev("s", "20261123T140000", "20261123T150000", "RRULE:FREQ=DAILY;COUNT=1")
    busy, problems = read(cal(GOOD, twice, same + "\nRRULE:FREQ=DAILY;COUNT=1"))
    assert busy == [(oslo(23, 10), oslo(23, 11)), (oslo(23, 14), oslo(23, 15))]
    assert problems == (
        "event 2 (line 10): has two different RRULEs (RFC 5545 allows one); skipped",
    )


def test_a_tzid_with_a_stray_suffix_after_its_quotes_is_read_as_the_quoted_name() -> None:
    text = cal(ev("z", "20261123T100000", "20261123T110000", tz='"W. Europe Standard Time"x'))
    assert read(text) == ([(oslo(23, 10), oslo(23, 11))], ())


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("DURATION:-PT1W1D2H3M4S", "ends before it starts (RFC 5545 3.8.2.2: not swapped)"),
        ("RDATE:20131210Z", "RDATE '20131210Z' is not a date or date-time"),
        ("RRULE:FREQ=SOMETIMES", "FREQ 'SOMETIMES' is not a frequency"),
        ("RRULE:FREQ=DAILY;BYMONTH=13", "BYMONTH 13 is out of range"),
    ],
)
def test_a_malformed_property_skips_its_event_by_position_and_keeps_the_rest(
    bad: str, why: str
) -> None:
    broken = "UID:b\nDTSTART;TZID=Europe/Oslo:20261123T120000\nSUMMARY:Salary talk\n" + bad
    busy, problems = read(cal(GOOD, broken))
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == (f"event 2 (line 10): {why}; skipped",)
    assert "Salary" not in " ".join(problems)


def test_a_line_that_is_not_a_content_line_costs_only_its_event() -> None:
    broken = ev("b", "20261123T120000", "20261123T130000", "RRULE;no colon here")
    busy, problems = read(cal(GOOD, broken))
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == ("event 2 (line 10): cannot be read: line 15 cannot be read; skipped",)


# --- 5. silent guesses become right, or reported -----------------------------------------


def test_dtend_before_dtstart_is_dropped_and_reported_not_swapped() -> None:
    backwards = ev("x", "20261123T120000", "20261123T110000")
    busy, problems = read(cal(GOOD, backwards))
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == (
        "event 2 (line 10): ends before it starts (RFC 5545 3.8.2.2: not swapped); skipped",
    )


def test_duplicate_uids_without_recurrence_id_are_two_meetings() -> None:
    text = cal(GOOD, ev("good", "20261123T140000", "20261123T150000"))
    assert read(text) == ([(oslo(23, 10), oslo(23, 11)), (oslo(23, 14), oslo(23, 15))], ())


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("DTEND;TZID=Mars/Olympus:20261123T130000", "DTEND"),
        ("EXDATE;TZID=Mars/Olympus:20261124T120000", "EXDATE"),
        ("RDATE;TZID=Mars/Olympus:20261125T120000", "RDATE"),
    ],
)
def test_an_unknown_zone_anywhere_in_an_event_is_reported_not_read_as_local(
    line: str, name: str
) -> None:
    event = f"UID:u\nDTSTART;TZID=Europe/Oslo:20261123T120000\n{line}\nRRULE:FREQ=DAILY;COUNT=3"
    busy, problems = read(cal(GOOD, event))
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == (
        f"event 2 (line 10): {name} uses unknown time zone 'Mars/Olympus'; not guessed; skipped",
    )


def test_a_tzid_that_exactly_matches_a_vtimezone_is_valid_even_if_it_is_1() -> None:
    zone = (
        "BEGIN:VTIMEZONE\nTZID:1\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
        "TZOFFSETFROM:+0300\nTZOFFSETTO:+0300\nEND:STANDARD\nEND:VTIMEZONE\n"
    ).replace("\n", "\r\n")
    text = cal(ev("one", "20261123T100000", "20261123T110000", tz="1"))
    text = text.replace("BEGIN:VEVENT", zone + "BEGIN:VEVENT", 1)
    start = datetime(2026, 11, 23, 7, tzinfo=UTC)
    assert read(text) == ([(start, start + timedelta(hours=1))], ())


def test_the_outlook_all_day_flag_on_a_timed_meeting_leaves_it_a_meeting() -> None:
    flagged = ev("f", "20261123T150000", "20261123T160000", "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
    result = parse_ics(cal(flagged), NOW, END, OSLO)
    verdict = classify(result.events)
    assert verdict.busy == (BusyInterval(oslo(23, 15), oslo(23, 16)),)
    assert verdict.ignored_all_day == ()


# --- 6. refusals nobody could act on ------------------------------------------------------


@pytest.mark.parametrize(
    "encode",
    [
        lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"),
        lambda t: t.encode("utf-16-le"),
        lambda t: t.encode("utf-16-be"),
        lambda t: codecs.BOM_UTF8 + t.encode(),
        lambda t: t.replace("\r\n", "\r").encode(),
        lambda t: t.replace("\r\n", "\n").encode(),
    ],
    ids=["utf-16-bom", "utf-16-le", "utf-16-be", "utf-8-bom", "cr-only", "lf-only"],
)
def test_outlook_encodings_and_line_ends_are_read(encode: object) -> None:
    text = cal(GOOD, ev("n", "20261123T120000", "20261123T130000", "SUMMARY:Møte om lønn"))
    assert callable(encode)
    busy, problems = read(encode(text))
    assert busy == [(oslo(23, 10), oslo(23, 11)), (oslo(23, 12), oslo(23, 13))]
    assert problems == ()


def test_a_vtimezone_with_absurd_offsets_costs_only_the_events_that_use_it() -> None:
    zone = (
        "BEGIN:VTIMEZONE\nTZID:Broken\nBEGIN:STANDARD\nDTSTART:16010101T000000\n"
        "TZOFFSETFROM:+9900\nTZOFFSETTO:+9900\nEND:STANDARD\nEND:VTIMEZONE\n"
    ).replace("\n", "\r\n")
    text = cal(GOOD, ev("b", "20261123T120000", "20261123T130000", tz="Broken"))
    busy, problems = read(text.replace("BEGIN:VEVENT", zone + "BEGIN:VEVENT", 1))
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == (
        "event 2 (line 18): DTSTART uses time zone 'Broken' is defined in the file but cannot "
        "be used: offset '+9900' is beyond the ±18 hours any real zone has; not guessed; "
        "skipped",
    )


def test_a_cut_off_file_keeps_the_events_it_has() -> None:
    text = cal(GOOD, ev("late", "20261123T120000", "20261123T130000"))
    cut = text[: text.rindex("DTEND")]
    busy, problems = read(cut)
    assert busy == [(oslo(23, 10), oslo(23, 11))]
    assert problems == (
        "event 2 (line 10): cannot be read: the file ends inside it (cut off?); skipped",
    )


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "it is empty"),
        (b"<!DOCTYPE html><html>Sign in to Outlook</html>", "HTML or XML page (a sign-in"),
        (bytes(range(256)) * 4, "binary data"),
        (b"BEGIN:VCARD\r\nFN:Anne\r\nEND:VCARD\r\n", "a vCard (contacts)"),
        (b"Hello, this is not a calendar", "does not begin with BEGIN:VCALENDAR"),
    ],
)
def test_a_file_that_is_refused_says_why_in_words_an_admin_can_act_on(
    data: bytes, why: str
) -> None:
    with pytest.raises(CalendarError, match="not an iCalendar file") as refused:
        parse_ics(data, NOW, END, OSLO)
    assert why in str(refused.value)
    assert "Anne" not in str(refused.value)
