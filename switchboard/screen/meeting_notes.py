"""The board's note for a loop whose members are all in meetings while some who opted in
take its calls ("ring me in meetings if nobody else can"). Pure."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.presence.busy import BusyInterval, busy_at
from switchboard.routing.queue_state import QueueState
from switchboard.routing.roster import Roster


def opted_in_notes(
    roster: Roster,
    state: QueueState,
    busy: Mapping[str, Sequence[BusyInterval]],
    now: datetime,
    zone: ZoneInfo,
    opted_in: Collection[str],
    ring_opted_in: Collection[str],
) -> list[str]:
    """ "Invoices: everyone in meetings until 11:00; Anne Aas takes calls meanwhile"."""
    notes = []
    for loop in roster.loops:
        queue = state.loops.get(loop.queue)
        agents = roster.members_of(loop)
        if loop.queue not in ring_opted_in or queue is None or not agents:
            continue
        meetings = {a.id: m for a in agents if (m := busy_at(busy.get(a.id, ()), now))}
        if len(meetings) < len(agents):
            continue  # someone is not in a meeting: the plain board says the rest
        takers = [
            a.name
            for a in agents
            if a.id in opted_in
            and (member := queue.members.get(a.interface)) is not None
            and not member.paused
        ]
        if not takers:
            continue
        until = min(m.end for m in meetings.values()).astimezone(zone)
        notes.append(
            f"{loop.title}: everyone in meetings until {until:%H:%M}; "
            f"{', '.join(takers)} take{'s' if len(takers) == 1 else ''} calls meanwhile"
        )
    return notes
