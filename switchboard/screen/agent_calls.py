"""Which call each agent has (ringing, connected, finished), folded from queue events (pure).

A caller's card belongs to the agents Asterisk rings for that call and, once answered, only
to the one who answered: every other agent's view of it ends there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from switchboard.ami.events import (
    AgentCalled,
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    Event,
    Hangup,
    QueueCallerAbandon,
    QueueCallerJoin,
)
from switchboard.routing.roster import Roster


class Phase(StrEnum):
    RINGING = "ringing"
    CONNECTED = "connected"
    ENDED = "ended"  # wrap-up: the card stays until the agent closes it or the next call rings


@dataclass(slots=True)
class AgentCall:
    call_id: str  # the caller channel's uniqueid
    agent_id: str
    number: str  # as delivered, loop suffix included
    caller_name: str
    queue: str
    phase: Phase
    rang_at: float
    joined_at: float | None  # when the caller entered the queue (None: before we connected)
    waited_s: float | None = None  # answered after this long in the queue
    ended_at: float | None = None


class AgentCalls:
    """Per agent: the call on their screen. `apply` returns the agents whose card changed."""

    def __init__(self, roster: Roster) -> None:
        self.roster = roster
        self.by_agent: dict[str, AgentCall] = {}
        # Call id -> the agents whose card shows it: an event of one call looks at those
        # cards only (a finished call's card stays until the agent closes it, so with
        # 10,000 agents there are thousands of cards and 20 events a second).
        self._by_call: dict[str, set[str]] = {}
        self._gone: set[str] = set()  # calls no card shows any more, not yet taken
        self._joined: dict[str, float] = {}

    def of(self, agent_id: str) -> AgentCall | None:
        return self.by_agent.get(agent_id)

    def take_gone(self) -> set[str]:
        """The calls whose last card went since the last call (what was learnt of them
        can be forgotten)."""
        gone, self._gone = self._gone, set()
        return gone

    def showing(self, call_id: str) -> set[str]:
        """The agents whose card shows this call."""
        return set(self._by_call.get(call_id, ()))

    def dismiss(self, agent_id: str, call_id: str) -> bool:
        """The agent closes a finished call's card."""
        card = self.by_agent.get(agent_id)
        if card is None or card.call_id != call_id or card.phase is not Phase.ENDED:
            return False
        self._remove(agent_id)
        return True

    def _put(self, card: AgentCall) -> AgentCall:
        self._remove(card.agent_id)
        self.by_agent[card.agent_id] = card
        self._by_call.setdefault(card.call_id, set()).add(card.agent_id)
        self._gone.discard(card.call_id)
        return card

    def _remove(self, agent_id: str) -> None:
        card = self.by_agent.pop(agent_id, None)
        if card is not None:
            agents = self._by_call.get(card.call_id)
            if agents is not None:
                agents.discard(agent_id)
                if not agents:
                    del self._by_call[card.call_id]
                    self._gone.add(card.call_id)

    def apply(self, event: Event, now: float) -> set[str]:
        if isinstance(event, QueueCallerJoin):
            self._joined[event.uniqueid] = now
            return set()
        if isinstance(event, AgentCalled):
            return self._rang(event, now)
        if isinstance(event, AgentRingNoAnswer):
            return self._drop(event.uniqueid, only=self._agent_id(event.interface), ringing=True)
        if isinstance(event, AgentConnect):
            return self._connected(event, now)
        if isinstance(event, AgentComplete):
            return self._ended(event.uniqueid, now)
        if isinstance(event, QueueCallerAbandon):
            self._joined.pop(event.uniqueid, None)
            return self._drop(event.uniqueid, ringing=True)
        if isinstance(event, Hangup):
            self._joined.pop(event.uniqueid, None)
            return self._drop(event.uniqueid, ringing=True) | self._ended(event.uniqueid, now)
        return set()

    def _agent_id(self, interface: str) -> str | None:
        agent = self.roster.agent_by_interface(interface)
        return agent.id if agent else None

    def _new_card(self, event: AgentCalled | AgentConnect, agent_id: str, now: float) -> AgentCall:
        return AgentCall(
            event.uniqueid, agent_id, event.caller_num, event.caller_name, event.queue,
            Phase.RINGING, now, self._joined.get(event.uniqueid),
        )  # fmt: skip

    def _rang(self, event: AgentCalled, now: float) -> set[str]:
        agent_id = self._agent_id(event.interface)
        if agent_id is None:
            return set()
        current = self.by_agent.get(agent_id)
        if current is not None and current.phase is Phase.CONNECTED:
            return set()  # busy with another caller: that card stays
        self._put(self._new_card(event, agent_id, now))
        return {agent_id}

    def _connected(self, event: AgentConnect, now: float) -> set[str]:
        agent_id = self._agent_id(event.interface)
        # Everyone else stops seeing the call; the one who answered keeps their card.
        changed = self._drop(event.uniqueid, ringing=True, keep=agent_id)
        if agent_id is None:
            return changed
        card = self.by_agent.get(agent_id)
        if card is None or card.call_id != event.uniqueid:  # we joined after it rang
            card = self._put(self._new_card(event, agent_id, now))
        card.phase = Phase.CONNECTED
        card.waited_s = float(event.hold_time_s)
        return changed | {agent_id}

    def _ended(self, call_id: str, now: float) -> set[str]:
        changed = set()
        for agent_id in self._by_call.get(call_id, ()):
            card = self.by_agent[agent_id]
            if card.phase is Phase.CONNECTED:
                card.phase, card.ended_at = Phase.ENDED, now
                changed.add(agent_id)
        return changed

    def _drop(
        self, call_id: str, *, ringing: bool, only: str | None = None, keep: str | None = None
    ) -> set[str]:
        gone = {
            agent_id
            for agent_id in self._by_call.get(call_id, ())
            if (not ringing or self.by_agent[agent_id].phase is Phase.RINGING)
            and (only is None or agent_id == only)
            and agent_id != keep
        }
        for agent_id in gone:
            self._remove(agent_id)
        return gone
