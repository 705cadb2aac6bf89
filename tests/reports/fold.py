"""The reference: the figures folded from queue_log lines one by one, in time order, as
the definitions in switchboard/reports/figures.py read. The database's count
(`reports.aggregate`) must equal it (tests/reports/test_aggregate.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from switchboard.reports.figures import (
    CALL_VERBS,
    MOVED_VERBS,
    AgentFigures,
    LoopFigures,
    Period,
    PromiseOutcome,
    Report,
    period_of,
)
from switchboard.reports.queue_log import QueueLogLine


def figures(
    lines: Iterable[QueueLogLine],
    outcomes: Iterable[PromiseOutcome],
    period: Period,
    zone: ZoneInfo,
    *,
    service_level_s: int = 20,
    loop_of_queue: Callable[[str], str] = lambda q: q,
    callback_calls: frozenset[str] = frozenset(),  # call ids that asked for a callback
    moved_calls: frozenset[tuple[str, str]] = frozenset(),  # (call id, queue) the router moved
    now: datetime | None = None,
) -> Report:
    lines = sorted(lines, key=lambda ln: ln.time)
    last_entry: dict[str, int] = {}  # call id -> position of its last ENTERQUEUE
    for i, ln in enumerate(lines):
        if ln.verb == "ENTERQUEUE":
            last_entry[ln.callid] = i
    loops: dict[tuple[str, str], LoopFigures] = defaultdict(LoopFigures)
    agents: dict[tuple[str, str], AgentFigures] = defaultdict(AgentFigures)
    for i, ln in enumerate(lines):
        if ln.queue in ("", "NONE") or ln.verb not in CALL_VERBS:
            continue
        when = period_of(datetime.fromtimestamp(ln.time, UTC), period, zone)
        key = (when, loop_of_queue(ln.queue))
        f = loops[key]
        if ln.verb == "ENTERQUEUE":
            f.offered += 1
        elif ln.verb == "CONNECT":
            hold = ln.number(0)
            f.answered += 1
            f.answer_times[hold] += 1
            f.within_service_level += hold <= service_level_s
            agents[(key[0], ln.agent)].answered += 1
        elif ln.verb in ("COMPLETEAGENT", "COMPLETECALLER"):
            agents[(key[0], ln.agent)].talk_s += ln.number(1)
        elif ln.verb == "ABANDON":
            moved = (
                ln.callid in callback_calls
                or (ln.callid, ln.queue) in moved_calls
                or last_entry.get(ln.callid, -1) > i
            )
            if moved:
                f.moved_on += 1
            else:
                f.abandoned += 1
        elif ln.verb in MOVED_VERBS:
            f.moved_on += 1
    moment = now or datetime.now(UTC)
    for o in outcomes:
        kept = o.kept()
        if kept is None and o.first_due >= moment:
            continue  # still open and not yet due: not decided
        key = (period_of(o.first_due, period, zone), o.loop)
        loops[key].promises_due += 1
        loops[key].promises_kept += bool(kept)
    return Report(period, dict(loops), dict(agents))
