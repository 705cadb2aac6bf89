"""Counts made whole from Asterisk's QueueParams: what the events missed, and only that."""

from switchboard.routing.totals import AsteriskTotals, Correction

NONE: set[str] = set()


def started(completed: int = 10, abandoned: int = 4) -> AsteriskTotals:
    totals = AsteriskTotals()
    assert totals.snapshot(completed, abandoned, NONE, {}, NONE, NONE, NONE) == Correction()
    return totals


def test_the_first_snapshot_only_sets_the_baseline() -> None:
    started()


def test_calls_that_came_and_went_while_the_link_was_down_are_counted() -> None:
    totals = started()
    fix = totals.snapshot(12, 5, NONE, {}, NONE, NONE, NONE)
    assert fix == Correction(offered=3, answered=2, abandoned=1)


def test_what_the_events_showed_is_not_counted_twice() -> None:
    totals = started()
    totals.connected("PJSIP/201", "a", calls_taken=0)
    assert totals.completed_seen("PJSIP/201", "a") == Correction()
    totals.abandoned_seen()
    assert totals.snapshot(11, 5, NONE, {}, NONE, NONE, NONE) == Correction()


def test_a_caller_waiting_at_the_drop_and_answered_unseen_is_offered_once() -> None:
    totals = started()
    fix = totals.snapshot(11, 4, NONE, {}, {"a"}, NONE, NONE)  # "a" was waiting, now gone
    assert fix == Correction(answered=1)
    assert totals.completed_seen("PJSIP/201", "b") == Correction(offered=1, answered=1)


def test_one_who_timed_out_into_another_loop_is_not_called_abandoned() -> None:
    totals = started()
    fix = totals.snapshot(10, 5, NONE, {}, {"a"}, NONE, {"a"})  # "a" waits in loop3 now
    assert fix == Correction(timed_out=1)


def test_after_an_asterisk_restart_its_totals_count_from_zero() -> None:
    totals = started(completed=500, abandoned=80)
    assert totals.snapshot(2, 1, NONE, {}, NONE, NONE, NONE) == Correction(
        offered=3, answered=2, abandoned=1
    )


def test_an_answer_seen_whose_end_was_lost_is_not_a_second_answer() -> None:
    totals = started()
    totals.connected("PJSIP/201", "a", calls_taken=3)
    # Link down: the call ended (CallsTaken 4), Asterisk counted it completed.
    assert totals.snapshot(11, 4, NONE, {"PJSIP/201": 4}, NONE, NONE, NONE) == Correction()
