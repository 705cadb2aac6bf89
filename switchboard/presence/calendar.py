"""Calendar events as every source delivers them, before the house rules are applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ShowAs(StrEnum):
    """Outlook's "show as" (free/busy status)."""

    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OUT_OF_OFFICE = "oof"
    WORKING_ELSEWHERE = "workingElsewhere"


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    """One (expanded) occurrence: times are timezone-aware; no subject is kept.

    All-day events keep their span as midnight-to-midnight in the calendar's zone.
    `info_only`: a calendar code in the subject (presence.codes) says it never takes the
    person out of the queue, whatever it is shown as; the subject itself stays behind.
    """

    start: datetime
    end: datetime
    all_day: bool
    show_as: ShowAs
    info_only: bool = False


@dataclass(frozen=True, slots=True)
class CalendarRead:
    """What one read of a calendar gives, whatever the source (ICS, CalDAV, Graph, EWS)."""

    events: tuple[CalendarEvent, ...]
    problems: tuple[str, ...]  # events skipped, each with where and why (never their subject)
