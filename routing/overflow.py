"""Escalation: when nobody in a loop can answer, move its waiting callers to the next level.

The dialplan already moves a caller on after the loop's `wait_s`; this is the sharper
rule only the router can apply, because only it sees every member's state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ivr.dialplan import target_context
from ivr.plan import IvrPlan
from routing.ami.events import DeviceStatus
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
        if route.unstaffed_after_s is None or route.queue not in since:
            continue
        loop = state.loops.get(route.queue)
        if loop is None:
            continue
        for caller in loop.callers.values():
            if (caller.uniqueid, route.queue) in already_moved:
                continue
            waited_unstaffed = now - max(caller.joined_at, since[route.queue])
            if waited_unstaffed >= route.unstaffed_after_s:
                moves.append(
                    Move(
                        caller.uniqueid,
                        caller.channel,
                        route.queue,
                        target_context(route.overflow_to),
                        f"nobody in {route.queue} can answer; caller moved on to "
                        f"{route.overflow_to} after {waited_unstaffed:.0f} s",
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
        if route.unstaffed_after_s is None or route.queue not in since or loop is None:
            continue
        times += [
            max(c.joined_at, since[route.queue]) + route.unstaffed_after_s
            for c in loop.callers.values()
        ]
    return min(times, default=None)
