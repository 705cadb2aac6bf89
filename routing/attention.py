"""What the next reconcile pass must look at: everything, or these agents and memberships.

The router notes here what changed (a calendar, a manual status, a member event that moved
something the policy reads, a boundary reached, an action that did not go through) and
a pass takes it all at once. Nothing noted means the pass has nothing to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from routing.ownership import MemberKey


@dataclass(slots=True)
class Attention:
    full: bool = True  # a snapshot, a new roster, a refusal: decide for everyone
    agents: set[str] = field(default_factory=set)
    keys: set[MemberKey] = field(default_factory=set)

    def everything(self) -> None:
        self.full = True

    def agent(self, agent_id: str) -> None:
        self.agents.add(agent_id)

    def member(self, key: MemberKey) -> None:
        self.keys.add(key)

    def __bool__(self) -> bool:
        return self.full or bool(self.agents) or bool(self.keys)

    def take(self) -> Attention:
        """What was noted, handed over; this starts empty again."""
        taken = Attention(self.full, self.agents, self.keys)
        self.full, self.agents, self.keys = False, set(), set()
        return taken


@dataclass(slots=True)
class Touched:
    """What changed since the tally last looked (the router fills it)."""

    everything: bool = True
    keys: set[MemberKey] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
