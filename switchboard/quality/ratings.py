"""Callers' ratings after the call, kept by loop and ISO week only (never a caller's number,
never a call id): what seeds 002 and 004 measure as satisfaction."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import datetime
from pathlib import Path

from switchboard.ami.events import IvrStep

SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings (
    loop TEXT NOT NULL,
    week TEXT NOT NULL,      -- ISO week, e.g. 2026-W48
    score INTEGER NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (loop, week, score)
);
CREATE TABLE IF NOT EXISTS consents (
    loop TEXT NOT NULL,
    week TEXT NOT NULL,
    recorded INTEGER NOT NULL,  -- 1: the caller pressed yes; 0: no or no answer
    count INTEGER NOT NULL,
    PRIMARY KEY (loop, week, recorded)
);
"""


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


def consent_of(event: object) -> tuple[str, bool] | None:
    """(loop, recorded) of a consent step: recorded only when the caller pressed the key."""
    if not isinstance(event, IvrStep) or event.step != "consent" or not event.loop:
        return None
    return event.loop, event.digit != ""


def score_of(event: object, scale: int) -> tuple[str, int] | None:
    """(loop, score) of a rating step the dialplan sent, or None for anything else."""
    if not isinstance(event, IvrStep) or event.step != "rating" or not event.loop:
        return None
    if not event.digit.isdigit() or not 1 <= int(event.digit) <= scale:
        return None
    return event.loop, int(event.digit)


class RatingStore:
    """Counts per (loop, week, score) in SQLite; a count is all a rating leaves behind."""

    def __init__(self, path: str | Path) -> None:
        self.db = sqlite3.connect(str(path))
        self.db.executescript(SCHEMA)
        self.db.commit()

    def add(self, loop: str, score: int, at: datetime) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO ratings VALUES (?, ?, ?, 1) "
                "ON CONFLICT (loop, week, score) DO UPDATE SET count = count + 1",
                (loop, iso_week(at), score),
            )

    def add_consent(self, loop: str, recorded: bool, at: datetime) -> None:
        with self.db:
            self.db.execute(
                "INSERT INTO consents VALUES (?, ?, ?, 1) "
                "ON CONFLICT (loop, week, recorded) DO UPDATE SET count = count + 1",
                (loop, iso_week(at), int(recorded)),
            )

    def consents(self) -> list[tuple[str, str, int, int]]:
        """(loop, week, recorded, not recorded): how callers answered the recording question."""
        rows = self.db.execute(
            "SELECT loop, week, SUM(count * recorded), SUM(count * (1 - recorded)) "
            "FROM consents GROUP BY loop, week ORDER BY week, loop"
        )
        return [(str(a), str(b), int(c), int(d)) for a, b, c, d in rows]

    def weekly(self) -> list[tuple[str, str, int, float]]:
        """(loop, week, answers, mean score), oldest week first."""
        rows = self.db.execute(
            "SELECT loop, week, SUM(count), 1.0 * SUM(score * count) / SUM(count) "
            "FROM ratings GROUP BY loop, week ORDER BY week, loop"
        )
        return [(loop, week, int(n), round(float(mean), 2)) for loop, week, n, mean in rows]

    def counts(self) -> list[tuple[str, str, int, int]]:
        """(loop, week, score, count) for every score given."""
        rows = self.db.execute("SELECT loop, week, score, count FROM ratings ORDER BY 2, 1, 3")
        return [(str(a), str(b), int(c), int(d)) for a, b, c, d in rows]

    def close(self) -> None:
        self.db.close()


def export_csv(store: RatingStore, scale: int) -> str:
    """One row per loop and week: answers, mean, and how many gave each score."""
    by_week: dict[tuple[str, str], dict[int, int]] = {}
    for loop, week, score, count in store.counts():
        by_week.setdefault((loop, week), {})[score] = count
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["loop", "week", "answers", "mean", *(f"score_{s}" for s in range(1, scale + 1))]
    )
    for loop, week, answers, mean in store.weekly():
        scores = by_week.get((loop, week), {})
        writer.writerow(
            [loop, week, answers, f"{mean:.2f}", *(scores.get(s, 0) for s in range(1, scale + 1))]
        )
    return out.getvalue()
