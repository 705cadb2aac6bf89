"""The router's IVR duties: opening hours to the dialplan, overflow, callback intake.

Decisions are the pure functions in `ivr.hours` and `routing.overflow`; this class
only sends what they decide and keeps the little state that needs (what it told
Asterisk, whom it already moved).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Protocol

from switchboard.ivr.callbacks import CallbackParseError, from_astdb
from switchboard.ivr.dialplan import CALLBACK_FAMILY, HOURS_UNTIL_VAR, HOURS_VAR, STATUS_FAMILY
from switchboard.ivr.hours import is_open, next_change
from switchboard.ivr.plan import IvrPlan
from switchboard.promises.promise import Promise
from switchboard.promises.status import status_changes
from switchboard.routing.ami import actions
from switchboard.routing.ami.client import AmiClient
from switchboard.routing.ami.errors import AmiError
from switchboard.routing.ami.events import DbEntry
from switchboard.routing.overflow import Move, next_overflow_time, overflow_moves, unstaffed_since
from switchboard.routing.privacy import masked_number
from switchboard.routing.queue_state import QueueState
from switchboard.routing.staffing import Staff, staff_of

log = logging.getLogger("switchboard.router")


class CallbackSink(Protocol):
    async def add(self, promise: Promise) -> bool: ...


class IvrDuties:
    def __init__(
        self,
        plan: IvrPlan,
        state: QueueState,
        callbacks: CallbackSink | None,
        working_days: int,
        count: Callable[[str, int], None],
        report: Callable[[str], None],
        staff: Callable[[], Staff] | None = None,  # per loop, kept by the router's index
    ) -> None:
        self.plan = plan
        self.state = state
        self.staff = staff or (lambda: staff_of(state))
        self._staff: Staff = {}  # as the last pass read it (for the next wake)
        self.callbacks = callbacks
        self.working_days = working_days
        self.count = count
        self.report = report
        self.client: AmiClient | None = None
        self.errors = 0
        self.callbacks_stored = 0
        self.callback_errors = 0
        self.callbacks_due = True  # read AstDB for requests on the first pass
        self._hours_until = 0.0  # SB_HOURS_UNTIL as last published
        self._unstaffed: dict[str, float] = {}
        self._moved: set[tuple[str, str]] = set()
        self.statuses_published: dict[str, str] = {}  # what AstDB sb-status holds, as we put it
        # Told of every caller this router moved out of a queue (uniqueid, queue): Asterisk's
        # queue_log writes such a Redirect as ABANDON, so the reports need our word for it.
        self.on_moved: Callable[[str, str], None] | None = None

    def use_plan(self, plan: IvrPlan) -> None:
        """A reloaded config: new loops, levels and hours (published again at once)."""
        self.plan = plan
        self._hours_until = 0.0

    def reconnected(self) -> None:
        """Asterisk may have restarted: publish the hours again and re-read requests."""
        self._hours_until = 0.0
        self.callbacks_due = True
        self.statuses_published = {}  # put them all again: AstDB may be a fresh one

    async def publish_statuses(self, wanted: Mapping[str, str]) -> None:
        """Keep AstDB sb-status/<ref> as `wanted` says (the IVR reads it); only changes go."""
        if self.client is None:
            return
        put, gone = status_changes(self.statuses_published, wanted)
        for ref, value in put.items():
            await self.client.send(actions.db_put(STATUS_FAMILY, ref, value))
            self.statuses_published[ref] = value
        for ref in gone:
            await self.client.send(actions.db_del(STATUS_FAMILY, ref))
            self.statuses_published.pop(ref, None)
        self.count("DBPut", len(put))
        self.count("DBDel", len(gone))

    def next_wake(self) -> float | None:
        times = [self._hours_until] if self._hours_until else []
        due = next_overflow_time(self.plan, self.state, self._unstaffed, self._staff)
        if due is not None:
            times.append(due)
        return min(times, default=None)

    async def run_once(self, now: datetime) -> None:
        await self._publish_hours(now)
        await self._move_unstaffed(now)
        if self.callbacks_due:
            await self.collect_callbacks()

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

    async def collect_callbacks(self) -> None:
        """Copy callback requests from AstDB into the store; idempotent, loses nothing."""
        assert self.client is not None
        if self.callbacks is None:
            return
        try:
            reply = await self.client.send(actions.db_get_tree(CALLBACK_FAMILY))
        except AmiError as exc:
            log.warning("could not read callback requests from Asterisk: %s", exc)
            return
        self.count("DBGetTree", 1)
        for item in reply.items:
            if not isinstance(item, DbEntry):
                continue
            try:
                request = from_astdb(
                    item.key, item.value, self.plan.hours, self.working_days, self.plan.routes
                )
            except CallbackParseError as bad:
                self.report(str(bad))
                continue
            try:
                added = await self.callbacks.add(request)
            except Exception as exc:  # the store is an adapter (Redis): keep the router up
                self.callback_errors += 1
                log.error("callback %s not stored yet (%s); kept in Asterisk", request.ref, exc)
                return
            if added:
                self.callbacks_stored += 1
                log.info(
                    "callback %s stored for %s, due %s",
                    request.ref,
                    masked_number(request.number),
                    request.due.astimezone(self.plan.hours.zone).strftime("%a %d %b %H:%M %z"),
                )
        self.callbacks_due = False

    async def forget_callback(self, ref: str) -> None:
        """Drop a finished request from AstDB (the store keeps the record)."""
        assert self.client is not None
        await self.client.send(actions.db_del(CALLBACK_FAMILY, ref))
        self.count("DBDel", 1)
