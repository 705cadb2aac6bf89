"""What the next reconcile pass must look at: everything, or these agents and memberships.

The router notes here what changed (a calendar, a manual status, a member event that moved
something the policy reads, a boundary reached, an action that did not go through) and
a pass takes it all at once. Nothing noted means the pass has nothing to decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from switchboard.routing.ownership import MemberKey


@dataclass(slots=True)
class Attention:
    full: bool = True  # a snapshot, a new roster, a refusal: every membership is looked at
    agents: set[str] = field(default_factory=set)
    keys: set[MemberKey] = field(default_factory=set)
    # With `full`: anyone's inputs may have changed (a new roster, taking over from another
    # engine), so everyone is decided afresh. Without: only Asterisk's side is new (a
    # snapshot), so what was decided stands and is compared against it.
    recompute: bool = True

    def everything(self) -> None:
        self.full = self.recompute = True

    def recheck(self) -> None:
        """Asterisk's side is new: compare every membership, decide only what changed."""
        self.full = True

    def agent(self, agent_id: str) -> None:
        self.agents.add(agent_id)

    def member(self, key: MemberKey) -> None:
        self.keys.add(key)

    def __bool__(self) -> bool:
        return self.full or bool(self.agents) or bool(self.keys)

    def take(self) -> Attention:
        """What was noted, handed over; this starts empty again."""
        taken = Attention(self.full, self.agents, self.keys, self.recompute)
        self.full, self.agents, self.keys, self.recompute = False, set(), set(), False
        return taken


@dataclass(slots=True)
class Touched:
    """What changed since the tally last looked (the router fills it)."""

    everything: bool = True
    keys: set[MemberKey] = field(default_factory=set)
    agents: set[str] = field(default_factory=set)
