"""The reports agree with a hand count of Asterisk's own queue_log (the recorded run of
tests/data/ami-transcripts) and of a constructed day, in SQLite and in a real PostgreSQL."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from switchboard.reports import store
from switchboard.reports.aggregate import report_of
from switchboard.reports.export import page, to_csv
from switchboard.reports.figures import Period, PromiseOutcome
from switchboard.reports.tables import queue_log
from switchboard.reports.window import window_ending

RECORDED = Path(__file__).parents[1] / "data" / "ami-transcripts" / "queue_log.txt"
OSLO = ZoneInfo("Europe/Oslo")

# Counted by hand from queue_log.txt (39 lines, scenarios 01-10):
#   loop1: .1 CONNECT hold 1 talk 4; .19 RINGNOANSWER, CONNECT hold 13 talk 3
#   loop2: .5 ABANDON after 8 s (no later ENTERQUEUE: the caller hung up); .7 hold 3 talk 3
#   loop3: .15 hold 1 talk 4; .27 hold 1, COMPLETECALLER talk 1
#   switchboard: .11 hold 1 talk 4
# (period, loop): offered, answered, within 20 s, abandoned, moved on, p50, p90
HAND_COUNT = {
    ("2026-11-22", "loop1"): (2, 2, 2, 0, 0, 1, 13),
    ("2026-11-22", "loop2"): (2, 1, 1, 1, 0, 3, 3),
    ("2026-11-22", "loop3"): (2, 2, 2, 0, 0, 1, 1),
    ("2026-11-22", "switchboard"): (1, 1, 1, 0, 0, 1, 1),
}
AGENTS = {"Agent One": (2, 7), "Agent Two": (1, 3), "Agent Three": (2, 5), "Operator": (1, 4)}


def test_the_recorded_queue_log_gives_the_hand_count(engine: Engine, tmp_path: Path) -> None:
    copy = tmp_path / "queue_log"
    shutil.copy(RECORDED, copy)
    done = store.ingest_file(engine, copy, "asterisk-lab")
    assert (done.lines, done.bad) == (39, [])
    report = report_of(engine, window_ending(Period.DAY, date(2026, 11, 22), OSLO))
    got = {
        key: (f.offered, f.answered, f.within_service_level, f.abandoned, f.moved_on,
              f.percentile(50), f.percentile(90))
        for key, f in report.loops.items()
    }  # fmt: skip
    assert got == HAND_COUNT
    assert {a: (f.answered, f.talk_s) for (_, a), f in report.agents.items()} == AGENTS
    # Read again (a restart, or the next tail): nothing is counted twice.
    assert store.ingest_file(engine, copy, "asterisk-lab").lines == 0
    assert len(store.lines(engine)) == 39
    # The caller's number of ENTERQUEUE is not kept.
    with engine.connect() as c:
        kept = [tuple(r) for r in c.execute(select(queue_log))]
    assert "+15551230001" not in repr(kept)


def test_lines_appended_later_are_read_on_from_where_the_last_read_stopped(
    engine: Engine, tmp_path: Path
) -> None:
    text = RECORDED.read_text().splitlines(keepends=True)
    log = tmp_path / "queue_log"
    log.write_text("".join(text[:20]) + text[20].rstrip("\n"))  # the 21st still being written
    assert store.ingest_file(engine, log, "a").lines == 20
    log.write_text("".join(text[:22]) + "not|a queue_log line\n" + "".join(text[22:]))
    done = store.ingest_file(engine, log, "a")
    assert done.lines == 19
    assert done.bad == ["a: line 23: fewer than five |-separated fields"]
    assert len(store.lines(engine)) == 39


def day_log(start: int) -> str:
    """A constructed day for loop1/loop2 with every outcome once or more (hand-counted below).

    c1 answered after 5 s; c2 answered after 35 s (outside 20 s); c3 hangs up after 40 s;
    c4 times out of loop1 (EXITWITHTIMEOUT) and is answered in loop2 after 2 s; c5 is
    Redirected out of loop1 by the router (Asterisk logs ABANDON) into loop2 and hangs up
    there after 12 s; c6 presses the callback key (EXITWITHKEY); c7 is moved to the callback
    offer (ABANDON, its call id asked for a callback)."""
    t = start
    rows = [
        (t, "c1", "loop1", "NONE", "ENTERQUEUE", "", "+4790000001", "1"),
        (t + 5, "c1", "loop1", "Anne Aas", "CONNECT", "5", "c1b", "1"),
        (t + 65, "c1", "loop1", "Anne Aas", "COMPLETEAGENT", "5", "60", "1"),
        (t + 100, "c2", "loop1", "NONE", "ENTERQUEUE", "", "+4790000002", "1"),
        (t + 135, "c2", "loop1", "Anne Aas", "CONNECT", "35", "c2b", "1"),
        (t + 255, "c2", "loop1", "Anne Aas", "COMPLETECALLER", "35", "120", "1"),
        (t + 300, "c3", "loop1", "NONE", "ENTERQUEUE", "", "+4790000003", "1"),
        (t + 340, "c3", "loop1", "NONE", "ABANDON", "1", "1", "40"),
        (t + 400, "c4", "loop1", "NONE", "ENTERQUEUE", "", "+4790000004", "1"),
        (t + 520, "c4", "loop1", "NONE", "EXITWITHTIMEOUT", "1", "1", "120"),
        (t + 520, "c4", "loop2", "NONE", "ENTERQUEUE", "", "+4790000004", "1"),
        (t + 522, "c4", "loop2", "Bjørn Berg", "CONNECT", "2", "c4b", "1"),
        (t + 622, "c4", "loop2", "Bjørn Berg", "COMPLETEAGENT", "2", "100", "1"),
        (t + 700, "c5", "loop1", "NONE", "ENTERQUEUE", "", "+4790000005", "1"),
        (t + 760, "c5", "loop1", "NONE", "ABANDON", "1", "1", "60"),
        (t + 760, "c5", "loop2", "NONE", "ENTERQUEUE", "", "+4790000005", "1"),
        (t + 772, "c5", "loop2", "NONE", "ABANDON", "1", "1", "12"),
        (t + 800, "c6", "loop2", "NONE", "ENTERQUEUE", "", "+4790000006", "1"),
        (t + 830, "c6", "loop2", "NONE", "EXITWITHKEY", "5", "1", "1", "30"),
        (t + 900, "c7", "loop2", "NONE", "ENTERQUEUE", "", "+4790000007", "1"),
        (t + 990, "c7", "loop2", "NONE", "ABANDON", "1", "1", "90"),
    ]
    return "".join("|".join(str(x) for x in row) + "\n" for row in rows)


def test_a_constructed_day_gives_its_hand_count_and_the_promises_their_share(
    engine: Engine, tmp_path: Path
) -> None:
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=OSLO)
    log = tmp_path / "queue_log"
    log.write_text(day_log(int(monday.timestamp())))
    store.ingest_file(engine, log)
    due = monday + timedelta(days=2)
    store.save_outcomes(
        engine,
        [
            PromiseOutcome(  # asked on call c7 (its ABANDON: moved to the offer)
                "111111", "callback", "loop2", monday, due, due - timedelta(hours=1), "c7"
            ),
            PromiseOutcome("222222", "callback", "loop2", monday, due, due + timedelta(hours=1)),
            PromiseOutcome("12345674", "inquiry", "loop2", monday, due, None),  # overdue, open
            PromiseOutcome("23456781", "inquiry", "loop1", monday, due, due),  # on the minute
        ],
    )
    after = due + timedelta(days=1)
    week = window_ending(Period.WEEK, monday.date(), OSLO, count=1)
    report = report_of(engine, week, now=after)
    l1, l2 = report.loops[("2026-W48", "loop1")], report.loops[("2026-W48", "loop2")]
    # loop1: offered c1-c5 = 5; answered c1, c2; within 20 s: c1; abandoned: c3 (c5 moved);
    # moved on: c4 (timeout), c5 (redirect).
    assert (l1.offered, l1.answered, l1.within_service_level, l1.abandoned, l1.moved_on) == (
        5, 2, 1, 1, 2,
    )  # fmt: skip
    assert (l1.percentile(50), l1.percentile(90)) == (5, 35)
    # loop2: offered c4, c5, c6, c7 = 4; answered c4; abandoned c5 (hung up in loop2);
    # moved on: c6 (callback key), c7 (to the callback offer).
    assert (l2.offered, l2.answered, l2.within_service_level, l2.abandoned, l2.moved_on) == (
        4, 1, 1, 1, 2,
    )  # fmt: skip
    assert (l2.promises_due, l2.promises_kept, l1.promises_due, l1.promises_kept) == (3, 1, 1, 1)
    assert {a: (f.answered, f.talk_s) for (_, a), f in report.agents.items()} == {
        "Anne Aas": (2, 180),
        "Bjørn Berg": (1, 100),
    }
    quarter = report_of(engine, window_ending(Period.QUARTER, monday.date(), OSLO), now=after)
    assert set(quarter.loops) == {("2026-Q4", "loop1"), ("2026-Q4", "loop2")}

    # CSV and the page say the same, with no personal number anywhere.
    text = to_csv(report)
    assert "+4790000001" not in text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:7] == [
        "period", "loop", "offered", "answered", "within service level", "abandoned",
        "moved on",
    ]  # fmt: skip
    assert rows[1] == [
        "2026-W48", "loop1", "5", "2", "1", "1", "2", "5", "35", "1", "1", "1.000", "0.95",
    ]  # fmt: skip
    assert rows[2][:7] == ["2026-W48", "loop2", "4", "1", "1", "1", "2"]
    assert rows[2][9:12] == ["3", "1", "0.333"]
    norsk = page(report, week, "no")
    assert '<html lang="nb">' in norsk
    assert "Samtaler per sløyfe" in norsk
    assert "<svg" in norsk
    assert "<td>2026-W48</td><td>loop1</td><td>5</td><td>2</td><td>1</td><td>1</td>" in norsk
    assert "Calls per loop" in page(report, week, "en")
    assert 'href="/reports.csv?period=week&amp;end=2026-11-29&amp;count=1"' in norsk


def test_a_cell_that_would_be_a_formula_in_a_spreadsheet_is_quoted(engine: Engine) -> None:
    hostile = datetime(2026, 11, 23, 9, tzinfo=UTC)
    store.save_outcomes(
        engine, [PromiseOutcome("1", "callback", "=cmd|' /C calc'!A0", hostile, hostile, hostile)]
    )
    day = window_ending(Period.DAY, date(2026, 11, 23), OSLO, count=1)
    report = report_of(engine, day, now=hostile)
    assert "\r\n2026-11-23,'=cmd" in to_csv(report)
