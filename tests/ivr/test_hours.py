"""Opening hours from the seeds: 08:30-12:30 and 13:00-16:30, Friday to 16:00, no holidays."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import holidays
import pytest

from switchboard.ivr.hours import (
    END_OF_DAY,
    OpeningHours,
    Span,
    callback_deadline,
    describe,
    is_open,
    next_change,
    parse_span,
)

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
FRIDAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 0)))
HOURS = OpeningHours(
    (DAY, DAY, DAY, DAY, FRIDAY, (), ()),
    OSLO,
    holidays.country_holidays("NO"),
    frozenset({date(2026, 12, 24)}),
)


def oslo(y: int, mo: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=OSLO)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (oslo(2026, 11, 23, 8, 29), False),  # Monday, a minute before opening
        (oslo(2026, 11, 23, 8, 30), True),
        (oslo(2026, 11, 23, 12, 30), False),  # lunch break
        (oslo(2026, 11, 23, 13, 0), True),
        (oslo(2026, 11, 23, 16, 29), True),
        (oslo(2026, 11, 23, 16, 30), False),
        (oslo(2026, 11, 27, 16, 15), False),  # Friday closes at 16:00
        (oslo(2026, 11, 28, 10, 0), False),  # Saturday
        (oslo(2026, 5, 14, 10, 0), False),  # Ascension Day, a Thursday
        (oslo(2026, 5, 17, 10, 0), False),  # Constitution Day (a Sunday anyway)
        (oslo(2026, 12, 24, 10, 0), False),  # the office's own closed day
        (oslo(2026, 12, 23, 10, 0), True),
    ],
)
def test_phones_are_answered_only_in_opening_hours(moment: datetime, expected: bool) -> None:
    assert is_open(HOURS, moment) is expected


def test_the_next_change_is_the_lunch_break_then_the_afternoon() -> None:
    assert next_change(HOURS, oslo(2026, 11, 23, 10, 0)) == oslo(2026, 11, 23, 12, 30)
    assert next_change(HOURS, oslo(2026, 11, 23, 12, 45)) == oslo(2026, 11, 23, 13, 0)


def test_after_friday_closing_the_next_opening_is_monday_morning() -> None:
    assert next_change(HOURS, oslo(2026, 11, 27, 16, 0)) == oslo(2026, 11, 30, 8, 30)


def test_over_easter_the_next_opening_skips_every_holiday() -> None:
    # Maundy Thursday 2 April to Easter Monday 6 April 2026 are public holidays.
    assert next_change(HOURS, oslo(2026, 4, 1, 16, 30)) == oslo(2026, 4, 7, 8, 30)


@pytest.mark.parametrize(
    ("requested", "due"),
    [
        (oslo(2026, 11, 23, 10, 0), oslo(2026, 11, 25, 10, 0)),  # Mon -> Wed, same time
        (oslo(2026, 11, 26, 15, 0), oslo(2026, 11, 30, 15, 0)),  # Thu -> Mon over a weekend
        (oslo(2026, 11, 25, 16, 10), oslo(2026, 11, 27, 16, 0)),  # Wed 16:10 -> Fri closes 16:00
        (oslo(2026, 11, 27, 17, 0), oslo(2026, 12, 2, 8, 30)),  # closed: counts from Mon 08:30
        (oslo(2026, 4, 1, 10, 0), oslo(2026, 4, 8, 10, 0)),  # Easter holidays skipped
        (oslo(2026, 12, 22, 11, 0), oslo(2026, 12, 28, 11, 0)),  # 24th closed, 25th/26th holidays
    ],
)
def test_a_callback_is_due_two_working_days_later(requested: datetime, due: datetime) -> None:
    assert callback_deadline(HOURS, requested, 2) == due


def test_hours_that_never_open_cannot_promise_a_callback() -> None:
    never = OpeningHours(((),) * 7, OSLO)
    with pytest.raises(ValueError, match="never open"):
        callback_deadline(never, oslo(2026, 11, 23, 10, 0))


def test_the_week_reads_as_people_write_it() -> None:
    week = describe(HOURS)
    assert week["mon"] == "08:30-12:30, 13:00-16:30"
    assert week["fri"] == "08:30-12:30, 13:00-16:00"
    assert week["sat"] == "closed"


# A 24/7 office writes 00:00-24:00: open every minute, midnight included.
ALWAYS = (Span(time(0, 0), END_OF_DAY),)
OPEN_ALWAYS = OpeningHours((ALWAYS,) * 7, OSLO)


@pytest.mark.parametrize(
    "moment",
    [oslo(2026, 11, 23, 23, 59), datetime(2026, 11, 23, 23, 59, 59, tzinfo=OSLO),
     oslo(2026, 11, 24, 0, 0), oslo(2026, 11, 28, 12, 0)],
)  # fmt: skip
def test_an_office_open_00_00_to_24_00_never_closes(moment: datetime) -> None:
    assert is_open(OPEN_ALWAYS, moment)
    assert next_change(OPEN_ALWAYS, moment, horizon_days=10) is None


def test_24_00_is_read_and_written_back_as_the_end_of_the_day() -> None:
    assert parse_span("00:00-24:00") == (time(0, 0), END_OF_DAY)
    assert describe(OPEN_ALWAYS)["sun"] == "00:00-24:00"


def test_an_evening_span_to_midnight_closes_at_midnight() -> None:
    evening = OpeningHours(((Span(time(18, 0), END_OF_DAY),),) * 5 + ((), ()), OSLO)
    assert is_open(evening, datetime(2026, 11, 27, 23, 59, 59, tzinfo=OSLO))  # a Friday
    assert next_change(evening, oslo(2026, 11, 27, 20, 0)) == oslo(2026, 11, 28, 0, 0)
