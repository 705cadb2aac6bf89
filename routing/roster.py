"""Who answers where: agents, loops, and whole-role membership resolved to people."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Agent:
    """A member of staff who can answer queue calls."""

    id: str
    name: str
    interface: str  # what the queue dials, e.g. PJSIP/101
    state_interface: str  # whose device state drives the member's status
    roles: frozenset[str] = frozenset()
    calendar: str | None = None


def split_loop_suffix(number: str) -> tuple[str, str]:
    """A delivered caller number as (own number, loop suffix): 90595313-111 → (90595313, -111).

    Only the one dash the dialplan adds counts: a number written 905-95-313 keeps its own.
    """
    head, dash, tail = number.rpartition("-")
    if dash and len(tail) == 3 and tail.isdigit() and "-" not in head:
        return head, dash + tail
    return number, ""


@dataclass(frozen=True, slots=True)
class Loop:
    """A loop (Asterisk queue) and who belongs to it: named agents plus whole roles."""

    id: str
    queue: str
    title: str
    suffix: str  # shown after the caller's number, e.g. "-111"
    agents: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Roster:
    agents: Mapping[str, Agent]
    loops: tuple[Loop, ...]

    def members_of(self, loop: Loop) -> tuple[Agent, ...]:
        """Named agents first (in the order given), then everyone holding one of the roles."""
        chosen = [self.agents[agent_id] for agent_id in loop.agents]
        wanted = set(loop.roles)
        chosen += [a for a in self.agents.values() if a.roles & wanted]
        return tuple(dict.fromkeys(chosen))

    def loops_by_agent(self) -> dict[str, tuple[Loop, ...]]:
        """Every agent's loops (named or by role), in one pass over the loops."""
        found: dict[str, list[Loop]] = {agent_id: [] for agent_id in self.agents}
        for loop in self.loops:
            for agent in self.members_of(loop):
                found[agent.id].append(loop)
        return {agent_id: tuple(loops) for agent_id, loops in found.items()}

    def loop_for_queue(self, queue: str) -> Loop | None:
        return next((loop for loop in self.loops if loop.queue == queue), None)

    def agent_by_interface(self, interface: str) -> Agent | None:
        return next((a for a in self.agents.values() if a.interface == interface), None)
