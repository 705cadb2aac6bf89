"""ICS (iCalendar) text -> calendar events in a window, the way Outlook means them.

One calendar is read on its own: its zones come from its own VTIMEZONEs (plus IANA and
Windows names), nothing is cached between calls. A bad event is skipped and reported by its
position ("event 3, line 41"), never by subject; the good ones are kept. Only CalendarError
ever leaves `parse_ics`, and only when nothing in the file can be used.

Outlook's ways are read as meant: all-day written as midnight-to-midnight with
X-MICROSOFT-CDO-ALLDAYEVENT:TRUE (a flagged event with clock times is a timed meeting),
show-as in X-MICROSOFT-CDO-BUSYSTATUS, Windows zone names, spaces in BYDAY lists.
Expansion is priced before it is done (presence.ics_recur) and bounded per event and per
calendar; events that cannot reach the window are dropped before anything is expanded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from switchboard.presence.calendar import CalendarEvent, CalendarRead, ShowAs
from switchboard.presence.codes import NO_CODES, SubjectCodes, coded
from switchboard.presence.ics_recur import (
    Rule,
    RuleError,
    cost,
    instants,
    parse_rule,
    until_for,
    walk_start,
)
from switchboard.presence.ics_text import CalendarError, Component, Prop, components, decode
from switchboard.presence.ics_zones import Zones

__all__ = ["DEFAULT_LIMITS", "CalendarError", "CalendarRead", "Limits", "parse_ics"]

_BUSYSTATUS = {
    "FREE": ShowAs.FREE,
    "TENTATIVE": ShowAs.TENTATIVE,
    "BUSY": ShowAs.BUSY,
    "OOF": ShowAs.OUT_OF_OFFICE,
    "WORKINGELSEWHERE": ShowAs.WORKING_ELSEWHERE,
}
_ALL_DAY_FLAGS = ("X-MICROSOFT-CDO-ALLDAYEVENT", "X-MICROSOFT-MSNCALENDAR-ALLDAYEVENT")
_DURATION = re.compile(
    # Lenient on where T sits: Exchange has written "-PT1W1D2H3M4S".
    r"^([+-])?PT?(?:(\d+)W)?(?:(\d+)D)?(?:T?(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one calendar may cost to read (config: presence.calendar_limits)."""

    max_instances: int = 5_000  # per calendar and window: far beyond any real person's day
    max_event_cost: int = 200_000  # candidate instants one recurrence may walk (~0.2 s)
    max_calendar_cost: int = 2_000_000  # the same, summed over a calendar
    max_event_cpu_s: float = 1.0  # the hard stop behind the price, per recurrence


DEFAULT_LIMITS = Limits()


class _Skip(Exception):
    """This event cannot be used; the message says why."""


def parse_ics(
    text: str | bytes,
    start: datetime,
    end: datetime,
    local: tzinfo,
    limits: Limits = DEFAULT_LIMITS,
    codes: SubjectCodes = NO_CODES,
) -> CalendarRead:
    """The occurrences overlapping [start, end); floating times are read in `local`.

    With `codes`, a code at the start of an event's SUMMARY overrides its show-as."""
    try:
        body = decode(text)
        root: list[Prop] = []
        zones = Zones(list(components(body, only=frozenset({"VTIMEZONE"}), root=root)))
        # Apple and Google name the calendar's own zone here; floating times mean that zone.
        named = next((p.value for p in root if p.name == "X-WR-TIMEZONE"), "")
        floating = (zones.get(named) if named.strip() else None) or local
        reader = _Reader(zones, (start, end), floating, limits, codes)
        for position, component in enumerate(components(body, only=frozenset({"VEVENT"})), start=1):
            reader.add(position, component)
        return reader.result()
    except CalendarError:
        raise
    except Exception as exc:  # a defect of ours must not become another source's problem
        raise CalendarError(f"the calendar could not be read ({type(exc).__name__})") from None


@dataclass(slots=True)
class _When:
    """A DTSTART-like value: wall time in `zone`, or a date (`is_date`)."""

    wall: datetime
    zone: tzinfo
    is_date: bool

    def aware(self) -> datetime:
        return self.wall.replace(tzinfo=self.zone)


