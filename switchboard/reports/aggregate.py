"""The figures of a window, counted by the database (the definitions are in
reports.figures; tests/reports/fold.py folds the same from the lines one by one).

Each period of the window (from its first local midnight to the next period's) is one
range of `time`, and four grouped queries over it give its figures: calls per loop and
verb, answer times per loop as a histogram (so percentiles stay exact), answered calls and
talk time per agent, and the callers who hung up. An ABANDON counts as moved on when the
same call enters a queue later (any time later), when the router moved it, or when the
caller asked for a callback (the outcomes copied from the promises keep its call). What
comes back is a few rows per loop and agent; the same statements serve SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from switchboard.reports import store
from switchboard.reports.figures import (
    MOVED_VERBS,
    AgentFigures,
    LoopFigures,
    Report,
    period_of,
)
from switchboard.reports.tables import moved_call, promise_outcome, queue_log
from switchboard.reports.window import Window

COMPLETE_VERBS = ("COMPLETEAGENT", "COMPLETECALLER")
COUNTED_VERBS = ("ENTERQUEUE", "ABANDON", *sorted(MOVED_VERBS))


def report_of(
    engine: Engine,
    window: Window,
    *,
    service_level_s: int = 20,
    loop_of_queue: Callable[[str], str] = lambda q: q,
    now: datetime | None = None,
) -> Report:
    """The Report of the window's periods (what the fold of its lines gives for them)."""
    loops: dict[tuple[str, str], LoopFigures] = defaultdict(LoopFigures)
    agents: dict[tuple[str, str], AgentFigures] = defaultdict(AgentFigures)
    with engine.connect() as c:
        for key, start, end in window.periods():
            within = (queue_log.c.time >= start, queue_log.c.time < end)
            for queue, verb, n in _calls(c, within):
                f = loops[(key, loop_of_queue(queue))]
                if verb == "ENTERQUEUE":
                    f.offered += n
                else:  # an ABANDON too, until it proves a caller who hung up (below)
                    f.moved_on += n
            for queue, hold, n in _answer_times(c, within):
                f = loops[(key, loop_of_queue(queue))]
                f.answered += n
                f.answer_times[hold] += n
                f.within_service_level += n if hold <= service_level_s else 0
            for agent, verb, n, talk in _agents(c, within):
                a = agents[(key, agent)]
                if verb == "CONNECT":
                    a.answered += n
                else:
                    a.talk_s += talk
            for queue, n in _hung_up(c, within):
                f = loops[(key, loop_of_queue(queue))]
                f.moved_on -= n
                f.abandoned += n
    moment = now or datetime.now(UTC)
    for o in store.outcomes(engine, window.start, window.end):
        kept = o.kept()
        if kept is None and o.first_due >= moment:
            continue  # still open and not yet due: not decided
        k = (period_of(o.first_due, window.period, window.zone), o.loop)
        loops[k].promises_due += 1
        loops[k].promises_kept += bool(kept)
    return Report(window.period, dict(loops), dict(agents))


Within = tuple[ColumnElement[bool], ...]
A_QUEUE = queue_log.c.queuename.not_in(("", "NONE"))


def _calls(c: Connection, within: Within) -> list[tuple[str, str, int]]:
    q = (
        select(queue_log.c.queuename, queue_log.c.event, func.count())
        .where(*within, A_QUEUE, queue_log.c.event.in_(COUNTED_VERBS))
        .group_by(queue_log.c.queuename, queue_log.c.event)
    )
    return [(str(qn), str(e), int(n)) for qn, e, n in c.execute(q)]


def _answer_times(c: Connection, within: Within) -> list[tuple[str, int, int]]:
    q = (
        select(queue_log.c.queuename, queue_log.c.n1, func.count())
        .where(*within, A_QUEUE, queue_log.c.event == "CONNECT")
        .group_by(queue_log.c.queuename, queue_log.c.n1)
    )
    return [(str(qn), int(h), int(n)) for qn, h, n in c.execute(q)]


def _agents(c: Connection, within: Within) -> list[tuple[str, str, int, int]]:
    q = (
        select(queue_log.c.agent, queue_log.c.event, func.count(), func.sum(queue_log.c.n2))
        .where(*within, A_QUEUE, queue_log.c.event.in_(("CONNECT", *COMPLETE_VERBS)))
        .group_by(queue_log.c.agent, queue_log.c.event)
    )
    return [(str(a), str(e), int(n), int(t or 0)) for a, e, n, t in c.execute(q)]


def _hung_up(c: Connection, within: Within) -> list[tuple[str, int]]:
    """ABANDONs that no later ENTERQUEUE of the call, no move of the router and no callback
    asked for explains: callers who hung up."""
    later = queue_log.alias("later")  # (Core: the ORM is not loaded for this)
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
        select(queue_log.c.queuename, func.count())
        .where(*within, A_QUEUE, queue_log.c.event == "ABANDON")
        .where(~entered_later, ~moved, ~called_back)
        .group_by(queue_log.c.queuename)
    )
    return [(str(qn), int(n)) for qn, n in c.execute(q)]
