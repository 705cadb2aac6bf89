"""ICS (iCalendar) text -> calendar events in a window, the way Outlook means them.

Outlook's quirks handled: all-day written as midnight-to-midnight datetimes with
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE; show-as in X-MICROSOFT-CDO-BUSYSTATUS; Windows time-zone
names (resolved through icalendar's table). A TZID nobody knows is rejected and reported,
never guessed. Expansion is bounded: by the window, and by refusing recurrences so dense
that walking to the window would take the engine hostage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

import icalendar
import recurring_ical_events

from presence.calendar import CalendarEvent, ShowAs

MAX_INSTANCES = 5_000  # per calendar and window: far beyond any real person's day
MAX_STEPS_TO_WINDOW = 50_000  # occurrences a recurrence may have before the window ends

_BUSYSTATUS = {
    "FREE": ShowAs.FREE,
    "TENTATIVE": ShowAs.TENTATIVE,
    "BUSY": ShowAs.BUSY,
    "OOF": ShowAs.OUT_OF_OFFICE,
    "WORKINGELSEWHERE": ShowAs.WORKING_ELSEWHERE,
}
_STEP = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600, "DAILY": 86400, "WEEKLY": 7 * 86400}


class CalendarError(ValueError):
    """The calendar as a whole cannot be read (not iCalendar at all)."""


@dataclass(frozen=True, slots=True)
class IcsResult:
    events: tuple[CalendarEvent, ...]
    problems: tuple[str, ...]  # events skipped, each with why (never their subject)


def parse_ics(text: str | bytes, start: datetime, end: datetime, local: tzinfo) -> IcsResult:
    """The occurrences overlapping [start, end); floating times are read in `local`."""
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError:
        # The parser's message quotes the offending line, which may be a private subject.
        raise CalendarError("not an iCalendar file (a line could not be parsed)") from None
    problems: list[str] = []
    for component in list(calendar.walk("VEVENT")):
        problem = _reject(component, end)
        if problem:
            problems.append(problem)
            if component in calendar.subcomponents:
                calendar.subcomponents.remove(component)
    events: list[CalendarEvent] = []
    try:
        occurrences = recurring_ical_events.of(calendar).between(start, end)
    except Exception as exc:  # the library's errors are not typed; the feed is what is broken
        raise CalendarError(f"recurrences cannot be expanded ({type(exc).__name__})") from None
    for occurrence in occurrences:
        if len(events) >= MAX_INSTANCES:
            problems.append(f"more than {MAX_INSTANCES} events in the window; the rest skipped")
            break
        event = _event(occurrence, local)
        if event is not None and event.end > start and event.start < end:
            events.append(event)
    return IcsResult(tuple(sorted(events, key=lambda e: e.start)), tuple(problems))


def _uid(component: Any) -> str:
    return str(component.get("UID", "(no UID)"))[:80]


def _reject(component: Any, window_end: datetime) -> str:
    start = component.get("DTSTART")
    if start is None:
        return f"event {_uid(component)} has no DTSTART"
    value = start.dt
    tzid = start.params.get("TZID")
    if isinstance(value, datetime) and value.tzinfo is None and tzid:
        return f"event {_uid(component)} uses unknown time zone {tzid!r}; skipped, not guessed"
    rule = component.get("RRULE")
    if rule is not None:
        freq = (rule.get("FREQ") or [""])[0]
        interval = int((rule.get("INTERVAL") or [1])[0])
        if freq == "SECONDLY":
            return f"event {_uid(component)} repeats every second; skipped"
        step = _STEP.get(freq)
        if step and not rule.get("COUNT") and not rule.get("UNTIL"):
            first = value if isinstance(value, datetime) else datetime.combine(value, time())
            if first.tzinfo is None:
                first = first.replace(tzinfo=window_end.tzinfo)
            steps = (window_end - first).total_seconds() / (step * interval)
            if steps > MAX_STEPS_TO_WINDOW:
                return (
                    f"event {_uid(component)} repeats {freq.lower()} without end since "
                    f"{first:%Y-%m-%d}; too many occurrences to expand, skipped"
                )
    return ""


def _aware(value: date | datetime, local: tzinfo) -> datetime:
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=local)
    return value if value.tzinfo is not None else value.replace(tzinfo=local)


def _event(occurrence: Any, local: tzinfo) -> CalendarEvent | None:
    if str(occurrence.get("STATUS", "")).upper() == "CANCELLED":
        return None
    raw_start = occurrence["DTSTART"].dt
    raw_end = occurrence["DTEND"].dt if occurrence.get("DTEND") else None
    if raw_end is None:
        duration = occurrence.get("DURATION")
        raw_end = raw_start + (duration.dt if duration else _default_length(raw_start))
    outlook_all_day = any(
        str(occurrence.get(flag, "")).upper() == "TRUE"
        for flag in ("X-MICROSOFT-CDO-ALLDAYEVENT", "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT")
    )
    all_day = not isinstance(raw_start, datetime) or outlook_all_day
    return CalendarEvent(
        _aware(raw_start, local), _aware(raw_end, local), all_day, _show_as(occurrence)
    )


def _default_length(start: date | datetime) -> timedelta:
    # RFC 5545: no DTEND/DURATION means one day for a date, zero length for a date-time.
    return timedelta(days=1) if not isinstance(start, datetime) else timedelta(0)


def _show_as(occurrence: Any) -> ShowAs:
    status = str(occurrence.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    if status in _BUSYSTATUS:
        return _BUSYSTATUS[status]
    if str(occurrence.get("TRANSP", "")).upper() == "TRANSPARENT":
        return ShowAs.FREE
    if str(occurrence.get("STATUS", "")).upper() == "TENTATIVE":
        return ShowAs.TENTATIVE
    return ShowAs.BUSY