@dataclass(slots=True)
class _Master:
    where: str
    uid: str
    start: _When
    length: timedelta
    rule: Rule | None
    rdates: list[tuple[_When, timedelta | None]]
    exdates: list[_When]
    all_day: bool
    show_as: ShowAs
    info_only: bool


@dataclass(slots=True)
class _Overrides:
    instants: set[datetime] = field(default_factory=set)
    dates: set[date] = field(default_factory=set)

    def hit(self, moment: datetime, is_date: bool) -> bool:
        return (moment.date() in self.dates) if is_date else (moment in self.instants)


class _Reader:
    def __init__(
        self,
        zones: Zones,
        window: tuple[datetime, datetime],
        local: tzinfo,
        limits: Limits,
        codes: SubjectCodes = NO_CODES,
    ) -> None:
        self._zones = zones
        self._codes = codes
        self._window = window
        self._local = local
        self._limits = limits
        self._events: list[CalendarEvent] = []
        self._problems: list[str] = []
        self._masters: list[_Master] = []
        self._overrides: dict[str, _Overrides] = {}
        self._spent = 0
        self._full = False

    def add(self, position: int, component: Component) -> None:
        where = f"event {position} (line {component.line})"
        if component.damage:
            self._problem(where, f"cannot be read: {component.damage}")
            return
        try:
            self._add(where, component)
        except (_Skip, RuleError) as exc:
            self._problem(where, str(exc))
        except Exception as exc:  # one odd event must not cost the others
            self._problem(where, f"cannot be read ({type(exc).__name__})")

    def _problem(self, where: str, why: str) -> None:
        self._problems.append(f"{where}: {why}; skipped")

    def _add(self, where: str, c: Component) -> None:
        dtstart = c.get("DTSTART")
        if dtstart is None:
            raise _Skip("has no DTSTART")
        start = self._when(dtstart, "DTSTART")
        length = self._length(c, start)
        if length < timedelta(0):
            raise _Skip("ends before it starts (RFC 5545 3.8.2.2: not swapped)")
        uid = _text(c, "UID")
        cancelled = _text(c, "STATUS").upper() == "CANCELLED"
        rid = c.get("RECURRENCE-ID")
        all_day = self._all_day(c, start, length)
        show_as, info = _show_as(c), False
        if self._codes.on:
            show_as, info = coded(show_as, self._codes.read(_unescape(_text(c, "SUMMARY"))))
        if rid is not None:
            moved = self._when(rid, "RECURRENCE-ID")
            overrides = self._overrides.setdefault(uid, _Overrides())
            if moved.is_date:
                overrides.dates.add(moved.wall.date())
            else:
                overrides.instants.add(moved.aware().astimezone(UTC))
                overrides.dates.add(moved.wall.date())
            if not cancelled:
                self._emit(start.aware(), length, start, all_day, show_as, info)
            return
        if cancelled:
            return
        rules = {p.value.replace(" ", "").upper().strip(";") for p in c.all("RRULE")}
        if len(rules) > 1:
            raise _Skip("has two different RRULEs (RFC 5545 allows one)")
        rule = parse_rule(rules.pop()) if rules else None
        rdates = [r for p in c.all("RDATE") for r in self._dates(p, "RDATE", start)]
        if rule is None and not rdates:
            self._emit(start.aware(), length, start, all_day, show_as, info)
            return
        exdates = [d for p in c.all("EXDATE") for d, _ in self._dates(p, "EXDATE", start)]
        self._masters.append(
            _Master(where, uid, start, length, rule, rdates, exdates, all_day, show_as, info)
        )

    def _when(self, prop: Prop, name: str) -> _When:
        value = prop.value.strip()
        kind = prop.params.get("VALUE", "").upper()
        if kind == "DATE" or (len(value) == 8 and value.isdigit()):
            day = _digits(value) if len(value) == 8 else None
            if day is None:
                raise _Skip(f"{name} {value[:20]!r} is not a date")
            return _When(day, self._local, True)
        bare = value.rstrip("Zz")
        wall = _digits(bare) if len(bare) == 15 else None
        if wall is None:
            raise _Skip(f"{name} {value[:20]!r} is not a date or date-time")
        if value[-1:] in "Zz":
            return _When(wall, UTC, False)  # UTC wins over a stray TZID (seen in the wild)
        tzid = prop.params.get("TZID")
        if tzid is None:
            return _When(wall, self._local, False)  # floating: the engine's own zone
        zone = self._zones.get(tzid)
        if zone is None:
            raise _Skip(f"{name} uses {self._zones.why_unknown(tzid)}; not guessed")
        return _When(wall, zone, False)

    def _length(self, c: Component, start: _When) -> timedelta:
        dtend, duration = c.get("DTEND"), c.get("DURATION")
        if dtend is not None:
            end = self._when(dtend, "DTEND")
            if start.is_date:
                return end.wall.replace(hour=0, minute=0, second=0) - start.wall
            if end.is_date:
                raise _Skip("starts with a date-time but ends with a date")
            return end.aware() - start.aware()
        if duration is not None:
            return _duration(duration.value)
        # RFC 5545 3.6.1: no DTEND or DURATION is one day for a date, zero for a date-time.
        return timedelta(days=1) if start.is_date else timedelta(0)

    def _dates(self, prop: Prop, name: str, start: _When) -> list[tuple[_When, timedelta | None]]:
        found: list[tuple[_When, timedelta | None]] = []
        for value in prop.value.split(","):
            head, slash, tail = value.partition("/")
            one = Prop(prop.name, prop.params, head)
            if prop.params.get("VALUE", "").upper() == "PERIOD" or slash:
                one = Prop(prop.name, {k: v for k, v in prop.params.items() if k != "VALUE"}, head)
            when = self._when(one, name)
            length: timedelta | None = None
            if slash:
                if tail.strip().upper().lstrip("+-").startswith("P"):
                    length = _duration(tail)
                else:
                    other = self._when(Prop(prop.name, one.params, tail), name)
                    length = other.aware() - when.aware()
                if length < timedelta(0):
                    raise _Skip(f"an {name} period ends before it starts")
            if when.is_date != start.is_date and name == "RDATE":
                raise _Skip("an RDATE is not of DTSTART's type (date vs date-time)")
            found.append((when, length))
        return found

    def _all_day(self, c: Component, start: _When, length: timedelta) -> bool:
        if start.is_date:
            return True
        if not any(_text(c, flag).upper() == "TRUE" for flag in _ALL_DAY_FLAGS):
            return False
        # The flag alone is not enough: only midnight-to-midnight spans are all-day.
        end = (start.aware() + length).astimezone(start.zone)
        return (
            start.wall.time() == time(0) and end.time() == time(0) and length >= timedelta(days=1)
        )

    def _emit(
        self,
        begin: datetime,
        length: timedelta,
        like: _When,
        all_day: bool,
        show_as: ShowAs,
        info_only: bool = False,
    ) -> None:
        if self._full:
            return
        if all_day:
            first = begin.astimezone(like.zone).date() if not like.is_date else begin.date()
            days = max(1, round(length / timedelta(days=1)))
            s = datetime.combine(first, time(), tzinfo=self._local)
            e = datetime.combine(first + timedelta(days=days), time(), tzinfo=self._local)
        else:
            s = begin.astimezone(UTC)
            e = s + length
        if e <= self._window[0] or s >= self._window[1]:
            return  # outside the window (zero-length events too: they never make anyone busy)
        if len(self._events) >= self._limits.max_instances:
            self._full = True
            self._problems.append(
                f"more than {self._limits.max_instances} events in the window; the rest skipped"
            )
            return
        self._events.append(CalendarEvent(s, e, all_day, show_as, info_only))

    def _expand(self, m: _Master) -> None:
        zone, first = m.start.zone, m.start.wall
        margin = abs(m.length) + timedelta(days=2)  # DST and date-vs-zone slack on both ends

        def wall(moment: datetime) -> datetime:
            return moment.astimezone(zone).replace(tzinfo=None)

        low, high = wall(self._window[0]) - margin, wall(self._window[1]) + timedelta(days=2)
        starts: dict[datetime, timedelta] = {first: m.length}
        if first > high and not m.rdates:
            return  # starts after the window: nothing to expand
        if m.rule is not None:
            until = until_for(m.rule, first, lambda u: wall(u.replace(tzinfo=UTC)))
            if until is not None and until < low and not m.rdates:
                return  # ended before the window: not expanded at all
            begin = walk_start(m.rule, first, low)
            price = cost(m.rule, begin, min(high, until) if until else high)
            if price > self._limits.max_event_cost:
                raise _Skip(
                    f"repeats {m.rule.freq_name.lower()} from {first:%Y-%m-%d}: about "
                    f"{price:,} steps to expand, over the limit of "
                    f"{self._limits.max_event_cost:,}"
                )
            if self._spent + price > self._limits.max_calendar_cost:
                raise _Skip(
                    f"the calendar's recurrences together exceed "
                    f"{self._limits.max_calendar_cost:,} steps to expand"
                )
            self._spent += price
            try:
                found = instants(m.rule, begin, until, (low, high), self._limits.max_event_cpu_s)
            except RuleError:
                # Priced cheap but walked long: a quarter of the calendar's budget is gone, so
                # a calendar of such rules stops costing anything after a few of them.
                self._spent += self._limits.max_calendar_cost // 4
                raise
            for moment in found:
                starts.setdefault(moment, m.length)
        for when, length in m.rdates:
            moment = when.aware().astimezone(zone).replace(tzinfo=None)
            starts[moment] = length if length is not None else m.length
        excluded_instants = {
            d.aware().astimezone(UTC) for d in m.exdates if not d.is_date and not m.start.is_date
        }
        excluded_dates = {d.wall.date() for d in m.exdates if d.is_date or m.start.is_date}
        overrides = self._overrides.get(m.uid, _Overrides())
        for moment, length in sorted(starts.items()):
            if not low <= moment <= high:
                continue
            aware = moment.replace(tzinfo=zone)
            key = aware.astimezone(UTC)
            if key in excluded_instants or moment.date() in excluded_dates:
                continue
            if overrides.hit(key if not m.start.is_date else moment, m.start.is_date):
                continue
            self._emit(aware, length, m.start, m.all_day, m.show_as, m.info_only)

    def result(self) -> CalendarRead:
        for master in self._masters:
            try:
                self._expand(master)
            except (_Skip, RuleError) as exc:
                self._problem(master.where, str(exc))
        events = sorted(self._events, key=lambda e: (e.start, e.end))
        return CalendarRead(tuple(events), tuple(self._problems))


