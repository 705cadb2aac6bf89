"""Recurrence rules (RFC 5545 3.3.10): read leniently, priced before they are expanded.

Expansion is dateutil's. Its cost is bounded by construction: `cost` estimates how many
candidate instants dateutil must walk to reach the end of the window, BYxxx lists included,
and a rule over budget is never handed to it. A rule without COUNT starts its walk at the
period just before the window (the instants are the same: whole periods are skipped), so a
minutely rule from 2000 until 2099 costs one window, not 26 years.
"""

from __future__ import annotations

import math
import signal
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from dateutil import rrule as du

FREQS: dict[str, Any] = {
    "SECONDLY": du.SECONDLY,
    "MINUTELY": du.MINUTELY,
    "HOURLY": du.HOURLY,
    "DAILY": du.DAILY,
    "WEEKLY": du.WEEKLY,
    "MONTHLY": du.MONTHLY,
    "YEARLY": du.YEARLY,
}
_PERIOD_S = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,  # the shortest month: an upper bound on periods
    "YEARLY": 365 * 86400,
}
_DAYSET = {"YEARLY": 366, "MONTHLY": 31, "WEEKLY": 7}  # days dateutil builds per period
_WEEKDAYS = {"MO": du.MO, "TU": du.TU, "WE": du.WE, "TH": du.TH, "FR": du.FR, "SA": du.SA}
_WEEKDAYS["SU"] = du.SU
_INT_PARTS = {
    "BYSECOND": ("bysecond", 0, 60),
    "BYMINUTE": ("byminute", 0, 59),
    "BYHOUR": ("byhour", 0, 23),
    "BYMONTHDAY": ("bymonthday", -31, 31),
    "BYYEARDAY": ("byyearday", -366, 366),
    "BYWEEKNO": ("byweekno", -53, 53),
    "BYMONTH": ("bymonth", 1, 12),
    "BYSETPOS": ("bysetpos", -366, 366),
}


class RuleError(ValueError):
    """A recurrence rule that cannot be read; the message names the part."""


@dataclass(frozen=True, slots=True)
class Rule:
    freq_name: str
    interval: int
    count: int | None
    until: str  # raw: its meaning depends on DTSTART's type and zone
    parts: dict[str, tuple[int, ...]]  # dateutil keyword -> values
    weekdays: tuple[du.weekday, ...]
    wkst: du.weekday | None

    def dateutil(self, start: datetime, until: datetime | None) -> du.rrule:
        kwargs: dict[str, object] = {k: v for k, v in self.parts.items()}
        if self.weekdays:
            kwargs["byweekday"] = self.weekdays
        if self.wkst is not None:
            kwargs["wkst"] = self.wkst
        return du.rrule(
            FREQS[self.freq_name],
            dtstart=start,
            interval=self.interval,
            count=self.count,
            until=until,
            cache=False,
            **kwargs,  # type: ignore[arg-type]
        )


