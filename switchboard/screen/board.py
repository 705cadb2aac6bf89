"""The presence board: who is free, in a call, in a meeting until when, paused, on leave (pure).

The seed asks everyone to keep their status right "so colleagues know whether someone is
free"; the board shows what the queues and calendars say, not what someone remembered to set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from switchboard.ops.metrics import AgentState, agent_state
from switchboard.presence.busy import BusyInterval, busy_at, merge
from switchboard.routing.policy import AUTOPAUSE_REASON, ManualStatus, PauseReason
from switchboard.routing.queue_state import QueueState
from switchboard.routing.roster import Agent, Roster
from switchboard.routing.staffing import NOBODY, Staff

MEETING = PauseReason.MEETING.wire
HEADS_UP = PauseReason.HEADS_UP.wire


class Presence(StrEnum):
    FREE = "free"
    IN_CALL = "in a call"
    MEETING = "in a meeting"
    HEADS_UP = "before a meeting"  # no new calls: the loop's heads-up before a meeting
    PAUSED = "paused"
    LEAVE = "on leave"
    LOGGED_OUT = "logged out"


@dataclass(frozen=True, slots=True)
class BoardRow:
    agent_id: str
    name: str
    presence: Presence
    detail: str = ""  # "until 11:30", "lunch", "by hand: Coaching"
    phone_pause: str | None = None  # paused at their own phone: the reason given there


def board(
    roster: Roster,
    state: QueueState,
    manual: Mapping[str, ManualStatus],
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    zone: ZoneInfo,
    back_early: Mapping[str, datetime] | None = None,  # agent id -> until
    agents: Iterable[Agent] | None = None,  # only these rows (an agent's own, on each change)
) -> list[BoardRow]:
    """One row per agent, in roster order."""
    rows = []
    for agent in roster.agents.values() if agents is None else agents:
        status = manual.get(agent.id, ManualStatus.AVAILABLE)
        members = [
            m
            for loop in roster.loops_of(agent.id)
            if (queue := state.loops.get(loop.queue)) is not None
            and (m := queue.members.get(agent.interface)) is not None
        ]
        states = {agent_state(m, status) for m in members}
        presence, detail, phone_pause = Presence.FREE, "", None
        if status is ManualStatus.LEAVE:
            presence = Presence.LEAVE
        elif not members:
            presence = Presence.LOGGED_OUT
        elif AgentState.IN_CALL in states:
            presence = Presence.IN_CALL
        elif status.pause is not None:
            presence, detail = Presence.PAUSED, status.value
        elif AgentState.PAUSED_CALENDAR in states and all(
            m.paused_reason == HEADS_UP for m in members if m.paused
        ):
            presence = Presence.HEADS_UP
            detail = _meeting_at(busy.get(agent.id, ()), now, zone)
        elif AgentState.PAUSED_CALENDAR in states:
            meeting = busy_at(busy.get(agent.id, ()), now)
            presence = Presence.MEETING
            detail = f"until {meeting.end.astimezone(zone):%H:%M}" if meeting else ""
        elif AgentState.PAUSED_BY_HAND in states:
            phone_pause = next((m.paused_reason for m in members if m.paused), "")
            presence = Presence.PAUSED
            if phone_pause == AUTOPAUSE_REASON:
                detail = "calls rang out unanswered (Auto-Pause)"
            else:
                detail = f"by hand: {phone_pause}" if phone_pause else "by hand"
        until = (back_early or {}).get(agent.id)
        if presence in (Presence.FREE, Presence.IN_CALL) and until is not None and now < until:
            detail = f"back early from a meeting, until {until.astimezone(zone):%H:%M}"
        elif presence in (Presence.FREE, Presence.IN_CALL) and not detail:
            # Colleagues see who is free now and for how long (with or without a heads-up).
            detail = _meeting_at(busy.get(agent.id, ()), now, zone)
        rows.append(BoardRow(agent.id, agent.name, presence, detail, phone_pause))
    return rows


def _meeting_at(spans: Sequence[BusyInterval], now: datetime, zone: ZoneInfo) -> str:
    """ "meeting at 11:00" for the next meeting that starts later today (office time)."""
    local = now.astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(), tzinfo=zone)
    upcoming = [m.start for m in merge(spans) if now < m.start < midnight]
    return f"meeting at {min(upcoming).astimezone(zone):%H:%M}" if upcoming else ""


def loop_notes(
    roster: Roster,
    state: QueueState,
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    zone: ZoneInfo,
    staff: Staff | None = None,  # the router's per-loop count: most loops are ruled out by it
) -> list[str]:
    """ "Invoices: everyone in meetings until 11:00" for each loop whose members all are."""
    notes = []
    for loop in roster.loops:
        agents = roster.members_of(loop)
        queue = state.loops.get(loop.queue)
        if not agents or queue is None:
            continue
        if staff is not None and staff.get(loop.queue, NOBODY).in_meetings < len(agents):
            continue  # fewer in meetings than the roster gives the loop: not everyone
        members = [queue.members.get(a.interface) for a in agents]
        if not all(m is not None and m.paused and m.paused_reason == MEETING for m in members):
            continue
        ends = [m.end for a in agents if (m := busy_at(busy.get(a.id, ()), now)) is not None]
        until = f" until {min(ends).astimezone(zone):%H:%M}" if ends else ""
        notes.append(f"{loop.title}: everyone in meetings{until}")
    return notes
