"""The command line as a person uses it."""

import logging
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli import _logging, app
from switchboard.examples import EXAMPLE_CONFIG

EXAMPLE = str(EXAMPLE_CONFIG)
runner = CliRunner()


def test_check_config_shows_who_answers_each_loop() -> None:
    result = runner.invoke(app, ["check-config", EXAMPLE])
    assert result.exit_code == 0
    assert "1  loop1        Insurance and invoices (-111): 12 members" in result.output
    assert "no choice or invalid keys -> loop3" in result.output


def test_a_bad_config_exits_2_with_every_problem_listed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(EXAMPLE).read_text().replace('suffix: "-111"', 'suffix: "111"'))
    result = runner.invoke(app, ["check-config", str(bad)])
    assert result.exit_code == 2
    assert "loops[0].suffix" in result.output


def test_calendar_check_shows_busy_time_and_the_all_day_hint() -> None:
    result = runner.invoke(
        app, ["calendar", "check", "marit.haugen", "--config", EXAMPLE, "--hours", "2400"]
    )
    assert result.exit_code == 0, result.output
    assert "calendar ics:calendars/marit.haugen.ics [ok]" in result.output
    assert "10:00 - 12:00" in result.output  # the weekly finance meeting, Oslo time
    assert "is ignored: write it with clock times" in result.output
    assert "Course" not in result.output  # subjects are never shown


def test_calendar_check_for_an_agent_without_a_calendar() -> None:
    result = runner.invoke(app, ["calendar", "check", "liv.tangen", "--config", EXAMPLE])
    assert "has no calendar configured: never paused by one" in result.output


def test_calendar_check_for_an_unknown_agent() -> None:
    result = runner.invoke(app, ["calendar", "check", "nobody", "--config", EXAMPLE])
    assert result.exit_code == 2


def test_request_lines_with_callers_numbers_stay_out_of_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    _logging(verbose=True)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("httpx").info("HTTP Request: GET http://crm/members?phone=90595313")
    assert "90595313" not in caplog.text
