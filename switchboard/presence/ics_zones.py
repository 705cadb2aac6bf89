"""Time zones of one calendar: its own VTIMEZONEs, then IANA names, then Windows names.

Each parse builds its own zones from the calendar's own VTIMEZONE definitions and keeps them
nowhere else, so two people's calendars that both say "Customized Time Zone" each get their
own rules, and a corrected calendar is read as corrected on the next poll (nothing is cached
process-wide; icalendar's zone cache did exactly that). A definition that is not sound
(absurd offsets, a rule that is not yearly) is refused with a reason, never half-used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from switchboard.presence.ics_recur import RuleError, last_onset_before, parse_rule, yearly_onsets
from switchboard.presence.ics_text import Component

MAX_OFFSET = timedelta(hours=18)  # real zones run from -12 to +14
_UTC_NAMES = frozenset({"UTC", "GMT", "Z", "ETC/UTC", "ETC/GMT", "UNIVERSAL", "ZULU"})


class ZoneError(ValueError):
    """A VTIMEZONE that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Observance:
    """One STANDARD or DAYLIGHT part: from its onsets on, the offset is `offset_to`."""

    offset_from: timedelta
    offset_to: timedelta
    daylight: bool
    onsets: tuple[datetime, ...]  # explicit onsets (DTSTART, RDATE) in local wall time
    rule: str  # a YEARLY RRULE, or ""
    first: datetime  # DTSTART, where the rule starts


class CalendarZone(tzinfo):
    """A zone as one calendar defines it (RFC 5545 3.6.5), transitions computed per year."""

    def __init__(self, tzid: str, observances: list[Observance]) -> None:
        self.tzid = tzid
        self._observances = observances
        self._years: dict[tuple[int, int], list[datetime]] = {}
        standard = [o.offset_to for o in observances if not o.daylight]
        self._standard = standard[0] if standard else observances[0].offset_to

    def __repr__(self) -> str:
        return f"CalendarZone({self.tzid!r})"

    def _onsets(self, o: Observance, year: int) -> list[datetime]:
        """An observance's onsets (UTC) in [year-1, year], from its rule."""
        key = (id(o), year)
        cached = self._years.get(key)
        if cached is None:
            cached = [t - o.offset_from for t in yearly_onsets(o.rule, o.first, year - 1, year)]
            self._years[key] = cached
        return cached

    def _last_onset(self, o: Observance, moment: datetime) -> datetime | None:
        """The latest moment (UTC) at or before `moment` when `o` came into force."""
        found = [u for t in o.onsets if (u := t - o.offset_from) <= moment]
        if o.rule:
            for year in (moment.year, moment.year - 2):
                ruled = [u for u in self._onsets(o, year) if u <= moment]
                if ruled:
                    found.append(max(ruled))
                    break
            else:
                earlier = last_onset_before(o.rule, o.first, moment + o.offset_from)
                if earlier is not None:
                    found.append(earlier - o.offset_from)
        return max(found, default=None)

    def _at_utc(self, moment: datetime) -> tuple[timedelta, bool]:
        """Offset and DST flag in force at a naive UTC moment."""
        best: tuple[datetime, Observance] | None = None
        for o in self._observances:
            onset = self._last_onset(o, moment)
            if onset is not None and (best is None or onset > best[0]):
                best = (onset, o)
        if best is not None:
            return best[1].offset_to, best[1].daylight
        earliest = min(self._observances, key=lambda o: o.first)
        return earliest.offset_from, False

    def _offset(self, dt: datetime | None) -> tuple[timedelta, bool]:
        if dt is None:
            return self._standard, False
        wall = dt.replace(tzinfo=None, fold=0)
        offsets = sorted({o.offset_to for o in self._observances} | {self._standard}, reverse=True)
        valid = [s for o in offsets if (s := self._at_utc(wall - o))[0] == o]
        if not valid:  # a wall time in a spring-forward gap: the offset before the gap
            return self._at_utc(wall - offsets[-1])
        # Ambiguous (autumn fold): fold=0 is the earlier instant, the larger offset.
        return valid[-1] if dt.fold and len(valid) > 1 else valid[0]

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._offset(dt)[0]

    def dst(self, dt: datetime | None) -> timedelta:
        offset, daylight = self._offset(dt)
        return offset - self._standard if daylight else timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        return self.tzid

    def fromutc(self, dt: datetime) -> datetime:
        utc = dt.replace(tzinfo=None)
        offset, _ = self._at_utc(utc)
        local = (utc + offset).replace(tzinfo=self)
        if local.utcoffset() != offset:
            local = local.replace(fold=1)
        return local


