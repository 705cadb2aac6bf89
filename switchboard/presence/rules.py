"""The house rules: which calendar events take someone out of call routing. Pure.

- Timed events shown as Busy or Out of office: busy.
- Free and Working elsewhere: available.
- Tentative: a choice (`tentative_is_busy`, default True: Outlook itself treats a tentative
  meeting as not free, and a phone ringing in a meeting is what staff complain about).
- All-day events never count (staff write 08:00-15:30 instead); they are reported, so the
  person can be told.
- A calendar code (presence.codes), read by the calendar reader, has already set show-as
  to busy ("MØT:") or marked the event information only (";"): an information-only event
  that show-as alone would have made busy is reported as ignored, like an all-day one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo

from switchboard.presence.busy import BusyInterval, merge
from switchboard.presence.calendar import CalendarEvent, ShowAs

BUSY_STATES = frozenset({ShowAs.BUSY, ShowAs.OUT_OF_OFFICE})


@dataclass(frozen=True, slots=True)
class Verdict:
    busy: tuple[BusyInterval, ...]
    ignored_all_day: tuple[CalendarEvent, ...]
    ignored_info_only: tuple[CalendarEvent, ...] = ()

    @property
    def ignored(self) -> tuple[CalendarEvent, ...]:
        """Every event the person is told does not take them out of the queue."""
        return tuple(
            sorted((*self.ignored_all_day, *self.ignored_info_only), key=lambda e: e.start)
        )


def classify(events: Iterable[CalendarEvent], *, tentative_is_busy: bool = True) -> Verdict:
    """Busy intervals (merged) and the all-day and information-only events that were ignored."""
    busy_states = BUSY_STATES | ({ShowAs.TENTATIVE} if tentative_is_busy else set())
    busy: list[BusyInterval] = []
    ignored: list[CalendarEvent] = []
    info_only: list[CalendarEvent] = []
    for event in events:
        if event.all_day:
            if event.show_as is not ShowAs.FREE:
                ignored.append(event)
        elif event.show_as in busy_states and event.end > event.start:
            if event.info_only:
                info_only.append(event)
            else:
                busy.append(BusyInterval(event.start, event.end))
    return Verdict(
        merge(busy),
        tuple(sorted(ignored, key=lambda e: e.start)),
        tuple(sorted(info_only, key=lambda e: e.start)),
    )


def all_day_hint(event: CalendarEvent) -> str:
    """What to tell a person whose all-day event is being ignored."""
    return (
        f"all-day event on {event.start:%a %d %b} is ignored: write it with clock times "
        "(e.g. 08:00-15:30) to be taken out of the queue"
    )


def info_only_hint(event: CalendarEvent, zone: tzinfo | None = None) -> str:
    """What to tell a person whose event a calendar code marks as information only."""
    start, end = (
        (event.start.astimezone(zone), event.end.astimezone(zone))
        if zone
        else (
            event.start,
            event.end,
        )
    )
    return (
        f"{start:%a %d %b %H:%M}-{end:%H:%M} is marked information only by the code in its "
        "subject: it does not take you out of the queue"
    )


def ignored_hint(event: CalendarEvent, zone: tzinfo | None = None) -> str:
    """The hint for any ignored event (all-day, or information only)."""
    return all_day_hint(event) if event.all_day else info_only_hint(event, zone)
