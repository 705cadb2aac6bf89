"""The decision: desired member state = f(roster, manual status, busy intervals, overrides,
clock, policy).

Pure: no I/O, and the clock is a parameter. An override ("back early") is a person's own
word against the calendar: they unpaused themself, or said "available" on the screen, in
the middle of a meeting, so that meeting no longer pauses them.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from switchboard.presence.busy import BusyInterval, busy_at, merge, next_boundary
from switchboard.routing.boundaries import MeetingCache
from switchboard.routing.roster import Loop, Roster

OWN_REASON_PREFIX = "switchboard:"


class PauseReason(StrEnum):
    """Why the engine pauses someone; only these pauses are the engine's to undo."""

    MEETING = "meeting"  # the calendar says busy
    HEADS_UP = "heads-up"  # a meeting starts soon: no new calls (loops' heads_up_min)
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
# What app_queue itself gives (apps/app_queue.c, rna()); the engine pauses with it too after
# calls rung out in a row. No own prefix: only the person lifts it (routing.after_call).
AUTOPAUSE_REASON = "Auto-Pause"


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
    until: datetime | None = None  # meeting: its end; heads-up: its start ("meeting at")
    # In a meeting, yet offered calls: they opted in and nobody else in the loop can answer.
    rings_in_meeting: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.queue, self.interface)


def in_meeting(
    agent_id: str,
    busy: Mapping[str, Sequence[BusyInterval]],
    back_early: Mapping[str, datetime],
    now: datetime,
    meetings: MeetingCache | None = None,
) -> BusyInterval | None:
    """The meeting that takes the agent out of call routing now, unless they came back early.

    `meetings` remembers each agent's answer until their next boundary (same answer, cheaper).
    """
    spans = busy.get(agent_id, ())
    meeting = meetings.meeting(agent_id, spans, now) if meetings else busy_at(spans, now)
    until = back_early.get(agent_id)
    if meeting is not None and until is not None and now < until:
        return None
    return meeting


def next_meeting(
    agent_id: str,
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    meetings: MeetingCache | None = None,
) -> BusyInterval | None:
    """The agent's first (merged) busy interval that starts after `now`."""
    spans = busy.get(agent_id, ())
    if meetings is not None:
        return meetings.upcoming(agent_id, spans, now)
    merged = merge(spans)
    i = bisect_right([m.start for m in merged], now)
    return merged[i] if i < len(merged) else None


def heads_up(
    agent_id: str,
    busy: Mapping[str, Sequence[BusyInterval]],
    back_early: Mapping[str, datetime],
    now: datetime,
    lead: timedelta,
    meetings: MeetingCache | None = None,
) -> BusyInterval | None:
    """The meeting starting within `lead`, for which no new calls are offered now.

    None when the person said they are available (an override still running): their own
    word wins over the calendar, the heads-up too.
    """
    upcoming = next_meeting(agent_id, busy, now, meetings)
    if upcoming is None or upcoming.start - now > lead:
        return None
    until = back_early.get(agent_id)
    if until is not None and now < until:
        return None
    return upcoming


def back_early_until(
    agent_id: str,
    was_paused_reason: str | None,
    now_paused: bool,
    now_reason: str,
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
) -> datetime | None:
    """Whether an unpause is a person coming back early from a meeting, and until when.

    It is when the engine had them paused for a meeting, the unpause is not the engine's
    own (its reason is not ours: phone, CLI, another tool), and the calendar still says
    busy: the override then lasts to the end of that busy interval. Unpaused in a heads-up
    before a meeting: to the meeting's start (the meeting itself still pauses them).
    """
    if now_paused or is_own_reason(now_reason):
        return None
    if was_paused_reason == PauseReason.HEADS_UP.wire:
        upcoming = next_meeting(agent_id, busy, now)
        return upcoming.start if upcoming is not None else None
    if was_paused_reason != PauseReason.MEETING.wire:
        return None
    meeting = busy_at(busy.get(agent_id, ()), now)
    return meeting.end if meeting is not None else None


