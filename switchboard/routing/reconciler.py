"""Diff desired member state against what Asterisk reports: the minimal set of changes.

Pure. Rules that make it safe:
- a pause whose reason is not ours is never lifted, and never overwritten;
- a membership the roster no longer gives is removed only when the engine created it
  (recorded in `owned`, see routing.ownership); any other is reported, never touched;
- a dynamic member the roster does give is the engine's from then on (it is recorded);
- static members (queues.conf) cannot be removed over AMI, so they are reported instead;
- when actual already equals desired, the plan is empty (running twice sends nothing).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from switchboard.routing.ownership import MemberKey
from switchboard.routing.policy import (
    AUTOPAUSE_REASON,
    DesiredMember,
    PauseReason,
    is_own_reason,
)
from switchboard.routing.queue_state import MemberState


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
    queue: str
    interface: str
    name: str
    reason: str  # "on leave", "the roster no longer puts them there"

    @property
    def why(self) -> str:
        return f"log out {self.name} from {self.queue}: {self.reason}"


@dataclass(frozen=True, slots=True)
class RecordOwnership:
    """Note in AstDB that a membership is the engine's (one the roster gives, found there)."""

    queue: str
    interface: str
    agent_id: str

    @property
    def why(self) -> str:
        return f"{self.interface} in {self.queue} is now managed by the engine ({self.agent_id})"


@dataclass(frozen=True, slots=True)
class ForgetOwnership:
    """Drop the record of a membership that no longer exists."""

    queue: str
    interface: str

    @property
    def why(self) -> str:
        return f"forget {self.interface} in {self.queue} (no longer a member)"


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
        if self.member.rings_in_meeting:
            return (
                f"unpause {self.member.name} in {self.member.queue}: in a meeting, but opted in "
                "to take calls when nobody else in the loop can"
            )
        return f"unpause {self.member.name} in {self.member.queue}: available again"


@dataclass(frozen=True, slots=True)
class AutoPause:
    """Pause (or, on the person's word, unpause) a member after calls rang out in a row.

    Not the policy's: the reason carries no own prefix, so no plan ever lifts it (see
    routing.after_call)."""

    queue: str
    interface: str
    name: str
    paused: bool
    ring_outs: int = 0

    @property
    def why(self) -> str:
        if self.paused:
            return (
                f"pause {self.name} in {self.queue}: {self.ring_outs} calls rang out in a row "
                "(Auto-Pause: they lift it themself)"
            )
        return f"unpause {self.name} in {self.queue}: back after an autopause (their own word)"


MemberChange = (
    AddMember
    | RemoveMember
    | PauseMember
    | UnpauseMember
    | RecordOwnership
    | ForgetOwnership
    | AutoPause
)


def brings(change: MemberChange, seen: tuple[bool, str] | None) -> bool:
    """Whether a membership as Asterisk now reports it (paused, reason; None: not a
    member) is what `change` asks for: the event of the engine's own action, which needs
    no decision of its own."""
    if isinstance(change, RemoveMember):
        return seen is None
    if seen is None or isinstance(change, RecordOwnership | ForgetOwnership):
        return False
    paused, reason = seen
    if isinstance(change, PauseMember):
        return paused and reason == change.reason.wire
    if isinstance(change, UnpauseMember):
        return not paused
    if isinstance(change, AutoPause):
        return paused == change.paused and (not paused or reason == AUTOPAUSE_REASON)
    pause = change.member.pause
    return paused == (pause is not None) and (pause is None or reason == pause.wire)


@dataclass(frozen=True, slots=True)
class Plan:
    changes: tuple[MemberChange, ...] = ()
    notes: tuple[str, ...] = field(default=())  # conflicts a person should look at


def _why(member: DesiredMember) -> str:
    # In the zone the policy gave it (the office's), with the offset: never the host's.
    until = f" until {member.until:%H:%M:%S %z}" if member.until else ""
    if member.pause is PauseReason.MEETING:
        return f"calendar says busy{until}"
    if member.pause is PauseReason.HEADS_UP and member.until:
        return f"meeting at {member.until:%H:%M %z}: no new calls before it"
    return f"paused themself on the screen ({member.pause})"


def plan(
    desired: Mapping[MemberKey, DesiredMember],
    actual: Mapping[MemberKey, MemberState],
    owned: Mapping[MemberKey, str] | None = None,
    managed: Collection[str] | None = None,
) -> Plan:
    """The changes that bring `actual` to `desired`, in a stable order.

    `owned` maps the memberships the engine created to their agent id; None means the
    record could not be read, and then nothing outside the roster is touched.
    """
    changes: list[MemberChange] = []
    notes: list[str] = []
    record = owned if owned is not None else {}
    for key in sorted(desired):
        want = desired[key]
        have = actual.get(key)
        if have is None:
            if want.logged_in:
                changes.append(AddMember(want))
            elif key in record:
                changes.append(ForgetOwnership(*key))
            continue
        if have.membership == "dynamic" and owned is not None and key not in record:
            changes.append(RecordOwnership(want.queue, want.interface, want.agent_id))
        if not want.logged_in:
            if have.membership == "dynamic":
                changes.append(RemoveMember(want.queue, want.interface, want.name, "on leave"))
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
    if managed is None:  # the queues the roster gives members in (a part of `desired` may not)
        managed = {queue for queue, _ in desired}
    for key in sorted(actual.keys() - desired.keys()):
        have = actual[key]
        if key in record and have.membership == "dynamic":
            reason = "the roster no longer puts them there"
            changes.append(RemoveMember(have.queue, have.interface, have.name, reason))
        elif key in record:
            changes.append(ForgetOwnership(*key))
        elif have.queue in managed:
            notes.append(
                f"{have.name} ({have.interface}) is a {have.membership} member of {have.queue} "
                "that the roster does not give; the engine did not add them, so it leaves them"
            )
    for key in sorted(record.keys() - actual.keys() - desired.keys()):
        changes.append(ForgetOwnership(*key))
    return Plan(tuple(changes), tuple(notes))
