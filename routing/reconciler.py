"""Diff desired member state against what Asterisk reports: the minimal set of changes.

Pure. Rules that make it safe:
- a pause whose reason is not ours is never lifted, and never overwritten;
- members Asterisk has that the roster does not cover are left alone;
- static members (queues.conf) cannot be removed over AMI, so they are reported instead;
- when actual already equals desired, the plan is empty (running twice sends nothing).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from routing.policy import DesiredMember, PauseReason, is_own_reason
from routing.queue_state import MemberState


@dataclass(frozen=True, slots=True)
class AddMember:
    member: DesiredMember

    @property
    def why(self) -> str:
        if self.member.pause:
            return f"log in {self.member.name} to {self.member.queue}, paused ({_why(self.member)})"
        return f"log in {self.member.name} to {self.member.queue}"


@dataclass(frozen=True, slots=True)
class RemoveMember:
    member: DesiredMember

    @property
    def why(self) -> str:
        return f"log out {self.member.name} from {self.member.queue}: on leave"


@dataclass(frozen=True, slots=True)
class PauseMember:
    member: DesiredMember
    reason: PauseReason

    @property
    def why(self) -> str:
        return f"pause {self.member.name} in {self.member.queue}: {_why(self.member)}"


@dataclass(frozen=True, slots=True)
class UnpauseMember:
    member: DesiredMember

    @property
    def why(self) -> str:
        return f"unpause {self.member.name} in {self.member.queue}: available again"


MemberChange = AddMember | RemoveMember | PauseMember | UnpauseMember


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[MemberChange, ...] = ()
    notes: tuple[str, ...] = field(default=())  # conflicts a person should look at


def _why(member: DesiredMember) -> str:
    until = f" until {member.until.astimezone():%H:%M:%S}" if member.until else ""
    if member.pause is PauseReason.MEETING:
        return f"calendar says busy{until}"
    return f"paused themself on the screen ({member.pause})"


def plan(
    desired: Mapping[tuple[str, str], DesiredMember],
    actual: Mapping[tuple[str, str], MemberState],
) -> Plan:
    """The changes that bring `actual` to `desired`, in a stable order."""
    changes: list[MemberChange] = []
    notes: list[str] = []
    for key in sorted(desired):
        want = desired[key]
        have = actual.get(key)
        if have is None:
            if want.logged_in:
                changes.append(AddMember(want))
            continue
        if not want.logged_in:
            if have.membership == "dynamic":
                changes.append(RemoveMember(want))
            else:
                notes.append(
                    f"{want.name} is on leave but is a {have.membership} member of {want.queue}; "
                    "remove them from queues.conf to log them out"
                )
            continue
        if have.paused and not is_own_reason(have.paused_reason):
            continue  # someone's own pause: theirs to lift, whatever the calendar says
        if want.pause is not None:
            if not have.paused or have.paused_reason != want.pause.wire:
                changes.append(PauseMember(want, want.pause))
        elif have.paused:
            changes.append(UnpauseMember(want))
    return Plan(tuple(changes), tuple(notes))
