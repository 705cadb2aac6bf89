"""`switchboard reports-read` reads a queue_log backlog in, and `switchboard report` gives
the figures of a window as CSV, the same as /reports.csv."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.examples import EXAMPLE_CONFIG
from tests.reports.test_hand_count import RECORDED


def configured(tmp_path: Path) -> Path:
    log = tmp_path / "queue_log"
    shutil.copy(RECORDED, log)
    config = tmp_path / "sb.yaml"
    reports = f"{{database: 'sqlite:///{tmp_path / 'reports.db'}', queue_log: '{log}'}}"
    config.write_text(EXAMPLE_CONFIG.read_text() + f"\nreports: {reports}\n")
    return config


def test_a_backlog_is_read_in_and_reported_as_csv(tmp_path: Path) -> None:
    config = configured(tmp_path)
    read = CliRunner().invoke(app, ["reports-read", "-c", str(config)])
    assert read.exit_code == 0, read.output
    assert "read 39 queue_log line(s)" in read.output
    again = CliRunner().invoke(app, ["reports-read", "-c", str(config)])
    assert "read 0 queue_log line(s)" in again.output  # nothing twice

    out = tmp_path / "week.csv"
    args = ["report", "-c", str(config), "--period", "day", "--end", "2026-11-22", "-o", str(out)]
    made = CliRunner().invoke(app, args)
    assert made.exit_code == 0, made.output
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
    figures = {r[1]: r[2:7] for r in rows[1:] if len(r) > 7 and r[0] == "2026-11-22"}
    assert figures["loop2"] == ["2", "1", "1", "1", "0"]  # the hand count
    earlier = CliRunner().invoke(
        app, ["report", "-c", str(config), "--end", "2026-11-15", "--count", "3"]
    )
    assert earlier.exit_code == 0, earlier.output
    assert "2026-11-22" not in earlier.output  # only the window asked for


def test_a_wrong_period_end_or_count_is_one_clear_line(tmp_path: Path) -> None:
    config = configured(tmp_path)
    for args, said in (
        (["--period", "year"], "--period 'year': give day, week or quarter"),
        (["--end", "22.11.2026"], "--end '22.11.2026': give a date as YYYY-MM-DD"),
        (["--count", "0"], "--count 0: give one period or more"),
    ):
        got = CliRunner().invoke(app, ["report", "-c", str(config), *args])
        assert got.exit_code == 2
        assert said in got.output
