"""Differential test: every real-world calendar in ../shared/calendar-corpus, read by
switchboard/presence/ and by allenporter's `ical` (an independent implementation), must give
the same busy time in every window (each file's own event dates, engine-like, and a year
from the first).

`ical` is strict and refuses some files outright for defects our reader is lenient about on
purpose (issue 12, item 4). For those, `ical` reads a copy with that one defect repaired
(REPAIRS, each with its reason), so the files are still compared and not just waved through.
What still differs is listed in ACCEPTED, each with its reason (RFC section or vendor
practice); an entry that no longer differs fails too, so the list cannot go stale.

The files are other projects' data: they are read from ../shared, never copied here; the test
skips, saying why, only when that folder is absent (a user's clone has none).
"""

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.presence.corpus import CORPUS, Reading, ours, theirs, windows

_NO_CORPUS_REASON = f"no calendar corpus at {CORPUS.resolve()} (outside data: ../shared)"

OSLO = ZoneInfo("Europe/Oslo")

REPAIRS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "ms__allenporter__office_365_extended_timezone.ics": (
        "ical knows no Windows zone names; Outlook writes them (CLDR windowsZones)",
        [("TZID=W. Europe Standard Time", "TZID=Europe/Berlin")],
    ),
    "ms__collective__issue_165_missing_event.ics": (
        "ical refuses Exchange's spaces in BYDAY lists, which we accept (issue 12, item 4)",
        [("MO, TU, WE, TH, FR", "MO,TU,WE,TH,FR")],
    ),
    "google__allenporter__google_dtstart_until_mismatch.ics": (
        "ical refuses a date UNTIL on a date-time series; Google writes it, we read it as the "
        "end of that day (RFC 5545 3.3.10 inclusive UNTIL)",
        [("UNTIL=20231231", "UNTIL=20231231T235959Z")],
    ),
    "ms__niccokunzmann__issue_27_t1.ics": (
        "ical refuses a floating UNTIL on a zoned series; RFC 5545 3.3.10 asks for UTC but the "
        "meaning is unambiguous (local midnight in the series' zone, 22:00 UTC in summer)",
        [("UNTIL=20200429T000000", "UNTIL=20200428T220000Z")],
    ),
}

ACCEPTED: dict[str, str] = {
    "dav__kewisch__recur_instances.ics": (
        "an empty VTIMEZONE makes ical refuse the file, and without it ical fails inside an "
        "RDATE;VALUE=PERIOD (TypeError); RFC 5545 3.8.5.2 allows periods: we add each with its "
        "own span"
    ),
    "ms__jens-maus__exchange-custom-tz.ics": (
        "the VTIMEZONE's TZID is TEXT with escaped commas ('Bangkok\\, Hanoi'), the event's "
        "TZID parameter has them plain; RFC 5545 3.3.11 unescapes, so they are one zone "
        "(+07:00). ical does not match them and reads the time as UTC"
    ),
    "ms__pimutils__tz_windows_format.ics": (
        "the file defines 'New Zealand Standard Time' itself (+01:00 in November 2019); RFC "
        "5545 3.2.19: the calendar's VTIMEZONE defines the TZID, so we use it. ical ignores the "
        "definition"
    ),
    "dav__pimutils__event_dt_mixed_awareness.ics": (
        "DTSTART floating, DTEND zoned (and a 'Z' time with a TZID): ical refuses the file; we "
        "read each value as written (floating in the office zone, UTC wins over a stray TZID)"
    ),
    "google__kewisch__google_birthday.ics": (
        "'RDATE:20131210Z' is neither a date nor a date-time: ical refuses the file; we skip "
        "and report that event (issue 12, item 4). The rest are all-day: busy in neither"
    ),
    "ms__jens-maus__Office-2012-owa.ics": (
        "TZIDs like '(GMT+10:00) Canberra, Melbourne, Sydney' with no VTIMEZONE: ical refuses "
        "the file; we skip and report each event, never guess a zone (issue 12, item 1)"
    ),
    "ms__jens-maus__bad_custom_ms_tz2.ics": (
        "'Customized Time Zone 1' with no VTIMEZONE and a negative DURATION: ical refuses the "
        "file; we skip and report those events (RFC 5545 3.8.2.2), keep the rest"
    ),
    "ms__jens-maus__music-school-weekly-until.ics": (
        "TZID '(GMT +01:00)' with no VTIMEZONE: ical refuses the file; we skip and report the "
        "event rather than guess a zone without its DST rules"
    ),
}


def _files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.glob("*.ics"))


def _differences(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8", errors="replace")
    repaired = text
    for old, new in REPAIRS.get(path.name, ("", []))[1]:
        assert old in repaired, f"repair for {path.name} no longer applies: {old!r}"
        repaired = repaired.replace(old, new)
    found = []
    for window in windows(text, OSLO):
        a, b = ours(text, window, OSLO), theirs(repaired, window, OSLO)
        if a.busy != b.busy:
            found.append(f"{window[0]:%Y-%m-%d} +{window[1] - window[0]}: {_show(a)} vs {_show(b)}")
    return found


def _show(reading: Reading) -> str:
    if reading.busy is None:
        return f"refused ({reading.why[:80]})"
    return str([(f"{b.start:%m-%d %H:%M}", f"{b.end - b.start}") for b in reading.busy][:3])


def test_the_corpus_is_there() -> None:
    if not CORPUS.is_dir():
        pytest.skip(_NO_CORPUS_REASON)
    assert len(_files()) >= 30


# Without the outside data, one case says why instead of pytest's bare "empty parameter set".
_CASES = [pytest.param(f, id=f.name) for f in _files()] or [
    pytest.param(CORPUS, id="no-corpus", marks=pytest.mark.skip(reason=_NO_CORPUS_REASON))
]


@pytest.mark.parametrize("path", _CASES)
def test_a_real_calendar_reads_as_an_independent_implementation_reads_it(path: Path) -> None:
    differences = _differences(path)
    if path.name in ACCEPTED:
        assert differences, f"{path.name} now agrees: take it out of ACCEPTED"
        return
    assert differences == [], "\n".join(differences)


def test_every_accepted_disagreement_and_repair_names_a_file_of_the_corpus() -> None:
    if not CORPUS.is_dir():
        pytest.skip(_NO_CORPUS_REASON)
    names = {p.name for p in _files()}
    assert set(ACCEPTED) <= names
    assert set(REPAIRS) <= names
    assert not set(ACCEPTED) & set(REPAIRS)


def test_windows_are_engine_like_and_a_year() -> None:
    text = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261123T100000\r\nEND:VEVENT\r\n"
    spans = [end - start for start, end in windows(text + "END:VCALENDAR\r\n", OSLO)]
    assert spans == [timedelta(hours=37), timedelta(days=366)]