def _digits(text: str) -> datetime | None:
    """YYYYMMDD or YYYYMMDDTHHMMSS (strptime is ten times slower, and 20 MiB is many)."""
    try:
        if len(text) == 8 and text.isdigit():
            return datetime(int(text[:4]), int(text[4:6]), int(text[6:8]))
        if len(text) == 15 and text[8] in "Tt" and text[:8].isdigit() and text[9:].isdigit():
            return datetime(
                int(text[:4]),
                int(text[4:6]),
                int(text[6:8]),
                int(text[9:11]),
                int(text[11:13]),
                min(int(text[13:15]), 59),  # a leap second (60) is read as :59
            )
    except ValueError:
        return None
    return None


def _text(c: Component, name: str) -> str:
    prop = c.get(name)
    return prop.value.strip() if prop is not None else ""


def _duration(value: str) -> timedelta:
    match = _DURATION.match(value.strip())
    if match is None:
        raise _Skip(f"DURATION {value.strip()[:30]!r} is not a duration")
    sign, weeks, days, hours, minutes, seconds = match.groups()
    span = timedelta(
        weeks=int(weeks or 0),
        days=int(days or 0),
        hours=int(hours or 0),
        minutes=int(minutes or 0),
        seconds=int(seconds or 0),
    )
    return -span if sign == "-" else span


def _unescape(value: str) -> str:
    """A TEXT value as written (RFC 5545 3.3.11): Outlook writes ";lunsj" as "\\;lunsj"."""
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\" and i + 1 < len(value):
            out.append("\n" if value[i + 1] in "nN" else value[i + 1])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _show_as(c: Component) -> ShowAs:
    status = _text(c, "X-MICROSOFT-CDO-BUSYSTATUS").upper()
    if status in _BUSYSTATUS:
        return _BUSYSTATUS[status]
    if _text(c, "TRANSP").upper() == "TRANSPARENT":
        return ShowAs.FREE
    if _text(c, "STATUS").upper() == "TENTATIVE":
        return ShowAs.TENTATIVE
    return ShowAs.BUSY


WallClock = Callable[[datetime], datetime]
