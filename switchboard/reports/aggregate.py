"""The figures of a window, counted by the database (the definitions are in
reports.figures; tests/reports/fold.py folds the same from the lines one by one).

The database groups each window span's lines by local day, loop and verb (`spans` cuts the
window where the clock changes, so `(epoch + offset) // 86400` is the local day in each);
what comes back is a few rows per day and loop, folded into periods here. Answer times come
back as a histogram, so percentiles stay exact. An ABANDON counts as moved on when the same
call enters a queue later (any time later), when the router moved it, or when the caller
asked for a callback (the outcomes copied from the promises keep its call). The same
statements serve SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, Engine, and_, exists, func, literal, or_, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement, Label

from switchboard.reports import store
from switchboard.reports.figures import (
    MOVED_VERBS,
    AgentFigures,
    LoopFigures,
    Report,
    period_of,
    period_of_day,
)
from switchboard.reports.tables import moved_call, promise_outcome, queue_log
from switchboard.reports.window import Window

EPOCH_DAY = date(1970, 1, 1)
COMPLETE_VERBS = ("COMPLETEAGENT", "COMPLETECALLER")
COUNTED_VERBS = ("ENTERQUEUE", "ABANDON", *sorted(MOVED_VERBS))
Span = tuple[int, int, int]


def report_of(
    engine: Engine,
    window: Window,
    *,
    service_level_s: int = 20,
    loop_of_queue: Callable[[str], str] = lambda q: q,
    now: datetime | None = None,
) -> Report:
    """The Report of the window's periods (what `figures` gives for them, from the store)."""
    period = window.period
    loops: dict[tuple[str, str], LoopFigures] = defaultdict(LoopFigures)
    agents: dict[tuple[str, str], AgentFigures] = defaultdict(AgentFigures)

    def loop(day: int, queue: str) -> LoopFigures:
        return loops[(_key(day, window), loop_of_queue(queue))]

    with engine.connect() as c:
        for span in window.spans():
            for day, queue, verb, n in _counts(c, span):
                f = loop(day, queue)
                if verb == "ENTERQUEUE":
                    f.offered += n
                else:  # an ABANDON too, until it proves a caller who hung up (below)
                    f.moved_on += n
            for day, queue, hold, n in _holds(c, span):
                f = loop(day, queue)
                f.answered += n
                f.answer_times[hold] += n
                f.within_service_level += n if hold <= service_level_s else 0
            for day, agent, n in _answered_by(c, span):
                agents[(_key(day, window), agent)].answered += n
            for day, agent, talk in _talk_of(c, span):
                agents[(_key(day, window), agent)].talk_s += talk
            for day, queue, n in _hung_up(c, span):
                f = loop(day, queue)
                f.moved_on -= n
                f.abandoned += n
    moment = now or datetime.now(UTC)
    for o in store.outcomes(engine, window.start, window.end):
        kept = o.kept()
        if kept is None and o.first_due >= moment:
            continue  # still open and not yet due: not decided
        key = (period_of(o.first_due, period, window.zone), o.loop)
        loops[key].promises_due += 1
        loops[key].promises_kept += bool(kept)
    return Report(period, dict(loops), dict(agents))


def _key(day: int, window: Window) -> str:
    return period_of_day(EPOCH_DAY + timedelta(days=day), window.period)


def _day(span: Span) -> Label[int]:
    _, _, offset = span
    return ((queue_log.c.time + literal(offset)) // 86400).label("day")


def _in(span: Span) -> tuple[ColumnElement[bool], ...]:
    start, end, _ = span
    return (
        queue_log.c.time >= start,
        queue_log.c.time < end,
        queue_log.c.queuename.not_in(("", "NONE")),
    )


def _counts(c: Connection, span: Span) -> list[tuple[int, str, str, int]]:
    day = _day(span)
    q = (
        select(day, queue_log.c.queuename, queue_log.c.event, func.count())
        .where(*_in(span), queue_log.c.event.in_(COUNTED_VERBS))
        .group_by(day, queue_log.c.queuename, queue_log.c.event)
    )
    return [(int(d), str(qn), str(e), int(n)) for d, qn, e, n in c.execute(q)]


def _holds(c: Connection, span: Span) -> list[tuple[int, str, int, int]]:
    day = _day(span)
    q = (
        select(day, queue_log.c.queuename, queue_log.c.n1, func.count())
        .where(*_in(span), queue_log.c.event == "CONNECT")
        .group_by(day, queue_log.c.queuename, queue_log.c.n1)
    )
    return [(int(d), str(qn), int(h), int(n)) for d, qn, h, n in c.execute(q)]


def _answered_by(c: Connection, span: Span) -> list[tuple[int, str, int]]:
    day = _day(span)
    q = (
        select(day, queue_log.c.agent, func.count())
        .where(*_in(span), queue_log.c.event == "CONNECT")
        .group_by(day, queue_log.c.agent)
    )
    return [(int(d), str(a), int(n)) for d, a, n in c.execute(q)]


def _talk_of(c: Connection, span: Span) -> list[tuple[int, str, int]]:
    day = _day(span)
    q = (
        select(day, queue_log.c.agent, func.sum(queue_log.c.n2))
        .where(*_in(span), queue_log.c.event.in_(COMPLETE_VERBS))
        .group_by(day, queue_log.c.agent)
    )
    return [(int(d), str(a), int(t or 0)) for d, a, t in c.execute(q)]


def _hung_up(c: Connection, span: Span) -> list[tuple[int, str, int]]:
    """The window's ABANDONs that no later ENTERQUEUE of the call, no move of the router and
    no callback asked for explains: callers who hung up."""
    day = _day(span)
    later = aliased(queue_log)
    entered_later = exists().where(
        later.c.callid == queue_log.c.callid,
        later.c.event == "ENTERQUEUE",
        or_(
            later.c.time > queue_log.c.time,
            and_(later.c.time == queue_log.c.time, later.c.source > queue_log.c.source),
            and_(
                later.c.time == queue_log.c.time,
                later.c.source == queue_log.c.source,
                later.c.line_no > queue_log.c.line_no,
            ),
        ),
    )
    moved = exists().where(
        moved_call.c.callid == queue_log.c.callid,
        moved_call.c.queuename == queue_log.c.queuename,
    )
    called_back = exists().where(
        promise_outcome.c.callid == queue_log.c.callid,
        promise_outcome.c.kind == "callback",
    )
    q = (
        select(day, queue_log.c.queuename, func.count())
        .where(*_in(span), queue_log.c.event == "ABANDON", ~entered_later, ~moved, ~called_back)
        .group_by(day, queue_log.c.queuename)
    )
    return [(int(d), str(qn), int(n)) for d, qn, n in c.execute(q)]


def restricted(report: Report, keys: Mapping[str, object] | Iterable[str]) -> Report:
    """A report with only the period keys given (to compare a window with `figures`)."""
    wanted = set(keys)
    return Report(
        report.period,
        {k: v for k, v in report.loops.items() if k[0] in wanted},
        {k: v for k, v in report.agents.items() if k[0] in wanted},
    )
