"""The boundary heap and the meeting cache answer exactly as the plain scans do."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from switchboard.presence.busy import BusyInterval, busy_at, next_boundary
from switchboard.routing.boundaries import BoundaryIndex, MeetingCache, moments

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


intervals = st.lists(
    st.tuples(st.integers(0, 600), st.integers(1, 120)).map(
        lambda p: BusyInterval(at(p[0]), at(p[0] + p[1]))
    ),
    max_size=6,
).map(tuple)
calendars = st.dictionaries(st.sampled_from([f"a{i}" for i in range(8)]), intervals, max_size=8)


@settings(max_examples=200, deadline=None)
@given(calendars, st.lists(st.integers(0, 800), min_size=1, max_size=12))
def test_the_heap_wakes_at_the_same_moments_and_for_the_same_agents_as_a_full_scan(
    busy: dict[str, tuple[BusyInterval, ...]], steps: list[int]
) -> None:
    index: BoundaryIndex[str] = BoundaryIndex()
    start = at(-1)
    for agent, spans in busy.items():
        index.replace(agent, moments(spans), start)
    now = start
    for step in sorted(steps):
        later = at(step)
        expected_next = next_boundary((i for s in busy.values() for i in s), now)
        got = index.next_at()
        assert got == (expected_next.timestamp() if expected_next else None)
        due = index.pop_due(later)
        crossing = {
            agent for agent, spans in busy.items() if any(now < t <= later for t in moments(spans))
        }
        assert due == crossing
        now = later


def test_replacing_an_agents_moments_forgets_the_old_ones() -> None:
    index: BoundaryIndex[str] = BoundaryIndex()
    index.replace("anne", [at(10), at(20)], at(0))
    index.replace("anne", [at(30)], at(0))  # the meeting moved
    assert index.next_at() == at(30).timestamp()
    assert index.pop_due(at(25)) == set()
    assert index.pop_due(at(30)) == {"anne"}
    assert index.next_at() is None


def test_moments_already_past_are_not_kept() -> None:
    index: BoundaryIndex[str] = BoundaryIndex()
    index.replace("anne", [at(1), at(2)], at(5))
    assert index.next_at() is None
    assert len(index) == 0


def test_many_replacements_do_not_grow_the_heap_without_bound() -> None:
    index: BoundaryIndex[str] = BoundaryIndex()
    for n in range(10_000):
        index.replace("anne", [at(100 + n % 7)], at(0))
    assert len(index) < 200


@settings(max_examples=200, deadline=None)
@given(intervals, st.lists(st.integers(-10, 800), min_size=1, max_size=20))
def test_the_meeting_cache_gives_busy_at_for_any_sequence_of_moments(
    spans: tuple[BusyInterval, ...], minutes: list[int]
) -> None:
    cache = MeetingCache()
    for m in minutes:
        assert cache.meeting("anne", spans, at(m)) == busy_at(spans, at(m))


def test_the_meeting_cache_works_only_when_the_window_is_left_or_intervals_change() -> None:
    cache = MeetingCache()
    spans = (BusyInterval(at(60), at(120)),)
    for m in range(0, 60, 5):  # before the meeting: one answer, worked out once
        assert cache.meeting("anne", spans, at(m)) is None
    assert cache.computed == 1
    assert cache.meeting("anne", spans, at(90)) == spans[0]
    assert cache.computed == 2
    moved = (BusyInterval(at(30), at(120)),)
    assert cache.meeting("anne", moved, at(40)) == moved[0]
    assert cache.computed == 3
