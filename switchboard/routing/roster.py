"""Who answers where: agents, loops, and whole-role membership resolved to people."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Agent:
    """A member of staff who can answer queue calls."""

    id: str
    name: str
    interface: str  # what the queue dials, e.g. PJSIP/101
    state_interface: str  # whose device state drives the member's status
    roles: frozenset[str] = frozenset()
    calendar: str | None = None


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
    """Agents and loops; immutable, so the lookups asked on every event are indexed once."""

    agents: Mapping[str, Agent]
    loops: tuple[Loop, ...]
    _index: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def members_of(self, loop: Loop) -> tuple[Agent, ...]:
        """Named agents first (in the order given), then everyone holding one of the roles."""
        members: dict[str, tuple[Agent, ...]] = self._cached("members", self._members)
        found = members.get(loop.id)
        return found if found is not None and loop in self.loops else self._members_of(loop)

    def _members_of(self, loop: Loop) -> tuple[Agent, ...]:
        chosen = [self.agents[agent_id] for agent_id in loop.agents]
        wanted = set(loop.roles)
        chosen += [a for a in self.agents.values() if a.roles & wanted]
        return tuple(dict.fromkeys(chosen))

    def _members(self) -> dict[str, tuple[Agent, ...]]:
        return {loop.id: self._members_of(loop) for loop in self.loops}

    def loops_by_agent(self) -> dict[str, tuple[Loop, ...]]:
        """Every agent's loops (named or by role), in one pass over the loops."""
        found: dict[str, tuple[Loop, ...]] = self._cached("loops_by_agent", self._loops_by_agent)
        return dict(found)

    def _loops_by_agent(self) -> dict[str, tuple[Loop, ...]]:
        found: dict[str, list[Loop]] = {agent_id: [] for agent_id in self.agents}
        for loop in self.loops:
            for agent in self.members_of(loop):
                found[agent.id].append(loop)
        return {agent_id: tuple(loops) for agent_id, loops in found.items()}

    def queues(self) -> frozenset[str]:
        """The queues of loops that have at least one member."""
        found: frozenset[str] = self._cached(
            "queues", lambda: frozenset(loop.queue for loop, _agent in self.memberships())
        )
        return found

    def loop_for_queue(self, queue: str) -> Loop | None:
        by_queue: dict[str, Loop] = self._cached(
            "by_queue", lambda: {loop.queue: loop for loop in reversed(self.loops)}
        )
        return by_queue.get(queue)

    def agent_by_interface(self, interface: str) -> Agent | None:
        by_interface: dict[str, Agent] = self._cached(
            "by_interface", lambda: {a.interface: a for a in reversed(list(self.agents.values()))}
        )
        return by_interface.get(interface)

    def memberships(self) -> tuple[tuple[Loop, Agent], ...]:
        """Every (loop, agent) the roster gives, loop by loop, members in order."""
        found: tuple[tuple[Loop, Agent], ...] = self._cached(
            "memberships",
            lambda: tuple((loop, agent) for loop in self.loops for agent in self.members_of(loop)),
        )
        return found

    def memberships_of(self, agent_ids: Iterable[str]) -> list[tuple[Loop, Agent]]:
        """The memberships of these agents and of agents sharing an interface with them,
        in the order `memberships()` gives them (so a shared interface resolves the same)."""
        by_agent: dict[str, list[int]] = self._cached("positions", self._positions)
        by_interface: dict[str, tuple[str, ...]] = self._cached("sharing", self._sharing)
        wanted: set[str] = set()
        for agent_id in agent_ids:
            agent = self.agents.get(agent_id)
            if agent is not None:
                wanted.update(by_interface[agent.interface])
        everyone = self.memberships()
        return [everyone[i] for i in sorted(i for a in wanted for i in by_agent.get(a, ()))]

    def loops_of(self, agent_id: str) -> tuple[Loop, ...]:
        """The agent's loops (named or by role); () for an agent not in the roster."""
        found: dict[str, tuple[Loop, ...]] = self._cached("loops_by_agent", self._loops_by_agent)
        return found.get(agent_id, ())

    def _positions(self) -> dict[str, list[int]]:
        positions: dict[str, list[int]] = {}
        for i, (_loop, agent) in enumerate(self.memberships()):
            positions.setdefault(agent.id, []).append(i)
        return positions

    def _sharing(self) -> dict[str, tuple[str, ...]]:
        sharing: dict[str, list[str]] = {}
        for agent in self.agents.values():
            sharing.setdefault(agent.interface, []).append(agent.id)
        return {iface: tuple(ids) for iface, ids in sharing.items()}

    def agents_at(self, queue: str, interface: str) -> tuple[str, ...]:
        """The ids of agents the roster puts at `interface` in `queue` (usually one, or none)."""
        at: dict[tuple[str, str], tuple[str, ...]] = self._cached("at", self._agents_at)
        return at.get((queue, interface), ())

    def _agents_at(self) -> dict[tuple[str, str], tuple[str, ...]]:
        at: dict[tuple[str, str], list[str]] = {}
        for loop in self.loops:
            for agent in self.members_of(loop):
                at.setdefault((loop.queue, agent.interface), []).append(agent.id)
        return {key: tuple(ids) for key, ids in at.items()}

    def _cached(self, name: str, build: Callable[[], Any]) -> Any:
        found = self._index.get(name)
        if found is None:
            found = self._index[name] = build()
        return found
