"""Escalation: when nobody in a loop can answer, move its waiting callers to the next level.

The dialplan already moves a caller on after the loop's `wait_s`; this is the sharper
rule only the router can apply, because only it sees every member's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from switchboard.ivr.dialplan import target_context
from switchboard.ivr.plan import IvrPlan, LoopRoute
from switchboard.ivr.service import WhenAllInMeetings
from switchboard.routing.queue_state import QueueState
from switchboard.routing.staffing import NOBODY, Staff, staff_of


@dataclass(frozen=True, slots=True)
class Move:
    """Send one waiting caller on to the next escalation level."""

    uniqueid: str
    channel: str
    queue: str
    to_context: str
    why: str


def _threshold(route: LoopRoute, staff: Staff) -> float | None:
    """How long a caller may wait unstaffed: 0 when the loop moves on for meetings."""
    svc = route.service
    if (
        svc.when_all_in_meetings is WhenAllInMeetings.MOVE_ON
        and staff.get(route.queue, NOBODY).all_in_meetings
    ):
        return 0.0
    return route.unstaffed_after_s


def unstaffed_since(
    previous: Mapping[str, float],
    state: QueueState,
    queues: list[str],
    now: float,
    staff: Staff | None = None,  # the router's StaffIndex answer; walked from state if None
) -> dict[str, float]:
    """Since when each unstaffed queue has had nobody to ring (staffed queues drop out)."""
    staff = staff_of(state) if staff is None else staff
    return {q: previous.get(q, now) for q in queues if not staff.get(q, NOBODY).staffed}


def overflow_moves(
    plan: IvrPlan,
    state: QueueState,
    since: Mapping[str, float],
    now: float,
    already_moved: frozenset[tuple[str, str]] = frozenset(),
    staff: Staff | None = None,
) -> list[Move]:
    """Callers who have waited `unstaffed_after_s` in a loop where nobody could answer."""
    staff = staff_of(state) if staff is None else staff
    moves = []
    for route in plan.routes.values():
        threshold = _threshold(route, staff)
        if threshold is None or route.queue not in since:
            continue
        loop = state.loops.get(route.queue)
        if loop is None:
            continue
        for caller in loop.callers.values():
            if (caller.uniqueid, route.queue) in already_moved:
                continue
            waited_unstaffed = now - max(caller.joined_at, since[route.queue])
            if waited_unstaffed >= threshold:
                moves.append(
                    Move(
                        caller.uniqueid,
                        caller.channel,
                        route.queue,
                        target_context(route.overflow_to),
                        (
                            f"everyone in {route.queue} is in a meeting"
                            if threshold == 0 and route.unstaffed_after_s != 0
                            else f"nobody in {route.queue} can answer"
                        )
                        + f"; caller moved on to {route.overflow_to} after "
                        f"{waited_unstaffed:.0f} s",
                    )
                )
    return moves


def next_overflow_time(
    plan: IvrPlan, state: QueueState, since: Mapping[str, float], staff: Staff | None = None
) -> float | None:
    """The earliest moment a waiting caller becomes due to move (epoch seconds)."""
    staff = staff_of(state) if staff is None else staff
    times = []
    for route in plan.routes.values():
        loop = state.loops.get(route.queue)
        threshold = _threshold(route, staff)
        if threshold is None or route.queue not in since or loop is None:
            continue
        times += [max(c.joined_at, since[route.queue]) + threshold for c in loop.callers.values()]
    return min(times, default=None)
