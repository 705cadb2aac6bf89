"""What happens to an agent after a call (pure): the follow-up pause a loop grants after
each answered call, and the autopause after calls rung out in a row.

App_queue's own autopause pauses after a single ring-out (queues.conf `autopause = all`);
for two or more in a row the engine counts AgentRingNoAnswer itself and pauses with the
same reason, `Auto-Pause`, which carries no `switchboard:` prefix: the engine never lifts
it on its own, only when the person says they are back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from switchboard.ami.events import AgentComplete, AgentConnect, AgentRingNoAnswer, Event
from switchboard.ivr.service import LoopService
from switchboard.routing.ownership import MemberKey
from switchboard.routing.policy import AUTOPAUSE_REASON, ManualStatus
from switchboard.routing.queue_state import MemberState
from switchboard.routing.reconciler import AutoPause
from switchboard.routing.roster import Roster

__all__ = ["autopause_changes", "autopause_due", "follow_up_until", "ring_outs"]


def follow_up_until(
    event: AgentComplete,
    roster: Roster,
    services: Mapping[str, LoopService],
    manual: Mapping[str, ManualStatus],
    now: datetime,
) -> tuple[str, datetime] | None:
    """(agent id, end) of the follow-up pause this finished call gives, if its loop gives one
    and the agent is available (a pause they chose themself is theirs to keep)."""
    service = services.get(event.queue)
    agent = roster.agent_by_interface(event.interface)
    if service is None or not service.follow_up_s or agent is None:
        return None
    if manual.get(agent.id, ManualStatus.AVAILABLE) is not ManualStatus.AVAILABLE:
        return None
    return agent.id, now + timedelta(seconds=service.follow_up_s)


def ring_outs(counts: Mapping[str, int], event: Event, roster: Roster) -> dict[str, int]:
    """Calls rung out in a row per agent: one more on AgentRingNoAnswer, none once they answer."""
    if not isinstance(event, AgentRingNoAnswer | AgentConnect):
        return dict(counts)
    agent = roster.agent_by_interface(event.interface)
    if agent is None:
        return dict(counts)
    out = dict(counts)
    out[agent.id] = out.get(agent.id, 0) + 1 if isinstance(event, AgentRingNoAnswer) else 0
    return out


def autopause_due(
    event: AgentRingNoAnswer, count: int, services: Mapping[str, LoopService]
) -> bool:
    """Whether this ring-out is the one that pauses the agent (the engine's count: N >= 2)."""
    service = services.get(event.queue)
    return service is not None and service.autopause_after >= 2 and count >= service.autopause_after


def autopause_changes(
    due: Iterable[str],
    lifting: Iterable[str],
    roster: Roster,
    members: Mapping[MemberKey, MemberState],
    ring_outs: Mapping[str, int],
) -> tuple[AutoPause, ...]:
    """The pauses for agents whose calls rang out too often (`due`), in every loop they
    stand in, and the unpauses for those who said they are back (`lifting`): only an
    Auto-Pause is lifted, never a pause somebody else made."""
    changes: list[AutoPause] = []
    wanted = [(a, True) for a in sorted(set(due))] + [(a, False) for a in sorted(set(lifting))]
    for agent_id, paused in wanted:
        agent = roster.agents.get(agent_id)
        if agent is None:
            continue
        for (queue, interface), m in sorted(members.items()):
            if interface != agent.interface or m.paused == paused:
                continue
            if not paused and m.paused_reason != AUTOPAUSE_REASON:
                continue
            changes.append(AutoPause(queue, interface, m.name, paused, ring_outs.get(agent_id, 0)))
    return tuple(changes)
