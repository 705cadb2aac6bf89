"""Planned member changes on their way to Asterisk: each as its one AMI action, pipelined
(each member's in order), with the record of what is in flight.

The record is what lets the router tell the events of its own actions from news (they
need no pass), and hold a membership out of a pass while its action is unanswered (a
decision then would send the same action twice).
"""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TypeVar

from switchboard.ami import actions
from switchboard.ami.connection import Reply
from switchboard.ami.errors import AmiError
from switchboard.ami.pipeline import ActionPipeline, Outcome
from switchboard.routing.ownership import OWNED_FAMILY, MemberKey, owned_key
from switchboard.routing.policy import AUTOPAUSE_REASON, RESUME_REASON
from switchboard.routing.reconciler import (
    AddMember,
    AutoPause,
    ForgetOwnership,
    MemberChange,
    PauseMember,
    RecordOwnership,
    RemoveMember,
)

V = TypeVar("V")
Send = Callable[[actions.Action, float], Awaitable[Reply]]
# What the router makes of an answer: the changes that follow from it (an ownership record).
Settle = Callable[[MemberChange, MemberKey, Outcome], Sequence[MemberChange]]


class NotLeader(AmiError):
    """An action left unsent: the lease lapsed and the other engine acts now."""


def change_key(change: MemberChange) -> MemberKey:
    """The membership a change is about (its actions go out in order)."""
    if isinstance(change, RemoveMember | RecordOwnership | ForgetOwnership | AutoPause):
        return (change.queue, change.interface)
    return change.member.key


def to_action(change: MemberChange) -> actions.Action:
    """The one AMI action that carries out a planned change."""
    if isinstance(change, RemoveMember):
        return actions.queue_remove(change.queue, change.interface)
    if isinstance(change, RecordOwnership):
        key = owned_key(change.queue, change.interface)
        return actions.db_put(OWNED_FAMILY, key, change.agent_id)
    if isinstance(change, ForgetOwnership):
        return actions.db_del(OWNED_FAMILY, owned_key(change.queue, change.interface))
    if isinstance(change, AutoPause):
        reason = AUTOPAUSE_REASON if change.paused else RESUME_REASON
        return actions.queue_pause(change.queue, change.interface, change.paused, reason)
    m = change.member
    if isinstance(change, AddMember):
        return actions.queue_add(
            m.queue,
            m.interface,
            m.name,
            m.state_interface,
            paused=m.pause is not None,
            reason=m.pause.wire if m.pause else "",
        )
    if isinstance(change, PauseMember):
        return actions.queue_pause(m.queue, m.interface, True, change.reason.wire)
    return actions.queue_pause(m.queue, m.interface, False, RESUME_REASON)


class Dispatch:
    """One pipeline for every pass: a pass hands its changes over and goes on to the next
    boundary instead of waiting for every reply."""

    def __init__(self, window: int, settle: Settle, freed: Callable[[MemberKey], None]) -> None:
        self._window = window
        self._settle = settle
        self._freed = freed  # a membership held out of a pass has its answer: decide it
        self._pipeline: ActionPipeline | None = None
        self._in_flight: dict[MemberKey, list[MemberChange]] = {}
        self._held_out: set[MemberKey] = set()
        self.actions_sent: dict[str, int] = {}

    def count(self, action: str, n: int = 1) -> None:
        """Count actions sent by type (ops metrics; the IVR duties count theirs here too)."""
        self.actions_sent[action] = self.actions_sent.get(action, 0) + n

    def sent_for(self, key: MemberKey) -> Sequence[MemberChange]:
        """The changes of this membership on their way, oldest first."""
        return self._in_flight.get(key, ())

    def settled(
        self,
        desired: Mapping[MemberKey, V],
        actual: Mapping[MemberKey, object],
        owned: Mapping[MemberKey, str] | None,
    ) -> set[MemberKey]:
        """The memberships of a pass with an action still in flight: left out of it, and
        handed back (`freed`) once their answer is in."""
        held = self._in_flight.keys()
        if not held:
            return set()
        unsettled = {k for k in desired.keys() | actual.keys() if k in held}
        if owned is not None:
            unsettled.update(k for k in owned if k in held)
        self._held_out |= unsettled
        return unsettled

    def carry_out(self, changes: Sequence[MemberChange], send: Send, deadline_s: float) -> None:
        """Queue the changes (up to `window` outstanding at once)."""
        if self._pipeline is None:
            self._pipeline = ActionPipeline(send, window=self._window, deadline_s=deadline_s)
        for change in changes:
            self._submit(self._pipeline, change)

    async def answered(self) -> None:
        """Once every action queued so far has its answer (or was given up)."""
        if self._pipeline is not None:
            await self._pipeline.drain()

    async def give_up(self) -> None:
        """Drop what is queued or on the wire, and what was expected of it (the connection
        it was decided on is gone, or the router stops)."""
        if self._pipeline is not None:
            pipeline, self._pipeline = self._pipeline, None
            await pipeline.close()
        self._in_flight.clear()
        self._held_out.clear()

    def _submit(self, pipeline: ActionPipeline, change: MemberChange) -> None:
        action = to_action(change)
        self.count(action.name)
        key = change_key(change)
        self._in_flight.setdefault(key, []).append(change)
        pipeline.submit(key, action, lambda outcome: self._done(pipeline, change, key, outcome))

    def _done(
        self, pipeline: ActionPipeline, change: MemberChange, key: MemberKey, outcome: Outcome
    ) -> None:
        sent = self._in_flight.get(key)
        if sent is not None:
            with contextlib.suppress(ValueError):
                sent.remove(change)
            if not sent:
                del self._in_flight[key]
                if key in self._held_out:
                    self._held_out.discard(key)
                    self._freed(key)
        for more in self._settle(change, key, outcome):
            self._submit(pipeline, more)
