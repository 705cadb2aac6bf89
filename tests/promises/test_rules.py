"""The promise rules a front office recognises: take, hand back, done, a new date with a
reason, escalation up the levels, and the 95 % measure (kept by the first promised date)."""

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from switchboard.ivr.hours import OpeningHours, Span
from switchboard.promises import promise as rules
from switchboard.promises.escalation import due_escalations
from switchboard.promises.promise import Promise, PromiseError, PromiseKind, PromiseStatus
from switchboard.promises.reference import is_inquiry_reference, new_reference, reference_problem
from tests.promises.catalogue import RULES

OSLO = ZoneInfo("Europe/Oslo")
DAY = (Span(time(8, 30), time(12, 30)), Span(time(13, 0), time(16, 30)))
HOURS = OpeningHours((DAY,) * 5 + ((), ()), OSLO)
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=OSLO)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=OSLO)


def inquiry(**kw: object) -> Promise:
    base = Promise(
        "12345674", "", "loop1", MONDAY, WEDNESDAY, kind=PromiseKind.INQUIRY, topic="invoice",
        member_id="m1", created_by="anne",
    )  # fmt: skip
    return rules.registered(replace(base, **kw))  # type: ignore[arg-type]


def test_a_taken_inquiry_is_handed_over_and_closed_by_a_colleague() -> None:
    p = rules.take(inquiry(), "anne", MONDAY)
    with pytest.raises(PromiseError, match="someone else has taken that"):
        rules.take(p, "bjorn", MONDAY)
    with pytest.raises(PromiseError, match="someone else has taken that"):
        rules.close(p, "bjorn", MONDAY, "answered")
    p = rules.release(p, "anne", MONDAY)  # anne is off tomorrow: hand it over
    p = rules.take(p, "bjorn", MONDAY + timedelta(days=1))
    p = rules.close(p, "bjorn", MONDAY + timedelta(days=1), "Invoice credited, member told")
    assert p.status is PromiseStatus.DONE
    assert [(s.by, s.action) for s in p.steps] == [
        ("anne", "registered"), ("anne", "taken"), ("anne", "released"),
        ("bjorn", "taken"), ("bjorn", "done"),
    ]  # fmt: skip
    assert p.kept() is True


def test_an_open_inquiry_can_be_closed_without_taking_it_but_a_callback_cannot() -> None:
    assert rules.close(inquiry(), "dina", MONDAY, "answered by mail").status is PromiseStatus.DONE
    callback = rules.registered(Promise("482913", "+4790595313", "loop1", MONDAY, WEDNESDAY))
    with pytest.raises(PromiseError, match="take the callback before marking it done"):
        rules.close(callback, "anne", MONDAY)


def test_a_new_date_needs_a_reason_and_a_later_day_and_counts_as_not_kept() -> None:
    p = inquiry()
    with pytest.raises(PromiseError, match="give the reason"):
        rules.new_date(p, "anne", MONDAY, WEDNESDAY + timedelta(days=2), "  ")
    with pytest.raises(PromiseError, match="later than the one promised"):
        rules.new_date(p, "anne", MONDAY, WEDNESDAY - timedelta(hours=1), "waiting for payroll")
    later = rules.new_date(p, "anne", MONDAY, WEDNESDAY + timedelta(days=2), "waiting for payroll")
    assert later.due == WEDNESDAY + timedelta(days=2)
    assert later.first_due == WEDNESDAY  # what the caller was promised first
    assert later.steps[-1].detail == "waiting for payroll"
    done = rules.close(later, "anne", WEDNESDAY + timedelta(days=1), "paid")
    assert done.kept() is False  # the 95 % measure counts the first promise


def test_free_text_is_bounded_and_has_no_control_characters() -> None:
    assert rules.bounded("two\nlines\x1b[31m  here") == "two lines [31m here"
    with pytest.raises(PromiseError, match="keep it under 500 characters"):
        rules.bounded("x" * 501)


def test_overdue_inquiries_climb_one_level_at_a_time_and_stop_at_the_last() -> None:
    p = inquiry()
    assert due_escalations([p], RULES.catalogue, HOURS, WEDNESDAY) == []  # due, not overdue
    thursday = WEDNESDAY + timedelta(days=1)
    [first] = due_escalations([p], RULES.catalogue, HOURS, thursday)
    assert (first.level, first.name, first.inbox) == (1, "Fagavdeling økonomi", "fag@example.org")
    assert first.react_by == datetime(2026, 11, 27, 10, 0, tzinfo=OSLO)  # next working day
    p = rules.escalated(p, thursday, first.level, first.react_by, first.name)
    assert p.due == WEDNESDAY  # the caller's date stays; only the level's clock moved
    assert due_escalations([p], RULES.catalogue, HOURS, thursday) == []
    monday = datetime(2026, 11, 30, 9, 0, tzinfo=OSLO)
    [second] = due_escalations([p], RULES.catalogue, HOURS, monday)
    assert (second.level, second.name) == (2, "Avdelingsleder")
    p = rules.escalated(p, monday, 2, second.react_by, second.name)
    assert due_escalations([p], RULES.catalogue, HOURS, monday + timedelta(days=30)) == []
    assert p.is_overdue(monday)  # still shown red


def test_callbacks_and_done_inquiries_never_escalate() -> None:
    callback = rules.registered(Promise("482913", "+4790595313", "loop1", MONDAY, WEDNESDAY))
    done = rules.close(inquiry(), "anne", MONDAY, "answered")
    late = WEDNESDAY + timedelta(days=5)
    assert due_escalations([callback, done], RULES.catalogue, HOURS, late) == []


def test_references_have_a_check_digit_that_catches_typing_errors() -> None:
    import random

    refs = {new_reference(random.Random(seed)) for seed in range(200)}
    assert all(is_inquiry_reference(r) and len(r) == 8 for r in refs)
    ref = sorted(refs)[0]
    typo = ref[:3] + str((int(ref[3]) + 1) % 10) + ref[4:]
    assert reference_problem(typo) == (
        "that reference has a typing error (its check digit does not match)"
    )
    assert reference_problem(ref) == ""
    assert reference_problem("482913") == ""  # a callback's six digits
    assert reference_problem("12 34") == "a reference is digits only"
    assert reference_problem("1234") == "a reference has 6 (callback) or 8 (inquiry) digits"


def test_a_promise_done_late_is_not_kept_and_an_open_one_is_undecided() -> None:
    p = rules.take(inquiry(), "anne", MONDAY)
    assert p.kept() is None
    late = rules.close(p, "anne", WEDNESDAY + timedelta(minutes=1), "answered")
    assert late.kept() is False
