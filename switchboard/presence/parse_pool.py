"""Calendars are read in worker processes, each read with a deadline.

A thread cannot be stopped; a process can. Reading is bounded by construction (recurrences
are priced before they are expanded), and this is the hard limit behind it: a read that
overruns its deadline has its worker killed and replaced, and that one source fails (its
last good data is kept). The others go on in the remaining workers. Workers start on first
use and are daemons, so nothing is left behind when the engine stops.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import signal
from collections import deque
from dataclasses import dataclass
from datetime import datetime, tzinfo
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from switchboard.presence.calendar import CalendarRead
from switchboard.presence.codes import NO_CODES, SubjectCodes
from switchboard.presence.ics import DEFAULT_LIMITS, CalendarError, Limits, parse_ics

log = logging.getLogger("switchboard.presence")

MAX_BYTES = 20 << 20  # the largest calendar accepted (docs/calendars.md: what it costs)


@dataclass(frozen=True, slots=True)
class ReadJob:
    """One calendar to read: its bytes, or a file the worker reads itself."""

    start: datetime
    end: datetime
    local: tzinfo
    data: bytes | tuple[bytes, ...] = b""
    path: str = ""
    limits: Limits = DEFAULT_LIMITS
    max_bytes: int = MAX_BYTES
    codes: SubjectCodes = NO_CODES  # calendar codes in subjects (read in the worker only)


def read(job: ReadJob) -> CalendarRead:
    """The work itself (also usable in-process, e.g. by tests of the reader)."""
    if job.path:
        path = Path(job.path)
        size = path.stat().st_size
        if size > job.max_bytes:
            raise CalendarError(_too_large(size, job.max_bytes))
        texts: tuple[bytes, ...] = (path.read_bytes(),)
    else:
        texts = job.data if isinstance(job.data, tuple) else (job.data,)
    events: list[Any] = []
    problems: list[str] = []
    for n, text in enumerate(texts, start=1):
        try:
            result = parse_ics(text, job.start, job.end, job.local, job.limits, job.codes)
        except CalendarError as exc:
            if len(texts) == 1:
                raise
            problems.append(f"object {n}: {exc}")  # one CalDAV object of many
            continue
        events.extend(result.events)
        prefix = f"object {n}, " if len(texts) > 1 else ""
        problems.extend(prefix + p for p in result.problems)
    events.sort(key=lambda e: (e.start, e.end))
    return CalendarRead(tuple(events), tuple(problems))


def _too_large(size: int, limit: int) -> str:
    return (
        f"calendar is {size / (1 << 20):.1f} MiB, over the {limit >> 20} MiB limit "
        "(presence.calendar_max_mib); publish a shorter range"
    )


def _serve(conn: multiprocessing.connection.Connection) -> None:
    # Ctrl-C at a terminal reaches the whole process group: the engine stops its readers
    # itself (closing the pipe), so a reader must not die mid-read with a traceback first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    conn.send(("ready", None))  # imports done: from here on, time is the read's own
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("ok", read(job))
        except CalendarError as exc:
            reply = ("calendar", str(exc))
        except OSError as exc:
            reply = ("os", f"{type(exc).__name__}: {exc.strerror or exc}")
        except Exception as exc:  # reported as the source's failure, never raised here
            reply = ("calendar", f"the calendar could not be read ({type(exc).__name__})")
        conn.send(reply)


class _Worker:
    def __init__(self, context: Any) -> None:
        self.conn, child = context.Pipe()
        self.process: BaseProcess = context.Process(
            target=_serve, args=(child,), daemon=True, name="calendar-reader"
        )
        self.process.start()
        child.close()
        try:
            ready = self.conn.poll(60) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            ready = False
        if not ready:
            self.stop()
            raise CalendarError("a calendar reader process did not start")

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class ParsePool:
    """A few worker processes reading calendars, each read with a deadline."""

    def __init__(self, workers: int = 2, deadline_s: float = 10.0) -> None:
        self.size = workers
        self.deadline_s = deadline_s
        self._context = multiprocessing.get_context("forkserver")
        # The fork server imports the reader once; each worker then starts in milliseconds.
        self._context.set_forkserver_preload([__name__])
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._started = 0
        self._waiting: deque[asyncio.Future[_Worker]] = deque()
        self._starting: set[asyncio.Task[None]] = set()
        self._reading: set[asyncio.Future[tuple[str, Any]]] = set()
        self.killed = 0  # reads stopped at the deadline, since start

    async def read(self, job: ReadJob) -> CalendarRead:
        """The calendar's events; CalendarError (or OSError) when it cannot be read."""
        worker = await self._acquire()
        # The read owns its worker until it ends on its own terms (an answer, or the read
        # deadline): a caller that gives up early (its poll deadline) does not kill a reader
        # in the middle of a sound read, which under load would cost every reader in turn.
        asking = asyncio.ensure_future(self._ask(worker, job))
        self._reading.add(asking)
        asking.add_done_callback(lambda done: self._finished(worker, done))
        kind, value = await asyncio.shield(asking)
        if kind == "ok":
            result: CalendarRead = value
            return result
        if kind == "os":
            raise OSError(value)
        raise CalendarError(value)

    def _finished(self, worker: _Worker, done: asyncio.Future[tuple[str, Any]]) -> None:
        self._reading.discard(done)
        if done.cancelled() or done.exception() is not None:
            self._replace(worker)  # stopped at the deadline: its state is unknown
        else:
            self._release(worker)

    async def _ask(self, worker: _Worker, job: ReadJob) -> tuple[str, Any]:
        loop = asyncio.get_running_loop()
        answered: asyncio.Future[None] = loop.create_future()
        fd = worker.conn.fileno()

        def ready() -> None:
            if not answered.done():
                answered.set_result(None)

        loop.add_reader(fd, ready)
        try:
            worker.conn.send(job)
            try:
                async with asyncio.timeout(self.deadline_s):
                    await answered
            except TimeoutError:
                self.killed += 1
                raise CalendarError(
                    f"reading took longer than {self.deadline_s:g} s and was stopped "
                    "(presence.calendar_read_deadline_s)"
                ) from None
            reply: tuple[str, Any] = worker.conn.recv()
            return reply
        finally:
            loop.remove_reader(fd)

    async def _acquire(self) -> _Worker:
        if self._idle:
            return self._idle.pop()
        if self._started < self.size:
            self._started += 1
            return await self._start()
        waiter: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            return await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release(waiter.result())
            raise

    def _release(self, worker: _Worker) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    async def _start(self) -> _Worker:
        try:
            worker = await asyncio.to_thread(_Worker, self._context)
        except BaseException:
            self._started -= 1
            raise
        self._all.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        worker.stop()
        self._started -= 1
        if any(not w.done() for w in self._waiting):
            # Someone waits for a reader: start a fresh one for them, off the event loop.
            self._started += 1
            task = asyncio.get_running_loop().create_task(self._start_for_waiter())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _start_for_waiter(self) -> None:
        try:
            worker = await self._start()
        except Exception as exc:  # the waiter will start its own on the next try
            log.error("a calendar reader could not be started: %s", exc)
            for waiter in self._waiting:
                if not waiter.done():
                    waiter.set_exception(CalendarError("no calendar reader could be started"))
            self._waiting.clear()
            return
        self._release(worker)

    def close(self) -> None:
        for worker in self._all:
            worker.stop()
        self._all.clear()
        self._idle.clear()
        self._started = 0
