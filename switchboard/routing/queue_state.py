"""What Asterisk reports about each loop, built from QueueStatus snapshots and events."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum, auto

from switchboard.ami.events import (
    AgentComplete,
    AgentConnect,
    DeviceStatus,
    Event,
    Hangup,
    IvrStep,
    MemberEvent,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueCallerLeave,
    QueueEntry,
    QueueMember,
    QueueMemberRemoved,
    QueueParams,
)
from switchboard.routing.stats import WAIT_BUCKETS_S, Buckets
from switchboard.routing.totals import AsteriskTotals, Correction


@dataclass(slots=True)
class MemberState:
    """A queue member as Asterisk last described it."""

    queue: str
    interface: str
    name: str
    state_interface: str
    membership: str
    paused: bool
    paused_reason: str
    status: DeviceStatus
    in_call: bool
    calls_taken: int = 0  # app_queue counts a call when it ends

    @classmethod
    def from_event(cls, e: MemberEvent) -> MemberState:
        return cls(
            e.queue,
            e.interface,
            e.name,
            e.state_interface,
            e.membership,
            e.paused,
            e.paused_reason,
            e.status,
            e.in_call,
            e.calls_taken,
        )


@dataclass(slots=True)
class WaitingCaller:
    uniqueid: str
    channel: str
    caller_num: str
    caller_name: str
    position: int
    joined_at: float  # epoch seconds, in this loop
    first_joined_at: float = 0.0  # in the first loop of the call (a moved caller's whole wait)

    @property
    def waiting_since(self) -> float:
        return self.first_joined_at or self.joined_at


@dataclass(slots=True)
class LoopCounters:
    """Counted since the router started (ops turns these into rates).

    Asterisk reports one `QueueCallerAbandon` for three different endings; they are told
    apart here: `abandoned` (the caller hung up waiting), `timed_out` (the loop's wait ran
    out, the dialplan moved them on) and `moved_on` (the router's Redirect took them out).
    """

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0
    moved_on: int = 0
    answered_within_target: int = 0  # answered no later than the target, from the first loop
    waits: Buckets = field(default_factory=lambda: Buckets(WAIT_BUCKETS_S))  # before answer

    @property
    def ended(self) -> int:
        """Callers who left the loop, one way or another (the service level's denominator)."""
        return self.answered + self.abandoned + self.timed_out + self.moved_on


@dataclass(slots=True)
class LoopState:
    members: dict[str, MemberState] = field(default_factory=dict)
    callers: dict[str, WaitingCaller] = field(default_factory=dict)
    counters: LoopCounters = field(default_factory=LoopCounters)
    strategy: str = ""
    totals: AsteriskTotals = field(default_factory=AsteriskTotals)


class Change(Enum):
    """What an event changed; member changes call for a reconcile."""

    NONE = auto()
    MEMBERS = auto()
    CALLERS = auto()


class QueueState:
    """The router's model of every loop in Asterisk."""

    def __init__(self, service_level_s: float = 20.0) -> None:
        self.loops: dict[str, LoopState] = {}
        self.service_level_s = service_level_s
        self.first_joined: dict[str, float] = {}  # caller uniqueid -> joined its first loop
        self.moving: set[tuple[str, str]] = set()  # (uniqueid, queue) the router redirects
        self.left_unexplained: dict[str, str] = {}  # uniqueid -> queue, after QueueCallerAbandon

    def note_moving(self, uniqueid: str, queue: str) -> None:
        """The router is about to Redirect this caller out of `queue` (not an abandon)."""
        self.moving.add((uniqueid, queue))

    def _ended(self, uniqueid: str, outcome: str) -> None:
        queue = self.left_unexplained.pop(uniqueid, None)
        if queue is not None:
            counters = self.loop(queue).counters
            setattr(counters, outcome, getattr(counters, outcome) + 1)

    def loop(self, queue: str) -> LoopState:
        state = self.loops.get(queue)
        if state is None:
            state = self.loops[queue] = LoopState()
        return state

    def members(self) -> dict[tuple[str, str], MemberState]:
        return {
            (queue, iface): member
            for queue, state in self.loops.items()
            for iface, member in state.members.items()
        }

    def load_snapshot(self, items: Iterable[Event], now: float) -> None:
        """Replace members and waiting callers with a QueueStatus reply (counters are kept)."""
        fresh: dict[str, LoopState] = {}
        params: dict[str, QueueParams] = {}

        def loop(queue: str) -> LoopState:
            # Looked up first: a LoopState made per item would cost 30,000 of them.
            state = fresh.get(queue)
            if state is None:
                state = fresh[queue] = LoopState()
            return state

        for item in items:
            if isinstance(item, QueueParams):
                state = loop(item.queue)
                state.strategy = item.strategy
                params[item.queue] = item
            elif isinstance(item, QueueMember):
                state = loop(item.queue)
                state.members[item.interface] = MemberState.from_event(item)
            elif isinstance(item, QueueEntry):
                state = loop(item.queue)
                state.callers[item.uniqueid] = WaitingCaller(
                    item.uniqueid,
                    item.channel,
                    item.caller_num,
                    item.caller_name,
                    item.position,
                    now - item.wait_s,
                    self.first_joined.setdefault(item.uniqueid, now - item.wait_s),
                )
        # Who left with no word on how while the link was down: back in a queue means the
        # dialplan moved them on (timed out); gone means they hung up.
        waiting = {uid for state in fresh.values() for uid in state.callers}
        for uid in list(self.left_unexplained):
            self._ended(uid, "timed_out" if uid in waiting else "abandoned")
        for queue, state in fresh.items():
            old = self.loop(queue)
            state.counters, state.totals = old.counters, old.totals
            p = params.get(queue)
            if p is not None:  # make the counts whole from Asterisk's own totals
                correction = state.totals.snapshot(
                    p.completed,
                    p.abandoned,
                    {i for i, m in state.members.items() if m.in_call},
                    {i: m.calls_taken for i, m in state.members.items()},
                    set(old.callers),
                    set(state.callers),
                    waiting,
                )
                _add(state.counters, correction)
        # Counters outlive a snapshot even for queues it did not list (ops counts since start).
        for queue, state in self.loops.items():
            fresh.setdefault(
                queue,
                LoopState(counters=state.counters, strategy=state.strategy, totals=state.totals),
            )
        self.loops = fresh

    def apply(self, event: Event, now: float) -> Change:
        """Fold one event into the model; says what kind of thing changed."""
        if isinstance(event, MemberEvent):
            members = self.loop(event.queue).members
            if isinstance(event, QueueMemberRemoved):
                members.pop(event.interface, None)
            else:
                members[event.interface] = MemberState.from_event(event)
            return Change.MEMBERS
        if isinstance(event, QueueCallerJoin):
            self._ended(event.uniqueid, "timed_out")  # in a queue again: the dialplan moved them
            state = self.loop(event.queue)
            state.counters.offered += 1
            state.callers[event.uniqueid] = WaitingCaller(
                event.uniqueid,
                event.channel,
                event.caller_num,
                event.caller_name,
                event.position,
                now,
                self.first_joined.setdefault(event.uniqueid, now),
            )
            return Change.CALLERS
        if isinstance(event, QueueCallerLeave):
            self.loop(event.queue).callers.pop(event.uniqueid, None)
            return Change.CALLERS
        if isinstance(event, QueueCallerAbandon):
            # app_queue sends this for a hang-up, a timeout and a Redirect alike.
            self.loop(event.queue).totals.abandoned_seen()
            key = (event.uniqueid, event.queue)
            if key in self.moving:
                self.moving.discard(key)
                self.loop(event.queue).counters.moved_on += 1
            else:
                self.left_unexplained[event.uniqueid] = event.queue  # what follows tells
            return Change.CALLERS
        if isinstance(event, IvrStep) and event.step == "overflow":
            self._ended(event.uniqueid, "timed_out")  # Queue() returned: its wait ran out
            return Change.NONE
        if isinstance(event, Hangup):
            self._ended(event.uniqueid, "abandoned")
            for loop in self.loops.values():
                loop.totals.left_unseen.discard(event.uniqueid)
            self.first_joined.pop(event.uniqueid, None)
            self.moving = {m for m in self.moving if m[0] != event.uniqueid}
            return Change.NONE
        if isinstance(event, AgentComplete):
            state = self.loop(event.queue)
            late = state.totals.completed_seen(event.interface, event.uniqueid)
            if late.answered:  # its AgentConnect was lost: count the answer now
                _add(state.counters, late)
                self._waited(state.counters, float(event.hold_time_s))
            return Change.NONE
        if isinstance(event, AgentConnect):
            state = self.loop(event.queue)
            member = state.members.get(event.interface)
            taken = member.calls_taken if member is not None else 0
            state.totals.connected(event.interface, event.uniqueid, taken)
            counters = state.counters
            counters.answered += 1
            # A caller moved on from another loop has waited since they joined the first.
            first = self.first_joined.get(event.uniqueid, now)
            self._waited(counters, max(float(event.hold_time_s), now - first))
            return Change.CALLERS
        return Change.NONE

    def _waited(self, counters: LoopCounters, waited: float) -> None:
        counters.waits.observe(waited)
        if waited <= self.service_level_s:
            counters.answered_within_target += 1

    def note_paused(self, queue: str, interface: str, paused: bool, reason: str) -> None:
        """Record a pause Asterisk accepted, before its event arrives."""
        member = self.loop(queue).members.get(interface)
        if member is not None:
            member.paused = paused
            member.paused_reason = reason

    def note_added(
        self, queue: str, interface: str, name: str, state_interface: str, paused_reason: str
    ) -> None:
        """Record a QueueAdd Asterisk accepted; its QueueMemberAdded event refines it."""
        self.loop(queue).members.setdefault(
            interface,
            MemberState(
                queue,
                interface,
                name,
                state_interface,
                "dynamic",
                bool(paused_reason),
                paused_reason,
                DeviceStatus.UNKNOWN,
                False,
            ),
        )

    def note_removed(self, queue: str, interface: str) -> None:
        self.loop(queue).members.pop(interface, None)


def _add(counters: LoopCounters, correction: Correction) -> None:
    counters.offered += correction.offered
    counters.answered += correction.answered
    counters.abandoned += correction.abandoned
    counters.timed_out += correction.timed_out
