"""The router's IVR duties: opening hours to the dialplan, overflow, and the intake of
another package (promises' callback requests) run on the same passes.

Decisions are the pure functions in `ivr.hours` and `routing.overflow`; this class
only sends what they decide and keeps the little state that needs (what it told
Asterisk, whom it already moved).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from switchboard.ami import actions
from switchboard.ami.client import AmiClient
from switchboard.ami.errors import AmiError
from switchboard.ivr.dialplan import HOURS_UNTIL_VAR, HOURS_VAR
from switchboard.ivr.hours import is_open, next_change
from switchboard.ivr.plan import IvrPlan
from switchboard.routing.overflow import Move, next_overflow_time, overflow_moves, unstaffed_since
from switchboard.routing.queue_state import QueueState
from switchboard.routing.staffing import Staff, staff_of

log = logging.getLogger("switchboard.router")


class Intake(Protocol):
    """Work of another package done on the router's passes with Asterisk, so that it runs
    only while connected and acting (callback requests into the promise store)."""

    plan: IvrPlan | None
    client: AmiClient | None
    count: Callable[[str, int], None]
    report: Callable[[str], None]
    due: bool

    def reconnected(self) -> None: ...

    async def run_once(self) -> None: ...


class IvrDuties:
    def __init__(
        self,
        plan: IvrPlan,
        state: QueueState,
        intake: Intake | None,
        count: Callable[[str, int], None],
        report: Callable[[str], None],
        staff: Callable[[], Staff] | None = None,  # per loop, kept by the router's index
    ) -> None:
        self.plan = plan
        self.state = state
        self.staff = staff or (lambda: staff_of(state))
        self._staff: Staff = {}  # as the last pass read it (for the next wake)
        self.intake = intake
        if intake is not None:
            intake.plan, intake.count, intake.report = plan, count, report
        self.count = count
        self.report = report
        self.client: AmiClient | None = None
        self.errors = 0
        self._hours_until = 0.0  # SB_HOURS_UNTIL as last published
        self._unstaffed: dict[str, float] = {}
        self._moved: set[tuple[str, str]] = set()
        # Told of every caller this router moved out of a queue (uniqueid, queue): Asterisk's
        # queue_log writes such a Redirect as ABANDON, so the reports need our word for it.
        self.on_moved: Callable[[str, str], None] | None = None

    def use_plan(self, plan: IvrPlan) -> None:
        """A reloaded config: new loops, levels and hours (published again at once)."""
        self.plan = plan
        self._hours_until = 0.0
        if self.intake is not None:
            self.intake.plan = plan

    def attach(self, client: AmiClient) -> None:
        self.client = client
        if self.intake is not None:
            self.intake.client = client

    def reconnected(self) -> None:
        """Asterisk may have restarted: publish the hours again and re-read requests."""
        self._hours_until = 0.0
        if self.intake is not None:
            self.intake.reconnected()

    def next_wake(self) -> float | None:
        times = [self._hours_until] if self._hours_until else []
        due = next_overflow_time(self.plan, self.state, self._unstaffed, self._staff)
        if due is not None:
            times.append(due)
        return min(times, default=None)

    async def run_once(self, now: datetime) -> None:
        await self._publish_hours(now)
        await self._move_unstaffed(now)
        if self.intake is not None:
            await self.intake.run_once()

    async def _publish_hours(self, now: datetime) -> None:
        """Tell the dialplan open/closed (it knows no holidays) and until when that holds."""
        assert self.client is not None
        if now.timestamp() < self._hours_until:
            return
        state = "open" if is_open(self.plan.hours, now) else "closed"
        change = next_change(self.plan.hours, now)
        until = change.timestamp() if change else now.timestamp() + 86400
        try:
            await self.client.send(actions.setvar_global(HOURS_VAR, state))
            await self.client.send(actions.setvar_global(HOURS_UNTIL_VAR, str(int(until))))
        except AmiError as exc:
            self.errors += 1
            log.warning("could not tell Asterisk the opening hours (%s); its own apply", exc)
            return
        self.count("Setvar", 2)
        self._hours_until = until
        shown = datetime.fromtimestamp(until, self.plan.hours.zone)
        log.info("phones are %s until %s", state, f"{shown:%a %d %b %H:%M %z}")

    async def _move_unstaffed(self, now: datetime) -> None:
        assert self.client is not None
        queues = [r.queue for r in self.plan.routes.values()]
        staff = self._staff = self.staff()
        at = now.timestamp()
        self._unstaffed = unstaffed_since(self._unstaffed, self.state, queues, at, staff)
        waiting = {(c, q) for q, loop in self.state.loops.items() for c in loop.callers}
        self._moved &= waiting  # forget callers who have left
        for move in overflow_moves(
            self.plan, self.state, self._unstaffed, at, frozenset(self._moved), staff
        ):
            await self._redirect(move)

    async def _redirect(self, move: Move) -> None:
        assert self.client is not None
        self._moved.add((move.uniqueid, move.queue))
        self.count("Redirect", 1)
        self.state.note_moving(move.uniqueid, move.queue)  # its QueueCallerAbandon is a move
        try:
            await self.client.send(actions.redirect(move.channel, move.to_context))
        except AmiError as exc:
            self.state.moving.discard((move.uniqueid, move.queue))
            # Usually the caller hung up or was answered meanwhile; the dialplan's own
            # wait still moves them on if they are really stuck.
            self.errors += 1
            log.warning("could not move a caller out of %s: %s", move.queue, exc)
            return
        if self.on_moved is not None:
            self.on_moved(move.uniqueid, move.queue)
        log.info("%s", move.why)
