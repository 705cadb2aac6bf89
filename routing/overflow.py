"""Escalation: when nobody in a loop can answer, move its waiting callers to the next level.

The dialplan already moves a caller on after the loop's `wait_s`; this is the sharper
rule only the router can apply, because only it sees every member's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ivr.dialplan import target_context
from ivr.plan import IvrPlan, LoopRoute
from ivr.service import WhenAllInMeetings
from routing.ami.events import DeviceStatus
from routing.policy import PauseReason
from routing.queue_state import MemberState, QueueState

# app_queue rings members whose device is idle or of unknown state.
_RINGABLE = frozenset({DeviceStatus.NOT_INUSE, DeviceStatus.UNKNOWN})


@dataclass(frozen=True, slots=True)
class Move:
    """Send one waiting caller on to the next escalation level."""

    uniqueid: str
    channel: str
    queue: str
    to_context: str
    why: str


def can_answer(member: MemberState) -> bool:
    return not member.paused and not member.in_call and member.status in _RINGABLE


def staffed(state: QueueState, queue: str) -> bool:
    """Whether anyone in the queue could be rung right now."""
    loop = state.loops.get(queue)
    return loop is not None and any(can_answer(m) for m in loop.members.values())


def all_in_meetings(state: QueueState, queue: str) -> bool:
    """Whether the loop has members and every one of them is paused for a meeting."""
    loop = state.loops.get(queue)
    members = list(loop.members.values()) if loop is not None else []
    return bool(members) and all(
        m.paused and m.paused_reason == PauseReason.MEETING.wire for m in members
    )


def _threshold(route: LoopRoute, state: QueueState) -> float | None:
    """How long a caller may wait unstaffed: 0 when the loop moves on for meetings."""
    svc = route.service
    if svc.when_all_in_meetings is WhenAllInMeetings.MOVE_ON and all_in_meetings(
        state, route.queue
    ):
        return 0.0
    return route.unstaffed_after_s


def unstaffed_since(
    previous: Mapping[str, float], state: QueueState, queues: list[str], now: float
) -> dict[str, float]:
    """Since when each unstaffed queue has had nobody to ring (staffed queues drop out)."""
    return {q: previous.get(q, now) for q in queues if not staffed(state, q)}


def overflow_moves(
    plan: IvrPlan,
    state: QueueState,
    since: Mapping[str, float],
    now: float,
    already_moved: frozenset[tuple[str, str]] = frozenset(),
) -> list[Move]:
    """Callers who have waited `unstaffed_after_s` in a loop where nobody could answer."""
    moves = []
    for route in plan.routes.values():
        threshold = _threshold(route, state)
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
    plan: IvrPlan, state: QueueState, since: Mapping[str, float]
) -> float | None:
    """The earliest moment a waiting caller becomes due to move (epoch seconds)."""
    times = []
    for route in plan.routes.values():
        loop = state.loops.get(route.queue)
        threshold = _threshold(route, state)
        if threshold is None or route.queue not in since or loop is None:
            continue
        times += [max(c.joined_at, since[route.queue]) + threshold for c in loop.callers.values()]
    return min(times, default=None)
