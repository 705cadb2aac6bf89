"""Figures per loop and period: what reports count, and the shapes they come in (pure).

`reports.aggregate` counts them in the database; tests/reports/fold.py folds the same from
the lines one by one, the reference the database is held to.

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
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

MOVED_VERBS = frozenset({"EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"})
CALL_VERBS = MOVED_VERBS | {"ENTERQUEUE", "CONNECT", "COMPLETEAGENT", "COMPLETECALLER", "ABANDON"}
TARGET_KEPT = 0.95  # seed 002: 95 % answered within the promise


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    QUARTER = "quarter"


def period_of(at: datetime, period: Period, zone: ZoneInfo) -> str:
    return period_of_day(at.astimezone(zone).date(), period)


def period_of_day(local: date, period: Period) -> str:
    """The period key of a day in the office's calendar: 2026-11-23, 2026-W48, 2026-Q4."""
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
    callid: str = ""  # the call a callback was asked on (Asterisk's id, not the number)

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
    answer_times: Counter[int] = field(default_factory=Counter)  # hold seconds -> calls
    promises_due: int = 0  # done, or open past their first due date
    promises_kept: int = 0

    def percentile(self, p: float) -> int | None:
        """Nearest-rank percentile of answer times (seconds), None without answers."""
        total = self.answer_times.total()
        if not total:
            return None
        rank = max(1, math.ceil(p / 100 * total))
        seen = 0
        for hold in sorted(self.answer_times):
            seen += self.answer_times[hold]
            if seen >= rank:
                return hold
        raise AssertionError("unreachable: the ranks add up to the total")

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
