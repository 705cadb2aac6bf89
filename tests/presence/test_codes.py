"""Calendar codes in subjects ("MØT:" out of the queue, ";" information only), read inside
the calendar readers, on an Outlook (Exchange) export with its show-as properties."""

import logging
import pickle
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendar import ShowAs
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.codes import NO_CODES, Code, SubjectCodes
from switchboard.presence.ics import parse_ics
from switchboard.presence.ics_source import ics_fetch
from switchboard.presence.parse_pool import ParsePool, ReadJob, read
from switchboard.presence.polled import PolledCalendar
from switchboard.presence.rules import classify, ignored_hint

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
END = NOW + timedelta(days=3)
OUTLOOK = Path(__file__).parents[1] / "data" / "calendars" / "outlook-codes.ics"
NORDIC = SubjectCodes(busy=("MØT:",), info=(";",))
SUBJECTS = ("Teammøte", "Lunsj", "Kari", "Kundemøte", "Fokustid", "Ukesmøte", "Legetime")


def oslo(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, tzinfo=OSLO)


def span(day: int, start: tuple[int, int], end: tuple[int, int]) -> BusyInterval:
    return BusyInterval(oslo(day, *start), oslo(day, *end))


@pytest.mark.parametrize(
    ("subject", "code"),
    [
        ("MØT: Teammøte", Code.BUSY),
        ("  møt: legetime", Code.BUSY),  # Outlook's "SUMMARY: x" and lower case
        ("MØT:", Code.BUSY),
        ("MØTE: x", None),  # not the prefix: "MØT:" needs its colon
        (";Lunsj", Code.INFO),
        ("; Husk timeliste", Code.INFO),
        ("Møte om MØT: koder", None),  # only at the start
        ("", None),
    ],
)
def test_a_code_is_read_only_at_the_start_of_the_subject(subject: str, code: Code | None) -> None:
    assert NORDIC.read(subject) is code


def test_codes_are_off_unless_prefixes_are_given_and_the_longest_prefix_wins() -> None:
    assert NO_CODES.read("MØT: x") is None
    assert not NO_CODES.on
    codes = SubjectCodes(busy=("MØT",), info=("MØT-INFO",))
    assert codes.read("møt-info: styret") is Code.INFO
    assert codes.read("møt styret") is Code.BUSY
    # Å in two normal forms (a phone's decomposed, Outlook's composed) is the same letter.
    assert SubjectCodes(info=("PÅ:",)).read("pa\u030a: lunsj") is Code.INFO
    with pytest.raises(ValueError, match="both"):
        SubjectCodes(busy=(";",), info=(";",))


def test_codes_win_over_outlook_show_as_and_all_day_still_never_counts() -> None:
    result = parse_ics(OUTLOOK.read_bytes(), NOW, END, OSLO, codes=NORDIC)
    assert result.problems == ()
    verdict = classify(result.events)
    assert verdict.busy == (
        span(23, (8, 0), (8, 30)),  # MØT: on a tentative weekly series
        span(24, (9, 0), (10, 0)),  # MØT: on an event Outlook shows as free (TRANSPARENT)
        span(24, (13, 0), (14, 0)),  # no code: show-as (busy) decides, as always
        span(25, (15, 0), (16, 0)),  # " møt:" on out-of-office
    )
    # ";" on busy events: information only, and the person is told (one moved occurrence
    # of the weekly series is coded on its own); ";" on a free event is nothing to tell.
    assert [(e.start, e.end) for e in verdict.ignored_info_only] == [
        (oslo(24, 11, 30), oslo(24, 12)),
        (oslo(25, 8), oslo(25, 8, 30)),
    ]
    # "MØT: Fagdag" as an all-day event: the all-day rule stands, and the person is told.
    (all_day,) = verdict.ignored_all_day
    assert all_day.start == oslo(26, 0)
    assert all_day.show_as is ShowAs.BUSY
    assert [ignored_hint(e, OSLO) for e in verdict.ignored] == [
        "Tue 24 Nov 11:30-12:00 is marked information only by the code in its subject: it "
        "does not take you out of the queue",
        "Wed 25 Nov 08:00-08:30 is marked information only by the code in its subject: it "
        "does not take you out of the queue",
        "all-day event on Thu 26 Nov is ignored: write it with clock times (e.g. 08:00-15:30) "
        "to be taken out of the queue",
    ]


def test_with_codes_off_the_same_file_is_read_by_show_as_alone() -> None:
    result = parse_ics(OUTLOOK.read_bytes(), NOW, END, OSLO)
    verdict = classify(result.events)
    assert verdict.busy == (
        span(23, (8, 0), (8, 30)),
        span(24, (11, 30), (12, 0)),
        span(24, (13, 0), (14, 0)),
        span(25, (8, 0), (8, 30)),
        span(25, (15, 0), (16, 0)),
    )
    assert verdict.ignored == ()  # the free all-day event is nothing to tell
    assert not any(e.info_only for e in result.events)


def test_a_busy_code_overrides_tentative_even_when_tentative_is_not_busy() -> None:
    events = parse_ics(OUTLOOK.read_bytes(), NOW, END, OSLO, codes=NORDIC).events
    assert span(23, (8, 0), (8, 30)) in classify(events, tentative_is_busy=False).busy


async def test_subjects_never_leave_the_reader_process(pool: ParsePool) -> None:
    job = ReadJob(NOW, END, OSLO, path=str(OUTLOOK), codes=NORDIC)
    result = await pool.read(job)
    assert result == read(job)  # the worker and the in-process read agree
    wire = pickle.dumps(result).decode("latin-1") + repr(result)
    for word in SUBJECTS:
        assert word.encode().decode("latin-1") not in wire
        assert word not in wire


async def test_the_engine_tells_the_person_once_when_a_code_makes_an_event_info_only(
    pool: ParsePool, caplog: pytest.LogCaptureFixture
) -> None:
    fetch = ics_fetch(str(OUTLOOK), OSLO, pool=pool, codes=NORDIC)
    polled = PolledCalendar("anne", "ics", fetch, window=timedelta(days=3))
    presence = CalendarPresence([polled], lambda: NOW, zone=OSLO)
    with caplog.at_level(logging.INFO, logger="switchboard.presence"):
        await presence.refresh_all()
        await presence.refresh_all()
    told = [r.getMessage() for r in caplog.records if "information only" in r.getMessage()]
    assert told == [
        "anne: Tue 24 Nov 11:30-12:00 is marked information only by the code in its subject: "
        "it does not take you out of the queue",
        "anne: Wed 25 Nov 08:00-08:30 is marked information only by the code in its subject: "
        "it does not take you out of the queue",
    ]
    assert span(24, (9, 0), (10, 0)) in presence.busy_intervals()["anne"]
    assert not any(word in caplog.text for word in SUBJECTS)
