"""Counts made whole from what Asterisk itself kept, after events were lost to an outage.

Events sent while the AMI link was down are gone. Asterisk keeps per queue, since it
started, `Completed` (answered calls that ended) and `Abandoned` (every QueueCallerAbandon:
hung up, timed out or redirected), and reports both in each QueueStatus `QueueParams`.
At every snapshot the difference between those and the events seen since the last one
is what was missed; the snapshot's members (in a call or not) and waiting callers say
which of the calls we knew about are among it. Pure: plain data in, corrections out.

What stays unknowable: a caller who joined and left with the callback key while the link
was down (Asterisk counts that neither completed nor abandoned), and how a missed abandon
ended (counted as hung up, unless the caller waits in a queue again: then timed out).
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Correction:
    """What to add to a loop's counters (all zero or more)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    timed_out: int = 0


@dataclass(slots=True)
class AsteriskTotals:
    """One loop's reckoning against Asterisk's own totals."""

    completed: int | None = None  # QueueParams at the last snapshot (None: none yet)
    abandoned: int = 0
    seen_completed: int = 0  # AgentComplete since then
    seen_abandoned: int = 0  # QueueCallerAbandon since then
    # interface -> (uniqueid, the member's CallsTaken then): answers seen, not yet ended.
    # app_queue counts CallsTaken when a call ends, so a higher count means it has.
    in_talk: dict[str, tuple[str, int]] = field(default_factory=dict)
    ended_unseen: int = 0  # answers seen whose end was lost, noticed since the snapshot
    left_unseen: set[str] = field(default_factory=set)  # waiting at a drop, gone after it
    before_start: set[str] = field(default_factory=set)  # interfaces in a call at our start
    offered_owed: int = 0  # < 0: assumed ended, may still be answered (then owed back)

    def connected(self, interface: str, uniqueid: str, calls_taken: int) -> None:
        self.in_talk[interface] = (uniqueid, calls_taken)

    def abandoned_seen(self) -> None:
        self.seen_abandoned += 1

    def completed_seen(self, interface: str, uniqueid: str) -> Correction:
        """An AgentComplete: counts an answer whose AgentConnect was lost."""
        self.seen_completed += 1
        talking = self.in_talk.pop(interface, None)
        if talking is not None and talking[0] == uniqueid:
            return Correction()
        if talking is not None:  # the member ended that call unseen, then took this one
            self.ended_unseen += 1
        if interface in self.before_start:
            self.before_start.discard(interface)
            return Correction()  # answered before the engine started: not ours to count
        if uniqueid in self.left_unseen:  # its join was counted; the snapshot assumed it ended
            self.left_unseen.discard(uniqueid)
            return Correction(offered=self._owe(1), answered=1)
        return Correction(offered=1, answered=1)  # joined and answered unseen

    def _owe(self, n: int) -> int:
        self.offered_owed += n
        paid, self.offered_owed = max(0, self.offered_owed), min(0, self.offered_owed)
        return paid

    def snapshot(
        self,
        completed: int,
        abandoned: int,
        in_call: Set[str],  # interfaces of this loop's members in a call now
        calls_taken: Mapping[str, int],  # CallsTaken of this loop's members now
        was_waiting: Set[str],  # uniqueids we had waiting here before the snapshot
        waiting: Set[str],  # uniqueids waiting here now
        waiting_anywhere: Set[str],  # uniqueids waiting in any queue now
    ) -> Correction:
        """Asterisk's totals now; returns what the events missed since the last snapshot."""
        first = self.completed is None
        base_completed, base_abandoned = self.completed or 0, self.abandoned
        if completed < base_completed or abandoned < base_abandoned:
            base_completed = base_abandoned = 0  # Asterisk restarted: its totals began again
        self.completed, self.abandoned = completed, abandoned
        seen_completed, seen_abandoned = self.seen_completed, self.seen_abandoned
        self.seen_completed = self.seen_abandoned = 0
        if first:
            self.in_talk.clear()
            self.before_start = set(in_call)
            return Correction()
        missed_completed = max(0, completed - base_completed - seen_completed)
        missed_abandoned = max(0, abandoned - base_abandoned - seen_abandoned)
        finished = [
            i for i, (_, taken) in self.in_talk.items() if calls_taken.get(i, taken + 1) > taken
        ]  # ended while the link was down: their AgentComplete was lost
        for interface in finished:
            del self.in_talk[interface]
        known_ends = len(finished) + self.ended_unseen
        self.ended_unseen = 0
        missed_answers = max(0, missed_completed - known_ends)
        left = set(was_waiting) - set(waiting)
        self.left_unseen |= left
        timed_out = min(missed_abandoned, len(left & set(waiting_anywhere)))
        joined_unseen = len(set(waiting) - set(was_waiting))
        ended_unseen = missed_answers + missed_abandoned - len(left)
        return Correction(
            offered=joined_unseen + self._owe(ended_unseen),
            answered=missed_answers,
            abandoned=missed_abandoned - timed_out,
            timed_out=timed_out,
        )
