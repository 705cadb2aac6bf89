"""Callback requests: read from Asterisk's AstDB, promised within two working days, sealed."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from switchboard.ivr.hours import OpeningHours, Span
from switchboard.promises.callbacks import CallbackCounts, CallbackParseError, count, from_astdb
from switchboard.promises.promise import PromiseKind, PromiseStatus

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
HOURS = OpeningHours((DAY,) * 5 + ((), ()), OSLO)
MONDAY_10 = int(datetime(2026, 11, 23, 10, 0, tzinfo=OSLO).timestamp())


def test_an_astdb_entry_becomes_a_request_due_in_two_working_days() -> None:
    r = from_astdb("/sb-callback/482913", f"+4790595313|loop1|{MONDAY_10}|1795.7", HOURS, 2)
    assert (r.ref, r.number, r.loop, r.call_id) == ("482913", "+4790595313", "loop1", "1795.7")
    assert r.due == datetime(2026, 11, 25, 10, 0, tzinfo=OSLO)
    assert (r.status, r.kind) == (PromiseStatus.OPEN, PromiseKind.CALLBACK)
    assert r.promised == r.due  # the promise told to the caller, kept for the 95 % measure


@pytest.mark.parametrize(
    "value", ["+4790595313|loop1", "+4790595313|loop1|yesterday|1795.7", "a|b|c|d|e"]
)
def test_a_malformed_entry_is_refused_without_quoting_the_number(value: str) -> None:
    with pytest.raises(CallbackParseError) as refused:
        from_astdb("/sb-callback/482913", value, HOURS, 2)
    assert "90595313" not in str(refused.value)
    assert "/sb-callback/482913" in str(refused.value)


def test_ops_count_open_and_overdue_requests() -> None:
    early = from_astdb("/sb-callback/100001", f"+4790000001|loop1|{MONDAY_10}|1.1", HOURS, 2)
    late = from_astdb("/sb-callback/100002", f"+4790000002|loop2|{MONDAY_10 + 86400}|1.2", HOURS, 2)
    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=OSLO)
    assert count([early, late], thursday) == CallbackCounts(open=2, overdue=1)
