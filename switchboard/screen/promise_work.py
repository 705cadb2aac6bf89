"""Callbacks and inquiries as agents work them on the screen: the lists of their loops and
departments, taking, handing back, closing, a new date, registering, search by reference.

Only promises of the agent's own loops or departments are theirs to see or change.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.promises.keeper import NewInquiry, PromiseKeeper
from switchboard.promises.promise import Promise, PromiseError, PromiseKind
from switchboard.routing.roster import Roster
from switchboard.screen.answers import Refused
from switchboard.screen.callback_list import callback_rows, visible_to
from switchboard.screen.card import Json
from switchboard.screen.promise_views import history_rows, promise_json

log = logging.getLogger("switchboard.screen")


class PromiseWork:
    def __init__(
        self,
        promises: PromiseKeeper | None,
        roster: Roster,
        *,
        zone: ZoneInfo,
        language: str,
        clock: Callable[[], datetime],
        changed: Callable[[], None],  # the screens redraw
        forget_callback: Callable[[str], Awaitable[None]] | None = None,  # AstDB clean-up
    ) -> None:
        self.promises = promises
        self.zone = zone
        self.language = language
        self._clock = clock
        self._changed = changed
        self.forget_callback = forget_callback
        self.use_roster(roster)

    def use_roster(self, roster: Roster) -> None:
        self.loop_titles = {loop.id: loop.title for loop in roster.loops}
        self.agent_names = {a.id: a.name for a in roster.agents.values()}
        self.agent_loops = {
            agent_id: {loop.id for loop in loops}
            for agent_id, loops in roster.loops_by_agent().items()
        }

    def rows(self, agent_id: str, now: datetime, kind: PromiseKind) -> list[Json]:
        if self.promises is None:
            return []
        return callback_rows(
            self.promises.pending.requests or [],
            agent_id,
            self.agent_loops[agent_id],
            self.loop_titles,
            self.agent_names,
            now,
            self.zone,
            kind=kind,
            catalogue=self.promises.catalogue,
            departments=self.promises.catalogue.departments_of(agent_id),
            language=self.language,
        )

    def topics(self) -> list[Json]:
        if self.promises is None:
            return []
        return [
            {
                "id": t.id,
                "title": t.title(self.language),
                "working_days": t.promise_working_days,
            }
            for t in self.promises.catalogue.topics.values()
        ]

    async def refresh(self) -> None:
        """Re-read open promises (shared with ops: at most once a second)."""
        if self.promises is not None:
            await self.promises.pending.refresh()

    @property
    def keeper(self) -> PromiseKeeper:
        if self.promises is None:
            raise Refused("callbacks and inquiries are not kept by this engine")
        return self.promises

    async def _mine_to_see(self, agent_id: str, ref: str) -> Promise:
        """A promise of the agent's loops or department (others are not theirs to change)."""
        desk = self.keeper
        try:
            found = await desk.store.get(ref.strip())
        except Exception as exc:
            raise Refused(f"promise store: {exc}") from None
        departments = desk.catalogue.departments_of(agent_id)
        if found is None or not visible_to(
            found, self.agent_loops[agent_id], departments, desk.catalogue
        ):
            raise Refused("no such callback or inquiry in your loops")
        return found

    async def _apply(self, action: Awaitable[Promise]) -> Promise:
        try:
            result = await action
        except PromiseError as problem:
            raise Refused(str(problem)) from None
        self._changed()
        return result

    async def take(self, agent_id: str, ref: str) -> None:
        """Claim a callback or inquiry of the agent's loops (first come, first served)."""
        await self._mine_to_see(agent_id, ref)
        await self._apply(self.keeper.take(ref, agent_id))
        log.info("promise %s taken by %s", ref, agent_id)

    async def release(self, agent_id: str, ref: str) -> None:
        """Hand a taken promise back to the loop (someone else will call or answer)."""
        await self._mine_to_see(agent_id, ref)
        await self._apply(self.keeper.release(ref, agent_id))
        log.info("promise %s handed back by %s", ref, agent_id)

    async def finish(self, agent_id: str, ref: str, outcome: str = "") -> None:
        """Done: closed in the store (a callback also leaves Asterisk's AstDB)."""
        found = await self._mine_to_see(agent_id, ref)
        if found.kind is PromiseKind.INQUIRY and not outcome.strip():
            raise Refused("say how it was answered (the outcome)")
        await self._apply(self.keeper.close(ref, agent_id, outcome))
        log.info("promise %s done by %s", ref, agent_id)
        if found.kind is PromiseKind.CALLBACK and self.forget_callback is not None:
            try:
                await self.forget_callback(ref)
            except Exception as exc:  # done in the store; AstDB keeps a stale copy, harmless
                log.warning("callback %s done, but not removed from AstDB: %s", ref, exc)

    async def new_date(self, agent_id: str, ref: str, day: str, reason: str) -> Json:
        """A promise that cannot be kept: a later day (YYYY-MM-DD), the reason, and the
        notice the caller is given."""
        await self._mine_to_see(agent_id, ref)
        try:
            local = datetime.fromisoformat(day)
        except ValueError:
            raise Refused("give the new date as YYYY-MM-DD") from None
        if local.tzinfo is None:
            closing = self._closing_time(local)
            local = local.replace(hour=closing[0], minute=closing[1], tzinfo=self.zone)
        try:
            _, notice = await self.keeper.new_date(ref, agent_id, local, reason)
        except PromiseError as problem:
            raise Refused(str(problem)) from None
        self._changed()
        return {"ok": True, "notice": notice}

    def _closing_time(self, day: datetime) -> tuple[int, int]:
        hours = self.keeper.hours
        spans = hours.spans_on(day.date())
        end = spans[-1].end if spans else None
        return (end.hour, end.minute) if end else (16, 0)

    async def register(self, new: NewInquiry) -> Json:
        """Register an inquiry: the reference to read out, its due time, whether it was mailed."""
        p = await self._apply(self.keeper.register(new))
        mailed = any(s.action == "mailed" for s in p.steps)
        due = f"{p.due.astimezone(self.zone):%a %d %b %H:%M}"
        return {"ref": p.ref, "due": due, "mailed": mailed}

    async def search(self, agent_id: str, ref: str) -> Json:
        """Status by reference (the caller reads it out): any of the agent's loops'."""
        found = await self._mine_to_see(agent_id, ref)
        return promise_json(
            found,
            self.keeper.catalogue,
            self.loop_titles,
            self.agent_names,
            self.zone,
            self.language,
            self._clock(),
        )

    async def history(self, members: set[str], number: str) -> Json:
        """Earlier callbacks and inquiries of these members or from this number."""
        if self.promises is None:
            return {"history": []}
        try:
            found = await self.promises.history(members, number)
        except Exception as exc:
            raise Refused(f"promise store: {exc}") from None
        rows = history_rows(
            found, self.promises.catalogue, self.loop_titles, self.zone, self.language
        )
        return {"history": rows}
