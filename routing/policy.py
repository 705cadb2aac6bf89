"""The decision: desired member state = f(roster, manual status, busy intervals, clock).

Pure: no I/O, and the clock is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from presence.busy import BusyInterval, busy_at, next_boundary
from routing.roster import Roster

OWN_REASON_PREFIX = "switchboard:"


class PauseReason(StrEnum):
    """Why the engine pauses someone; only these pauses are the engine's to undo."""

    MEETING = "meeting"  # the calendar says busy
    # Set by the agent on the screen (the engine pauses on their behalf, so it may lift it).
    LUNCH = "lunch"
    BREAK = "break"
    FOLLOW_UP = "follow-up"  # writing up a call, sending a message to a department
    TRAINING = "training"

    @property
    def wire(self) -> str:
        """The `Reason` sent over AMI, marking the pause as ours."""
        return OWN_REASON_PREFIX + self.value


class ManualStatus(StrEnum):
    """What the agent (or a supervisor) set by hand: available, a pause with a reason, leave."""

    AVAILABLE = "available"
    # An agent's pause is named after its PauseReason, which is what `pause` maps it to.
    LUNCH = PauseReason.LUNCH.value
    BREAK = PauseReason.BREAK.value
    FOLLOW_UP = PauseReason.FOLLOW_UP.value
    TRAINING = PauseReason.TRAINING.value
    LEAVE = "leave"  # holiday, time off, leave: logged out of every loop

    @property
    def pause(self) -> PauseReason | None:
        """The pause this status asks for (None: available, or on leave)."""
        if self in (ManualStatus.AVAILABLE, ManualStatus.LEAVE):
            return None
        return PauseReason(self.value)


RESUME_REASON = OWN_REASON_PREFIX + "available"


def is_own_reason(paused_reason: str) -> bool:
    """Whether a pause was made by this engine (and so may be lifted by it)."""
    return paused_reason.startswith(OWN_REASON_PREFIX)


@dataclass(frozen=True, slots=True)
class DesiredMember:
    """How one agent should stand in one loop right now."""

    agent_id: str
    queue: str
    interface: str
    name: str
    state_interface: str
    logged_in: bool
    pause: PauseReason | None = None
    until: datetime | None = None  # end of the busy interval behind the pause

    @property
    def key(self) -> tuple[str, str]:
        return (self.queue, self.interface)


def desired_members(
    roster: Roster,
    manual: Mapping[str, ManualStatus],
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
) -> dict[tuple[str, str], DesiredMember]:
    """Every (queue, interface) the roster covers, with its desired login and pause."""
    desired: dict[tuple[str, str], DesiredMember] = {}
    for loop in roster.loops:
        for agent in roster.members_of(loop):
            status = manual.get(agent.id, ManualStatus.AVAILABLE)
            on_leave = status is ManualStatus.LEAVE
            # The agent's own pause wins over the calendar: they said why they are away.
            meeting = None if on_leave or status.pause else busy_at(busy.get(agent.id, ()), now)
            member = DesiredMember(
                agent_id=agent.id,
                queue=loop.queue,
                interface=agent.interface,
                name=agent.name,
                state_interface=agent.state_interface,
                logged_in=not on_leave,
                pause=status.pause or (PauseReason.MEETING if meeting else None),
                until=meeting.end if meeting else None,
            )
            desired[member.key] = member
    return desired


def next_decision_time(
    busy: Mapping[str, Sequence[BusyInterval]], now: datetime
) -> datetime | None:
    """When the desired state may next change on its own: the next meeting start or end."""
    return next_boundary((i for spans in busy.values() for i in spans), now)
