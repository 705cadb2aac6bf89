"""Per loop: how many members there are, how many could be rung now, how many are in a meeting.

The IVR duties (is anyone there to answer?) and the screen's loop notes (is everyone in a
meeting?) ask this on every pass and every view. Walking every member for it costs
30,000 looks per pass at 10,000 agents; `StaffIndex` keeps the answer per loop from the
memberships that changed, and `staff_of` is the same answer by walking (the reference
the index is tested against, and what callers without an index use).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from switchboard.ami.events import DeviceStatus
from switchboard.routing.attention import Touched
from switchboard.routing.policy import PauseReason
from switchboard.routing.queue_state import MemberState, QueueState

# app_queue rings members whose device is idle or of unknown state.
_RINGABLE = frozenset({DeviceStatus.NOT_INUSE, DeviceStatus.UNKNOWN})
_MEETING = PauseReason.MEETING.wire


@dataclass(frozen=True, slots=True)
class LoopStaff:
    members: int = 0
    answering: int = 0  # could be rung right now
    in_meetings: int = 0  # paused by the engine for a meeting

    @property
    def staffed(self) -> bool:
        return self.answering > 0

    @property
    def all_in_meetings(self) -> bool:
        return self.members > 0 and self.in_meetings == self.members


NOBODY = LoopStaff()
Staff = Mapping[str, LoopStaff]  # queue -> its staff


def can_answer(member: MemberState) -> bool:
    return not member.paused and not member.in_call and member.status in _RINGABLE


def in_meeting(member: MemberState) -> bool:
    return member.paused and member.paused_reason == _MEETING


def staff_of(state: QueueState) -> dict[str, LoopStaff]:
    """Every loop's staff, by walking its members."""
    return {
        queue: LoopStaff(
            len(loop.members),
            sum(can_answer(m) for m in loop.members.values()),
            sum(in_meeting(m) for m in loop.members.values()),
        )
        for queue, loop in state.loops.items()
    }


@dataclass(slots=True)
class StaffIndex:
    """`staff_of`, kept from the memberships the router marks as touched."""

    answering: dict[str, set[str]] = field(default_factory=dict)  # queue -> interfaces
    meeting: dict[str, set[str]] = field(default_factory=dict)

    def read(self, state: QueueState, touched: Touched) -> dict[str, LoopStaff]:
        if touched.everything:
            self.answering = {
                q: {i for i, m in loop.members.items() if can_answer(m)}
                for q, loop in state.loops.items()
            }
            self.meeting = {
                q: {i for i, m in loop.members.items() if in_meeting(m)}
                for q, loop in state.loops.items()
            }
        else:
            for queue, interface in touched.keys:
                loop = state.loops.get(queue)
                member = loop.members.get(interface) if loop is not None else None
                for wanted, index in ((can_answer, self.answering), (in_meeting, self.meeting)):
                    if member is not None and wanted(member):
                        index.setdefault(queue, set()).add(interface)
                    elif queue in index:
                        index[queue].discard(interface)
        touched.everything, touched.keys = False, set()
        return {
            queue: LoopStaff(
                len(loop.members),
                len(self.answering.get(queue, ())),
                len(self.meeting.get(queue, ())),
            )
            for queue, loop in state.loops.items()
        }
