"""Busy intervals merge the way a person reads a calendar."""

from switchboard.presence.busy import busy_at, merge, next_boundary
from switchboard.presence.source import InMemoryPresence
from tests.routing.builders import at, meeting


def test_overlapping_and_back_to_back_meetings_merge_into_one_busy_span() -> None:
    merged = merge(
        [meeting("11:00", "12:00"), meeting("10:00", "11:00"), meeting("10:30", "10:45")]
    )
    assert merged == (meeting("10:00", "12:00"),)


def test_separate_meetings_stay_separate_and_sorted() -> None:
    assert merge([meeting("13:00", "14:00"), meeting("10:00", "11:00")]) == (
        meeting("10:00", "11:00"),
        meeting("13:00", "14:00"),
    )


def test_busy_at_and_the_next_boundary() -> None:
    spans = [meeting("10:00", "11:00"), meeting("11:00", "11:30")]
    assert busy_at(spans, at("11:10")) == meeting("10:00", "11:30")
    assert busy_at(spans, at("11:30")) is None
    assert next_boundary(spans, at("10:00")) == at("11:00")


def test_in_memory_presence_tells_its_listeners_about_a_new_meeting() -> None:
    presence = InMemoryPresence()
    told: list[int] = []
    presence.subscribe(lambda: told.append(1))
    presence.add("anne", meeting("10:00", "11:00"))
    presence.add("anne", meeting("10:30", "12:00"))
    assert presence.busy_intervals() == {"anne": (meeting("10:00", "12:00"),)}
    assert told == [1, 1]