def desired_members(
    roster: Roster,
    manual: Mapping[str, ManualStatus],
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    back_early: Mapping[str, datetime] | None = None,
    zone: tzinfo | None = None,  # `until` is given in it: log lines say the office's time
    *,
    agents: Collection[str] | None = None,
    meetings: MeetingCache | None = None,
    leads: Mapping[str, timedelta] | None = None,  # queue -> heads-up before a meeting
    opted_in: Collection[str] = (),  # agents who said "ring me in meetings if nobody else can"
    ring_opted_in: Collection[str] = (),  # queues whose policy offers calls to them
) -> dict[tuple[str, str], DesiredMember]:
    """Every (queue, interface) the roster covers, with its desired login and pause.

    With `leads`, a loop stops offering new calls that long before a member's meeting
    (a pause, which leaves a call in progress alone: app_queue only stops ringing them).

    With `agents`, only the memberships of those agents (and of any agent sharing an
    interface with them), each exactly as in the full answer: the router asks for the
    agents whose inputs changed instead of everyone.
    """
    desired: dict[tuple[str, str], DesiredMember] = {}
    early = back_early or {}
    shared = [loop for loop in roster.loops if loop.queue in ring_opted_in] if opted_in else []
    if agents is not None and shared:
        # One member's change may change a loopmate's answer here: decide the whole loop.
        wanted = set(agents)
        for loop in shared:
            ids = {a.id for a in roster.members_of(loop)}
            if ids & wanted:
                wanted |= ids
        agents = wanted
    pairs = roster.memberships() if agents is None else roster.memberships_of(agents)
    # An agent's meeting is the same in each of their loops: found once per agent.
    found: dict[str, tuple[BusyInterval | None, datetime | None]] = {}
    for loop, agent in pairs:
        status = manual.get(agent.id, ManualStatus.AVAILABLE)
        on_leave = status is ManualStatus.LEAVE
        # The agent's own pause wins over the calendar: they said why they are away.
        free = not on_leave and status.pause is None
        lead = leads.get(loop.queue) if leads else None
        known = found.get(agent.id)
        if known is None:
            meeting = in_meeting(agent.id, busy, early, now, meetings) if free else None
            known = found[agent.id] = (meeting, _local(meeting.end, zone) if meeting else None)
        meeting, meeting_end = known
        soon = (
            heads_up(agent.id, busy, early, now, lead, meetings)
            if free and meeting is None and lead
            else None
        )
        member = DesiredMember(
            agent_id=agent.id,
            queue=loop.queue,
            interface=agent.interface,
            name=agent.name,
            state_interface=agent.state_interface,
            logged_in=not on_leave,
            pause=status.pause
            or (PauseReason.MEETING if meeting else PauseReason.HEADS_UP if soon else None),
            until=meeting_end if meeting else _local(soon.start, zone) if soon else None,
        )
        desired[member.key] = member
    for loop in shared:
        _ring_opted_in(roster, loop, desired, opted_in)
    return desired


def _local(moment: datetime, zone: tzinfo | None) -> datetime:
    return moment.astimezone(zone) if zone else moment


def _ring_opted_in(
    roster: Roster,
    loop: Loop,
    desired: dict[tuple[str, str], DesiredMember],
    opted_in: Collection[str],
) -> None:
    """When nobody in the loop is available and some are in meetings, offer the loop's calls
    to the members in meetings who opted in (decided from everyone else's answer, so the
    opted-in becoming available does not undo itself)."""
    members = [m for a in roster.members_of(loop) if (m := desired.get((loop.queue, a.interface)))]
    if any(m.logged_in and m.pause is None for m in members):
        return  # someone else can answer
    for m in members:
        if m.pause is PauseReason.MEETING and m.agent_id in opted_in:
            desired[m.key] = replace(m, pause=None, rings_in_meeting=True)


def next_decision_time(
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    leads: Collection[timedelta] = (),
) -> datetime | None:
    """When the desired state may next change on its own: the next meeting start or end,
    or a heads-up before a start."""
    intervals = [i for spans in busy.values() for i in spans]
    found = next_boundary(intervals, now)
    early = [i.start - lead for i in intervals for lead in leads if i.start - lead > now]
    return min([t for t in (found, *early) if t is not None], default=None)