def parse_rule(text: str) -> Rule:
    """A rule from its value; spaces in lists (Exchange's `BYDAY=MO, TU`) are accepted."""
    fields: dict[str, str] = {}
    for part in text.replace(" ", "").strip().strip(";").split(";"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if not eq or not value:
            raise RuleError(f"part {key.upper()!r} has no value")
        key = key.upper()
        if key in fields and fields[key] != value.upper():
            raise RuleError(f"{key} is given twice, differently")
        fields[key] = value.upper()
    freq = fields.pop("FREQ", "")
    if freq not in FREQS:
        raise RuleError(f"FREQ {freq!r} is not a frequency" if freq else "no FREQ")
    interval = _int(fields.pop("INTERVAL", "1"), "INTERVAL", 1, 10**6)
    count = _int(fields.pop("COUNT"), "COUNT", 1, 10**12) if "COUNT" in fields else None
    until = fields.pop("UNTIL", "")
    if count is not None and until:
        raise RuleError("COUNT and UNTIL together (RFC 5545 allows one)")
    parts: dict[str, tuple[int, ...]] = {}
    for key, (keyword, low, high) in _INT_PARTS.items():
        if key in fields:
            values = tuple(_int(v, key, low, high) for v in fields.pop(key).split(",") if v)
            if any(v == 0 for v in values) and low < 0:
                raise RuleError(f"{key} has 0")
            parts[keyword] = values
    weekdays = tuple(_weekday(v) for v in fields.pop("BYDAY", "").split(",") if v)
    wkst = _weekday(fields.pop("WKST")) if "WKST" in fields else None
    for key in fields:
        if not key.startswith("X-"):
            raise RuleError(f"unknown part {key!r}")
    return Rule(freq, interval, count, until, parts, weekdays, wkst)


def _int(value: str, key: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise RuleError(f"{key} {value!r} is not a number") from None
    if not low <= number <= high:
        raise RuleError(f"{key} {number} is out of range")
    return number


def _weekday(value: str) -> du.weekday:
    day = _WEEKDAYS.get(value[-2:])
    if day is None:
        raise RuleError(f"BYDAY {value!r} is not a weekday")
    if len(value) == 2:
        return day
    n = _int(value[:-2], "BYDAY", -53, 53)
    if n == 0:
        raise RuleError(f"BYDAY {value!r} has 0")
    return day(n)


def walk_start(rule: Rule, first: datetime, window_start: datetime) -> datetime:
    """Where dateutil may begin: whole periods before the window skipped (no COUNT only)."""
    if rule.count is not None or rule.freq_name in ("MONTHLY", "YEARLY"):
        return first
    step = timedelta(seconds=_PERIOD_S[rule.freq_name] * rule.interval)
    periods = math.floor((window_start - first) / step)
    return first + step * periods if periods > 0 else first


def cost(rule: Rule, start: datetime, end: datetime) -> int:
    """Candidate instants dateutil walks from `start` to `end` (an upper bound)."""
    span_s = max(0.0, (end - start).total_seconds())
    periods = int(span_s // (_PERIOD_S[rule.freq_name] * rule.interval)) + 1
    times = 1
    for keyword, finer in (("byhour", "HOURLY"), ("byminute", "MINUTELY"), ("bysecond", "")):
        if rule.freq_name not in _FINER_THAN[finer]:
            times *= len(rule.parts.get(keyword, ())) or 1
    days = _days_per_period(rule)
    if rule.count is not None and not _filters(rule):
        periods = min(periods, rule.count)
    # dateutil spends about ten times longer per instant below a day (measured: ~6 us).
    weight = 10 if rule.freq_name in ("SECONDLY", "MINUTELY", "HOURLY") else 1
    return weight * periods * (_DAYSET.get(rule.freq_name, 1) + days * times)


_FINER_THAN = {
    "HOURLY": ("HOURLY", "MINUTELY", "SECONDLY"),
    "MINUTELY": ("MINUTELY", "SECONDLY"),
    "": ("SECONDLY",),
}


def _days_per_period(rule: Rule) -> int:
    p, n_weekdays = rule.parts, len(rule.weekdays)
    if rule.freq_name == "YEARLY":
        days = 366
        months = len(p.get("bymonth", ())) or 12
        if "bymonth" in p:
            days = min(days, 31 * months)
        if "bymonthday" in p:
            days = min(days, len(p["bymonthday"]) * months)
        if n_weekdays:
            days = min(days, 5 * n_weekdays * months if "bymonth" in p else 53 * n_weekdays)
        if "byyearday" in p:
            days = min(days, len(p["byyearday"]))
        if "byweekno" in p:
            days = min(days, 7 * len(p["byweekno"]))
        explicit = ("bymonth", "bymonthday", "byyearday", "byweekno")
        return days if n_weekdays or any(k in p for k in explicit) else 1
    if rule.freq_name == "MONTHLY":
        if "bymonthday" in p:
            return min(31, len(p["bymonthday"]))
        return min(31, 5 * n_weekdays) if n_weekdays else 1
    if rule.freq_name == "WEEKLY":
        return min(7, n_weekdays) or 1
    return 1


def _filters(rule: Rule) -> bool:
    """Whether some period may yield nothing (then COUNT does not bound the walk)."""
    limiting = {"bymonth", "bymonthday", "byyearday", "byweekno", "bysetpos"}
    if rule.freq_name not in ("WEEKLY", "MONTHLY", "YEARLY") and rule.weekdays:
        return True
    return bool(limiting & set(rule.parts)) or (
        rule.freq_name in ("SECONDLY", "MINUTELY", "HOURLY")
        and bool({"byhour", "byminute"} & set(rule.parts))
    )


class _Overrun(Exception):
    pass


@contextmanager
def cpu_guard(seconds: float) -> Iterator[None]:
    """Stop the work inside after `seconds` of CPU (RuleError), where a signal can reach it.

    The price is an upper bound on the instants dateutil *yields* on the way to the window,
    but dateutil walks on without yielding through periods a filter empties (a BYSETPOS no
    period has, say) until year 9999. In the reader's own process (the main thread of a
    worker, or of a test) this timer stops such a walk; the worker's deadline is behind it.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def overrun(signum: int, frame: object) -> None:
        raise _Overrun

    previous = signal.signal(signal.SIGPROF, overrun)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    except _Overrun:
        raise RuleError(f"took over {seconds:g} s of CPU to expand; stopped") from None
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, previous)


# Rules that overran their CPU allowance, by (rule, start, until): a filter that empties every
# period empties it in every window, so the next poll skips the event at once instead of
# paying the allowance again. Bounded; per reading process.
_OVERRAN: OrderedDict[tuple[str, datetime, datetime | None], str] = OrderedDict()
_OVERRAN_KEPT = 1024


def instants(
    rule: Rule,
    start: datetime,
    until: datetime | None,
    window: tuple[datetime, datetime],
    cpu_s: float = 1.0,
) -> list[datetime]:
    """Naive wall-clock starts in [window) (dateutil from `start`); raises RuleError."""
    key = (repr(rule), start, until)
    if (said := _OVERRAN.get(key)) is not None:
        _OVERRAN.move_to_end(key)
        raise RuleError(said)
    try:
        with cpu_guard(cpu_s):
            return list(rule.dateutil(start, until).between(window[0], window[1], inc=True))
    except RuleError as overran:
        _OVERRAN[key] = str(overran)
        if len(_OVERRAN) > _OVERRAN_KEPT:
            _OVERRAN.popitem(last=False)
        raise
    except (ValueError, OverflowError) as exc:
        raise RuleError(f"cannot be expanded ({exc})") from None


def yearly_onsets(rule_text: str, first: datetime, from_year: int, to_year: int) -> list[datetime]:
    """A VTIMEZONE rule's onsets in [from_year, to_year] (the rule is known to be YEARLY)."""
    rule = parse_rule(rule_text)
    start = first
    if rule.count is None and first.year < from_year - 1:
        try:
            start = first.replace(year=from_year - 1)
        except ValueError:  # 29 February
            start = first
    until = until_for(rule, first, None)
    window = (datetime(from_year, 1, 1), datetime(to_year, 12, 31, 23, 59, 59))
    if rule.count is not None and rule.count > 1000:
        raise RuleError("COUNT over 1000 in a time zone rule")
    return instants(rule, start, until, window, cpu_s=0.5)


def last_onset_before(rule_text: str, first: datetime, moment: datetime) -> datetime | None:
    """A VTIMEZONE rule's latest onset at or before `moment` (wall time), if any."""
    rule = parse_rule(rule_text)
    if rule.count is not None and rule.count > 1000:
        raise RuleError("COUNT over 1000 in a time zone rule")
    try:
        with cpu_guard(0.5):
            found: datetime | None = rule.dateutil(first, until_for(rule, first, None)).before(
                moment, inc=True
            )
    except RuleError:
        raise
    except (ValueError, OverflowError) as exc:
        raise RuleError(f"cannot be expanded ({exc})") from None
    return found


def until_for(rule: Rule, first: datetime, to_wall: object) -> datetime | None:
    """UNTIL as a naive wall time comparable with `first` (RFC 5545 3.3.10).

    A UTC UNTIL is converted with `to_wall` (a callable) when given; a date UNTIL on a
    date-time series (Google writes these) means the end of that day.
    """
    text = rule.until
    if not text:
        return None
    try:
        if "T" not in text:
            day = datetime.strptime(text[:8], "%Y%m%d")
            return day + timedelta(days=1) - timedelta(seconds=1)
        moment = datetime.strptime(text[:15], "%Y%m%dT%H%M%S")
    except ValueError:
        raise RuleError(f"UNTIL {text!r} is not a date") from None
    if text.endswith("Z") and callable(to_wall):
        converted: datetime = to_wall(moment)
        return converted
    return moment
