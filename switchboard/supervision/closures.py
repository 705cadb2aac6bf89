"""Closures as plain data: who may close what, what AstDB holds, when the holiday notice
runs (pure; `supervision.switch` carries it out over AMI)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from switchboard.ami.events import DbEntry
from switchboard.ivr.closure import CLOSURE_FAMILY, NOTICE_KEY, WHOLE_LINE, closure_key
from switchboard.ivr.hours import OpeningHours
from switchboard.routing.roster import Roster


class ClosureRefused(Exception):
    """A request the switch will not carry out; the text says why, for the screen."""


@dataclass(frozen=True, slots=True)
class Closure:
    scope: str  # WHOLE_LINE or a loop id
    message: str
    by: str = ""  # the supervisor's id ("" when read back from AstDB after a restart)
    at: float = 0.0  # epoch seconds


def scope_key(scope: str) -> str:
    return WHOLE_LINE if scope == WHOLE_LINE else closure_key(scope)


def check_request(
    roster: Roster,
    role: str,
    agent_id: str,
    scope: str,
    message: str | None,
    messages: Iterable[str],
) -> None:
    """Raise ClosureRefused unless `agent_id` may close (message given) or reopen `scope`."""
    agent = roster.agents.get(agent_id)
    if agent is None or role not in agent.roles:
        raise ClosureRefused(f"only a supervisor (role {role}) may close or reopen")
    if scope != WHOLE_LINE and scope not in {loop.id for loop in roster.loops}:
        raise ClosureRefused(f"no loop {scope!r}")
    if message is not None and message not in set(messages):
        raise ClosureRefused(f"no closure message {message!r}")


def read_closures(entries: Iterable[object], loop_ids: Iterable[str]) -> dict[str, str]:
    """Scope -> message for every closure AstDB holds (keys we did not write are ignored)."""
    by_key = {scope_key(scope): scope for scope in (WHOLE_LINE, *loop_ids)}
    prefix = f"/{CLOSURE_FAMILY}/"
    found: dict[str, str] = {}
    for entry in entries:
        if isinstance(entry, DbEntry) and entry.key.startswith(prefix):
            scope = by_key.get(entry.key.removeprefix(prefix))
            if scope is not None and entry.value:
                found[scope] = entry.value
    return found


def next_closed_day(hours: OpeningHours, today: date, days: int) -> date | None:
    """The first day within `days` after today that would be open but for a public holiday
    or a closed date (a holiday on a closed weekday needs no notice)."""
    for ahead in range(1, days + 1):
        day = today + timedelta(days=ahead)
        usual = hours.weekly[day.weekday()]
        if usual and (day in hours.holidays or day in hours.closed_dates):
            return day
    return None


def notice_until(hours: OpeningHours, now: datetime, days: int) -> int | None:
    """Epoch seconds until which callers hear the holiday notice (the closed day's start)."""
    if days <= 0:
        return None
    local = now.astimezone(hours.zone)
    day = next_closed_day(hours, local.date(), days)
    if day is None:
        return None
    return int(datetime.combine(day, time(0), hours.zone).timestamp())


def describe(closures: Mapping[str, Closure], titles: Mapping[str, str]) -> list[str]:
    """Lines for the screen and the board: 'the whole line is closed (emergency)'."""
    out = []
    for scope, c in sorted(closures.items()):
        what = "the whole line" if scope == WHOLE_LINE else titles.get(scope, scope)
        by = f" by {c.by}" if c.by else ""
        out.append(f"{what} is closed ({c.message}){by}")
    return out


__all__ = [
    "NOTICE_KEY",
    "WHOLE_LINE",
    "Closure",
    "ClosureRefused",
    "check_request",
    "describe",
    "notice_until",
    "read_closures",
    "scope_key",
]