def _offset(value: str) -> timedelta:
    text = value.strip()
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    if not digits.isdigit() or len(digits) not in (4, 6):
        raise ZoneError(f"offset {text!r} is not +HHMM")
    hours, minutes, seconds = int(digits[:2]), int(digits[2:4]), int(digits[4:6] or 0)
    if minutes > 59 or seconds > 59:
        raise ZoneError(f"offset {text!r} is not +HHMM")
    result = sign * timedelta(hours=hours, minutes=minutes, seconds=seconds)
    if abs(result) > MAX_OFFSET:
        raise ZoneError(f"offset {text!r} is beyond the ±18 hours any real zone has")
    return result


def _local(value: str) -> datetime:
    text = value.strip().rstrip("Z")
    try:
        return datetime.strptime(text, "%Y%m%dT%H%M%S")
    except ValueError:
        raise ZoneError(f"onset {value.strip()!r} is not a date-time") from None


def zone_from(component: Component) -> CalendarZone:
    """A VTIMEZONE's rules as a tzinfo, or ZoneError saying what is wrong."""
    tzid = component.get("TZID")
    if tzid is None or not tzid.value.strip():
        raise ZoneError("a VTIMEZONE without TZID")
    observances = []
    for part in component.children:
        if part.name not in ("STANDARD", "DAYLIGHT"):
            continue
        if part.damage:
            raise ZoneError(part.damage)
        start, offset_from, offset_to = (
            part.get("DTSTART"),
            part.get("TZOFFSETFROM"),
            part.get("TZOFFSETTO"),
        )
        if start is None or offset_to is None:
            raise ZoneError(f"its {part.name} part lacks DTSTART or TZOFFSETTO")
        first = _local(start.value)
        onsets = [first]
        for rdate in part.all("RDATE"):
            onsets += [_local(v) for v in rdate.value.split(",") if v.strip()]
        rules = [p.value for p in part.all("RRULE")]
        rule = rules[0] if rules else ""
        if rule:
            try:
                parsed = parse_rule(rule)
            except RuleError as exc:
                raise ZoneError(f"its {part.name} rule: {exc}") from None
            if parsed.freq_name != "YEARLY":
                raise ZoneError(f"its {part.name} rule repeats {parsed.freq_name.lower()}")
        to = _offset(offset_to.value)
        observances.append(
            Observance(
                _offset(offset_from.value) if offset_from else to,
                to,
                part.name == "DAYLIGHT",
                tuple(onsets),
                rule,
                first,
            )
        )
    if not observances:
        raise ZoneError("it has no STANDARD or DAYLIGHT part")
    return CalendarZone(unescape(tzid.value), observances)


def unescape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11) as meant: Exchange escapes the commas in its names."""
    return text.strip().replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def known_zone(tzid: str) -> tzinfo | None:
    """An IANA or Windows zone name, or None."""
    name = tzid.strip().strip('"').strip()
    if name.upper() in _UTC_NAMES:
        return UTC
    if name and not name.startswith(("/", ".")) and ".." not in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    olson = WINDOWS_TO_OLSON.get(name)
    return ZoneInfo(olson) if olson else None


class Zones:
    """TZID -> tzinfo for one calendar. An exact VTIMEZONE match wins (RFC 5545 3.2.19)."""

    def __init__(self, definitions: list[Component]) -> None:
        self._own: dict[str, CalendarZone] = {}
        self._named: dict[str, tzinfo | None] = {}  # IANA/Windows lookups, for this calendar
        self.refused: dict[str, str] = {}
        for definition in definitions:
            try:
                zone = zone_from(definition)
            except (ZoneError, RuleError) as exc:
                tzid = definition.get("TZID")
                self.refused[unescape(tzid.value) if tzid else "?"] = str(exc)
                continue
            self._own.setdefault(zone.tzid, zone)

    def get(self, tzid: str) -> tzinfo | None:
        own = self._own.get(tzid) or self._own.get(tzid.strip().strip('"'))
        if own is not None:
            return own
        # Not defined here (or defined unsoundly): a well-known name still means that name.
        if tzid not in self._named:
            self._named[tzid] = known_zone(tzid)
        return self._named[tzid]

    def why_unknown(self, tzid: str) -> str:
        reason = self.refused.get(tzid)
        if reason:
            return f"time zone {tzid!r} is defined in the file but cannot be used: {reason}"
        return f"unknown time zone {tzid!r}"
