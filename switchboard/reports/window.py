"""Which periods a report covers (pure): a few days, weeks or quarters of the office's
calendar, ending with the one that holds a given day.

A report never covers the whole stored history: what it costs follows the window asked for,
not the years kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from switchboard.reports.figures import Period, period_of_day

# Periods on one page unless asked otherwise: a week of days, a quarter of weeks, a year.
DEFAULT_COUNT = {Period.DAY: 7, Period.WEEK: 13, Period.QUARTER: 4}
MAX_COUNT = {Period.DAY: 92, Period.WEEK: 106, Period.QUARTER: 12}


@dataclass(frozen=True, slots=True)
class Window:
    """Whole periods from `first` (a local day) up to, not including, `after`."""

    period: Period
    first: date
    after: date
    zone: ZoneInfo

    @property
    def start(self) -> datetime:
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return _midnight(self.after, self.zone)

    def keys(self) -> list[str]:
        """The period keys the window holds, oldest first."""
        out: list[str] = []
        day = self.first
        while day < self.after:
            out.append(period_of_day(day, self.period))
            day = _next_start(period_start(day, self.period), self.period)
        return out

    def earlier(self) -> date:
        """A day of the window just before this one (for a link to it)."""
        return self.first - timedelta(days=1)

    def later(self) -> date:
        return self.after

    def periods(self) -> list[tuple[str, int, int]]:
        """(key, from, to) of each period, in epoch seconds from its first local midnight
        to the next period's (a day the clock changes on is 23 or 25 hours long)."""
        out = []
        first = self.first
        while first < self.after:
            after = _next_start(first, self.period)
            start, end = _midnight(first, self.zone), _midnight(after, self.zone)
            out.append(
                (period_of_day(first, self.period), int(start.timestamp()), int(end.timestamp()))
            )
            first = after
        return out


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def period_start(day: date, period: Period) -> date:
    """The first day of the period that holds `day`."""
    if period is Period.DAY:
        return day
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_start(first: date, period: Period) -> date:
    if period is Period.DAY:
        return first + timedelta(days=1)
    if period is Period.WEEK:
        return first + timedelta(days=7)
    month = first.month + 3
    return date(first.year + (month > 12), (month - 1) % 12 + 1, 1)


def window_ending(period: Period, day: date, zone: ZoneInfo, count: int | None = None) -> Window:
    """`count` periods (the default for the kind) ending with the one holding `day`."""
    n = max(1, min(count or DEFAULT_COUNT[period], MAX_COUNT[period]))
    after = _next_start(period_start(day, period), period)
    first = period_start(day, period)
    for _ in range(n - 1):
        first = period_start(first - timedelta(days=1), period)
    return Window(period, first, after, zone)
