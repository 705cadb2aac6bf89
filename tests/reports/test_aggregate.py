"""A report counted by the database equals the fold of its lines (`figures`), over random
days across a change of the clock, in SQLite and in a real PostgreSQL; and a window covers
only the periods asked for."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from switchboard.reports import store
from switchboard.reports.aggregate import report_of
from switchboard.reports.figures import Period, PromiseOutcome, Report
from switchboard.reports.window import window_ending
from tests.reports.fold import figures

OSLO = ZoneInfo("Europe/Oslo")
QUEUES = ("loop1", "loop2", "loop3")
# Numbers as app_queue writes them, and what a damaged line might hold instead.
ODD_NUMBERS = ("", "abc", "1234567890", "-3", " 7", "²")


def random_log(rng: random.Random, start: datetime, days: int, calls: int) -> list[str]:
    """queue_log lines of `calls` random calls over `days` from `start`, in time order."""
    rows: list[tuple[int, str]] = []
    base = int(start.timestamp())

    def add(t: int, callid: str, queue: str, agent: str, verb: str, *data: object) -> None:
        rows.append((t, "|".join([str(t), callid, queue, agent, verb, *map(str, data)])))

    for n in range(calls):
        t = base + rng.randrange(days * 86400)
        callid = f"17{n:08d}.{n}"
        queue = rng.choice(QUEUES)
        agent = rng.choice(("Anne Aas", "Bjørn Berg", "Cari Dahl"))
        add(t, callid, queue, "NONE", "ENTERQUEUE", "", f"+47{rng.randrange(10**8)}", 1)
        wait = rng.randrange(120)
        odd = rng.random() < 0.05
        hold = rng.choice(ODD_NUMBERS) if odd else wait
        fate = rng.random()
        if fate < 0.55:
            add(t + wait, callid, queue, agent, "CONNECT", hold, "PJSIP/x", 3)
            verb = rng.choice(("COMPLETEAGENT", "COMPLETECALLER"))
            talk = rng.choice(ODD_NUMBERS) if odd else rng.randrange(900)
            add(t + wait + 60, callid, queue, agent, verb, wait, talk, 1)
        elif fate < 0.7:
            add(t + wait, callid, queue, "NONE", "ABANDON", 1, 1, wait)
        elif fate < 0.8:  # redirected: app_queue logs ABANDON, then the next queue's entry
            add(t + wait, callid, queue, "NONE", "ABANDON", 1, 1, wait)
            later = rng.choice((0, 0, 5))  # often within the same second
            add(t + wait + later, callid, rng.choice(QUEUES), "NONE", "ENTERQUEUE", "", "", 1)
        else:
            verb = rng.choice(("EXITWITHTIMEOUT", "EXITEMPTY", "EXITWITHKEY", "WITHDRAW"))
            add(t + wait, callid, queue, "NONE", verb, 1, 1, wait)
    add(base, "NONE", "NONE", "NONE", "QUEUESTART", "")
    return [text + "\n" for _, text in sorted(rows, key=lambda r: r[0])]


def without_empty(report: Report) -> Report:
    """Loops with nothing counted left out (`figures` opens one for a line it skips)."""
    loops = {k: f for k, f in report.loops.items() if any(
        (f.offered, f.answered, f.abandoned, f.moved_on, f.promises_due)
    )}  # fmt: skip
    return Report(report.period, loops, dict(report.agents))


@pytest.mark.parametrize("period", list(Period))
def test_the_database_counts_what_the_fold_of_the_lines_counts(
    engine: Engine, tmp_path: Path, period: Period
) -> None:
    rng = random.Random(f"aggregate-{period}")
    # Across the end of summer time (2026-10-25 03:00 -> 02:00 in Oslo) and a quarter's end.
    start = datetime(2026, 9, 20, tzinfo=OSLO)
    log = tmp_path / "queue_log"
    log.write_text("".join(random_log(rng, start, 60, 3000)))
    store.ingest_file(engine, log)
    lines = store.lines(engine)
    moved = {(ln.callid, ln.queue, ln.time) for ln in lines if ln.verb == "ABANDON"}
    store.save_moved(engine, rng.sample(sorted(moved), 40))
    callbacks = rng.sample(sorted({ln.callid for ln in lines}), 60)
    outcomes = []
    for k in range(200):
        asked = start + timedelta(hours=rng.randrange(60 * 24))
        due = asked + timedelta(days=2)
        done = rng.choice((None, due - timedelta(hours=3), due + timedelta(hours=3)))
        call = callbacks[k] if k < len(callbacks) else ""  # the call it was asked on
        loop = rng.choice(QUEUES)
        outcomes.append(PromiseOutcome(f"{k:08d}", "callback", loop, asked, due, done, call))
    store.save_outcomes(engine, outcomes)
    now = start + timedelta(days=40)
    loop_of = {"loop1": "insurance", "loop2": "pay"}.get

    def loop_of_queue(queue: str) -> str:
        return loop_of(queue) or queue

    everything = figures(
        store.lines(engine), store.outcomes(engine), period, OSLO,
        loop_of_queue=loop_of_queue, callback_calls=frozenset(callbacks),
        moved_calls=store.moved_calls(engine), now=now,
    )  # fmt: skip
    for last_day in (date(2026, 10, 1), date(2026, 10, 26), date(2026, 11, 15)):
        window = window_ending(period, last_day, OSLO)
        counted = report_of(engine, window, loop_of_queue=loop_of_queue, now=now)
        keys = set(window.keys())
        expected = Report(
            period,
            {k: f for k, f in everything.loops.items() if k[0] in keys},
            {k: a for k, a in everything.agents.items() if k[0] in keys},
        )
        assert without_empty(counted) == without_empty(expected)
        assert {k for k, _ in counted.loops} <= keys


def test_a_window_is_whole_periods_ending_with_the_day_asked_for() -> None:
    days = window_ending(Period.DAY, date(2026, 10, 26), OSLO)
    assert days.keys() == [f"2026-10-{d}" for d in range(20, 27)]
    weeks = window_ending(Period.WEEK, date(2026, 10, 26), OSLO, count=2)
    assert weeks.keys() == ["2026-W43", "2026-W44"]
    assert weeks.start == datetime(2026, 10, 19, tzinfo=OSLO)
    quarters = window_ending(Period.QUARTER, date(2026, 12, 7), OSLO)
    assert quarters.keys() == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert quarters.earlier() == date(2025, 12, 31)
    assert quarters.later() == date(2027, 1, 1)


def test_a_period_runs_from_local_midnight_to_local_midnight_across_a_clock_change() -> None:
    week = window_ending(Period.DAY, date(2026, 10, 26), OSLO, count=2)
    (sunday, a, b), (monday, _, d) = week.periods()
    assert (sunday, monday) == ("2026-10-25", "2026-10-26")
    assert b - a == 25 * 3600  # summer time ends: the day has 25 hours
    assert a == int(datetime(2026, 10, 24, 22, 0, tzinfo=UTC).timestamp())
    assert d - b == 24 * 3600
