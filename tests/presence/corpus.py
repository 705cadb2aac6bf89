"""Busy time of a real-world calendar as read by switchboard/presence/ and by allenporter's `ical`.

Both sides get the same house rules (timed events only, free/transparent/cancelled not busy,
Outlook's busy status and its all-day flag on midnight-to-midnight spans), so a difference
is a difference in *reading* the file: zones, recurrences, overrides, exclusions.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from switchboard.presence.busy import BusyInterval, merge
from switchboard.presence.ics import CalendarError, parse_ics
from switchboard.presence.ics_text import components, decode
from switchboard.presence.rules import classify

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "calendar-corpus"
Window = tuple[datetime, datetime]


@dataclass(frozen=True)
class Reading:
    busy: tuple[BusyInterval, ...] | None  # None: refused the file
    why: str = ""


def windows(text: str, zone: tzinfo) -> list[Window]:
    """Engine-like windows (1 h back, 36 h ahead) on the file's own event dates, and a year."""
    days: set[date] = set()
    for component in components(decode(text), only=frozenset({"VEVENT"})):
        prop = component.get("DTSTART")
        if prop is not None and prop.value.strip()[:8].isdigit():
            try:
                days.add(datetime.strptime(prop.value.strip()[:8], "%Y%m%d").date())
            except ValueError:
                continue
    ordered = sorted(days)
    if not ordered:
        return []
    picks = sorted({ordered[round(i * (len(ordered) - 1) / 4)] for i in range(5)})
    found = []
    for day in picks:
        start = datetime.combine(day, time(6), tzinfo=zone)
        found.append((start - timedelta(hours=1), start + timedelta(hours=36)))
    first = datetime.combine(ordered[0], time(), tzinfo=zone)
    found.append((first, first + timedelta(days=366)))
    return found


def _clip(spans: list[BusyInterval], window: Window) -> tuple[BusyInterval, ...]:
    clipped = [
        BusyInterval(max(s.start, window[0]), min(s.end, window[1]))
        for s in merge(spans)
        if s.end > window[0] and s.start < window[1]
    ]
    return merge(clipped)


def ours(text: str, window: Window, zone: tzinfo) -> Reading:
    try:
        result = parse_ics(text, window[0], window[1], zone)
    except CalendarError as exc:
        return Reading(None, str(exc))
    return Reading(_clip(list(classify(result.events).busy), window))


def _extra(event: Any, name: str) -> str:
    for prop in getattr(event, "extras", ()) or ():
        if str(getattr(prop, "name", "")).upper() == name:
            return str(getattr(prop, "value", "")).upper()
    return ""


def theirs(text: str, window: Window, zone: tzinfo) -> Reading:
    from ical.calendar_stream import IcsCalendarStream

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            calendar = IcsCalendarStream.calendar_from_ics(text)
            spans: list[BusyInterval] = []
            for event in calendar.timeline_tz(zone).overlapping(window[0], window[1]):
                if not isinstance(event.dtstart, datetime):
                    continue
                if str(event.status or "").upper().endswith("CANCELLED"):
                    continue
                if str(event.transparency or "").upper().endswith("TRANSPARENT"):
                    continue
                if _extra(event, "X-MICROSOFT-CDO-BUSYSTATUS") in ("FREE", "WORKINGELSEWHERE"):
                    continue
                start = event.start_datetime.astimezone(UTC)
                end = event.end_datetime.astimezone(UTC)
                local_start, local_end = event.dtstart, start + (end - start)
                flagged = _extra(event, "X-MICROSOFT-CDO-ALLDAYEVENT") == "TRUE"
                if flagged and _midnights(local_start, local_end.astimezone(local_start.tzinfo)):
                    continue
                if end > start:
                    spans.append(BusyInterval(start, end))
    except Exception as exc:  # ical raises its own errors and, on odd input, others
        return Reading(None, f"{type(exc).__name__}: {str(exc)[:160]}")
    return Reading(_clip(spans, window))


def _midnights(start: datetime, end: datetime) -> bool:
    return start.time() == time(0) and end.time() == time(0) and end - start >= timedelta(days=1)


def compare(path: Path, zone: tzinfo) -> list[tuple[Window, Reading, Reading]]:
    """Every window where the two readings differ (empty: they agree everywhere)."""
    text = decode(path.read_bytes())
    differences = []
    for window in windows(text, zone):
        a, b = ours(text, window, zone), theirs(text, window, zone)
        if a.busy != b.busy:
            differences.append((window, a, b))
    return differences
