"""Opening hours: weekly spans with breaks, public holidays, and the callback promise."""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
# "24:00" as a span's end: open to the end of the day (a 24/7 office writes 00:00-24:00).
END_OF_DAY = time.max


def clock_time(text: str) -> time:
    """ "08:30" as a time; "24:00" is the end of the day (END_OF_DAY)."""
    return END_OF_DAY if text == "24:00" else time.fromisoformat(text)


def parse_span(text: str) -> tuple[time, time]:
    """ "08:30-12:30" as (start, end); the end may be 24:00."""
    start, end = text.split("-")
    return clock_time(start), clock_time(end)


@dataclass(frozen=True, slots=True)
class Span:
    """One open stretch of a day, `start` inclusive, `end` exclusive."""

    start: time
    end: time

    def __str__(self) -> str:
        end = "24:00" if self.end == END_OF_DAY else f"{self.end:%H:%M}"
        return f"{self.start:%H:%M}-{end}"

    def covers(self, moment: time) -> bool:
        return self.start <= moment and (moment < self.end or self.end == END_OF_DAY)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """When the phones are answered, in one time zone."""

    weekly: tuple[tuple[Span, ...], ...]  # seven entries, Monday first
    zone: ZoneInfo
    holidays: Container[date] = field(default_factory=frozenset)  # public holidays
    closed_dates: frozenset[date] = frozenset()  # the office's own extra closed days

    def spans_on(self, day: date) -> tuple[Span, ...]:
        """The open spans of a calendar day (none on holidays and closed dates)."""
        if day in self.closed_dates or day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.spans_on(day))


def is_open(hours: OpeningHours, at: datetime) -> bool:
    """Whether calls are answered at `at` (an aware datetime)."""
    local = at.astimezone(hours.zone)
    now = local.time().replace(tzinfo=None)
    return any(s.covers(now) for s in hours.spans_on(local.date()))


def _at(day: date, t: time, zone: ZoneInfo) -> datetime:
    if t == END_OF_DAY:  # 24:00 is the next day's midnight
        return datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)
    return datetime.combine(day, t, tzinfo=zone)


def next_change(hours: OpeningHours, at: datetime, horizon_days: int = 400) -> datetime | None:
    """The next moment after `at` when open turns closed or closed turns open."""
    local = at.astimezone(hours.zone)
    currently = is_open(hours, at)
    for offset in range(horizon_days):
        day = local.date() + timedelta(days=offset)
        for s in hours.spans_on(day):
            for edge, opens in ((s.start, True), (s.end, False)):
                moment = _at(day, edge, hours.zone)
                # Adjacent spans (12:30 end, 12:30 start) are no change at all.
                if moment > local and opens != currently and is_open(hours, moment) == opens:
                    return moment
    return None


def next_opening(hours: OpeningHours, at: datetime) -> datetime | None:
    """`at` itself when open, else the next moment the phones open."""
    if is_open(hours, at):
        return at
    return next_change(hours, at)


def callback_deadline(hours: OpeningHours, requested: datetime, working_days: int = 2) -> datetime:
    """When a callback promised "within N working days" falls due.

    Counting starts at the request, or at the next opening when it came in closed; the
    deadline is the same clock time N working days later (holidays and closed days
    skipped), moved to that day's closing time when the day closes earlier (Fridays).
    """
    start = next_opening(hours, requested)
    if start is None:
        raise ValueError("the opening hours never open: no callback can be promised")
    local = start.astimezone(hours.zone)
    day, remaining = local.date(), working_days
    while remaining:
        day += timedelta(days=1)
        if hours.is_working_day(day):
            remaining -= 1
    spans = hours.spans_on(day)
    clock = local.time().replace(tzinfo=None)
    closing = spans[-1].end
    if clock >= closing and closing == END_OF_DAY:
        return _at(day, clock, hours.zone)
    return _at(day, min(clock, closing), hours.zone)


def describe(hours: OpeningHours) -> Mapping[str, str]:
    """Weekday -> "08:30-12:30, 13:00-16:30" (or "closed"), for people reading the config."""
    return {
        name: (", ".join(str(s) for s in spans) or "closed")
        for name, spans in zip(WEEKDAYS, hours.weekly, strict=True)
    }
