"""Figures per loop and period, folded from queue_log lines and promise outcomes (pure).

Definitions (docs/reports.md):
* offered: ENTERQUEUE.
* answered: CONNECT; within the service level when its holdtime is at most the target.
* abandoned: the caller hung up while waiting, i.e. ABANDON, unless the same call enters
  another queue afterwards, asked for a callback, or the router says it moved it out of
  that queue (Asterisk logs an AMI Redirect out of Queue() as ABANDON too).
* moved on: EXITWITHTIMEOUT, EXITEMPTY, EXITWITHKEY, WITHDRAW, and the moved ABANDONs.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from switchboard.reports.queue_log import QueueLogLine

MOVED_VERBS = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"})
CALL_VERBS = MOVED_VERBS | {"ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "ABANDON"}
TARGET_KEPT = 0.95  # seed 002: 95 % answered within the promise


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    QUARTER = "quarter"


def period_of(at: datetime, period: Period, zone: ZoneInfo) -> str:
    local = at.astimezone(zone).date()
    if period is Period.DAY:
        return local.isoformat()
    if period is Period.WEEK:
        year, week, _ = local.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{local.year}-Q{(local.month - 1) // 3 + 1}"


@dataclass(frozen=True, slots=True)
class PromiseOutcome:
    """What reports keep of a callback or inquiry: no number, no member, no text."""

    ref: str
    kind: str
    loop: str
    requested_at: datetime
    first_due: datetime
    done_at: datetime | None

    def kept(self) -> bool | None:
        if self.done_at is None:
            return None
        return self.done_at <= self.first_due


@dataclass(slots=True)
class LoopFigures:
    offered: int = 0
    answered: int = 0
    within_service_level: int = 0
    abandoned: int = 0
    moved_on: int = 0
    answer_times: list[int] = field(default_factory=list)
    promises_due: int = 0  # done, or open past their first due date
    promises_kept: int = 0

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile of answer times (seconds), None without answers."""
        if not self.answer_times:
            return None
        ordered = sorted(self.answer_times)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def kept_share(self) -> float | None:
        return None if not self.promises_due else self.promises_kept / self.promises_due


@dataclass(slots=True)
class AgentFigures:
    answered: int = 0
    talk_s: int = 0


@dataclass(frozen=True, slots=True)
class Report:
    period: Period
    loops: Mapping[tuple[str, str], LoopFigures]  # (period key, loop) ->
    agents: Mapping[tuple[str, str], AgentFigures]  # (period key, agent name) ->


def figures(
    lines: Iterable[QueueLogLine],
    outcomes: Iterable[PromiseOutcome],
    period: Period,
    zone: ZoneInfo,
    *,
    service_level_s: int = 20,
    loop_of_queue: Callable[[str], str] = lambda q: q,
    callback_calls: frozenset[str] = frozenset(),  # call ids that asked for a callback
    moved_calls: frozenset[tuple[str, str]] = frozenset(),  # (call id, queue) the router moved
    now: datetime | None = None,
) -> Report:
    lines = sorted(lines, key=lambda ln: ln.time)
    last_entry: dict[str, int] = {}  # call id -> position of its last ENTERQUEUE
    for i, ln in enumerate(lines):
        if ln.verb == "ENTERQUEUE":
            last_entry[ln.callid] = i
    loops: dict[tuple[str, str], LoopFigures] = defaultdict(LoopFigures)
    agents: dict[tuple[str, str], AgentFigures] = defaultdict(AgentFigures)
    for i, ln in enumerate(lines):
        if ln.queue in ("", "NONE") or ln.verb not in CALL_VERBS:
            continue
        when = period_of(datetime.fromtimestamp(ln.time, UTC), period, zone)
        key = (when, loop_of_queue(ln.queue))
        f = loops[key]
        if ln.verb == "ENTERQUEUE":
            f.offered += 1
        elif ln.verb == "CONNECT":
            hold = ln.number(0)
            f.answered += 1
            f.answer_times.append(hold)
            f.within_service_level += hold <= service_level_s
            agents[(key[0], ln.agent)].answered += 1
        elif ln.verb in ("COMPLETEAGENT", "COMPLETECALLER"):
            agents[(key[0], ln.agent)].talk_s += ln.number(1)
        elif ln.verb == "ABANDON":
            moved = (
                ln.callid in callback_calls
                or (ln.callid, ln.queue) in moved_calls
                or last_entry.get(ln.callid, -1) > i
            )
            if moved:
                f.moved_on += 1
            else:
                f.abandoned += 1
        elif ln.verb in MOVED_VERBS:
            f.moved_on += 1
    moment = now or datetime.now(UTC)
    for o in outcomes:
        kept = o.kept()
        if kept is None and o.first_due >= moment:
            continue  # still open and not yet due: not decided
        key = (period_of(o.first_due, period, zone), o.loop)
        loops[key].promises_due += 1
        loops[key].promises_kept += bool(kept)
    return Report(period, dict(loops), dict(agents))
