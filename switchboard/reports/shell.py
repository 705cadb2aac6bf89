"""The reports' shell: tails queue_log into the store, copies promise outcomes, and builds
a Report of a window when the page or the CSV asks (counted by the database:
`reports.aggregate`; `reports.figures` defines what is counted)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from switchboard.cluster.periodic import every
from switchboard.promises.promise import PromiseKind, PromiseStatus
from switchboard.promises.store import PromiseStore
from switchboard.reports import store
from switchboard.reports.aggregate import report_of
from switchboard.reports.figures import Period, PromiseOutcome, Report
from switchboard.reports.window import Window, window_ending

log = logging.getLogger("switchboard.reports")


class Reports:
    def __init__(
        self,
        engine: Engine,
        queue_log: Path,
        zone: ZoneInfo,
        clock: Callable[[], datetime],
        *,
        promises: PromiseStore | None = None,
        loop_of_queue: Mapping[str, str] | None = None,
        service_level_s: int = 20,
        keep_days: int = 400,
    ) -> None:
        self.engine = engine
        self.queue_log = queue_log
        self.zone = zone
        self.clock = clock
        self.promises = promises
        self.loop_of_queue = dict(loop_of_queue or {})
        self.service_level_s = service_level_s
        self.bad_lines = 0
        self.keep = timedelta(days=keep_days)
        self._moved: list[tuple[str, str, int]] = []  # told by the router, not yet stored

    def note_moved(self, callid: str, queue: str) -> None:
        """The router moved this caller out of `queue` (stored at the next read-on)."""
        self._moved.append((callid, queue, int(self.clock().timestamp())))

    async def read_on(self) -> int:
        """Ingest what queue_log gained, copy promise outcomes, apply retention; lines stored."""
        done = 0
        since = self.clock() - self.keep
        if self.queue_log.exists():
            result = await asyncio.to_thread(store.ingest_file, self.engine, self.queue_log)
            done, self.bad_lines = result.lines, self.bad_lines + len(result.bad)
        if self._moved:
            moved, self._moved = self._moved, []
            try:
                await asyncio.to_thread(store.save_moved, self.engine, moved)
            except Exception:
                self._moved = moved + self._moved  # the database is down: keep them for later
                raise
        if self.promises is not None:
            outcomes = [
                PromiseOutcome(
                    p.ref,
                    p.kind.value,
                    p.loop,
                    p.requested_at,
                    p.first_due,
                    p.handled_at if p.status is PromiseStatus.DONE else None,
                    p.call_id if p.kind is PromiseKind.CALLBACK else "",
                )
                for p in await self.promises.since(since)
            ]
            await asyncio.to_thread(store.save_outcomes, self.engine, outcomes)
        pruned = await asyncio.to_thread(store.prune, self.engine, since)
        if pruned.lines or pruned.outcomes:
            log.info(
                "reports: deleted %d queue_log line(s), %d promise outcome(s) older than %d days",
                pruned.lines,
                pruned.outcomes,
                self.keep.days,
            )
        return done

    def window(self, period: Period, end: date | None = None, count: int | None = None) -> Window:
        """The periods a report covers: `count` of them ending with the one holding `end`
        (default: today, in the office's calendar)."""
        return window_ending(
            period, end or self.clock().astimezone(self.zone).date(), self.zone, count
        )

    async def report(self, window: Window) -> Report:
        """The window's figures, counted by the database (reports.aggregate): what they cost
        follows the window, not the history kept."""
        return await asyncio.to_thread(
            report_of,
            self.engine,
            window,
            service_level_s=self.service_level_s,
            loop_of_queue=lambda q: self.loop_of_queue.get(q, q),
            now=self.clock(),
        )

    async def run(self, may_act: Callable[[], bool], every_s: float = 60.0) -> None:
        await every(
            every_s, self.read_on, failed="reports not read on", may_act=may_act, logger=log
        )
