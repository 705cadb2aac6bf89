"""The loop model follows recorded Asterisk traffic."""

from switchboard.ami.events import (
    AgentConnect,
    DeviceStatus,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueEntry,
    decode_event,
)
from switchboard.routing.queue_state import Change, QueueState
from tests.support import transcripts


def _replay(prefix: str, state: QueueState | None = None) -> QueueState:
    state = state or QueueState()
    for fields in transcripts.load(prefix).fields():
        if "Event" in fields and "ActionID" not in fields:
            state.apply(decode_event(fields), now=1000.0)
    return state


def test_an_answered_call_is_counted_offered_and_answered() -> None:
    state = _replay("01")
    counters = state.loops["loop1"].counters
    assert (counters.offered, counters.answered, counters.abandoned) == (1, 1, 0)
    assert state.loops["loop1"].callers == {}


def test_a_caller_who_hangs_up_waiting_is_counted_abandoned_and_leaves() -> None:
    state = _replay("03")
    counters = state.loops["loop2"].counters
    assert (counters.offered, counters.answered, counters.abandoned) == (1, 0, 1)
    assert state.loops["loop2"].callers == {}


def test_member_events_track_pause_and_removal() -> None:
    state = _replay("02")
    assert "Local/agent4@agents/n" not in state.loops["loop2"].members


def test_a_snapshot_shows_members_and_the_caller_waiting() -> None:
    t = transcripts.load("04")
    items = [decode_event(f) for f in t.fields() if f.get("ActionID") == "04-009" and "Event" in f]
    state = QueueState()
    state.load_snapshot(items, now=1000.0)
    member = state.loops["loop2"].members["Local/agent2@agents/n"]
    assert (member.paused, member.paused_reason, member.status) == (
        True,
        "Coaching",
        DeviceStatus.NOT_INUSE,
    )
    (caller,) = state.loops["loop2"].callers.values()
    assert caller.caller_num == "+15551230003"
    assert caller.joined_at == 999.0  # waited 1 s when the snapshot was taken


def test_a_snapshot_replaces_members_but_keeps_the_counters() -> None:
    state = _replay("03")
    state.load_snapshot([], now=0.0)
    assert state.members() == {}
    assert state.loop("loop2").counters.abandoned == 1


def test_only_member_events_ask_for_a_reconcile() -> None:
    state = QueueState()
    kinds = {
        fields["Event"]: state.apply(decode_event(fields), 0.0)
        for fields in transcripts.load("07").fields()
        if "Event" in fields
    }
    assert kinds["QueueMemberPause"] is Change.MEMBERS
    assert kinds["QueueCallerJoin"] is Change.CALLERS
    assert kinds["VarSet"] is Change.NONE


def _join(queue: str, uid: str = "1.1") -> QueueCallerJoin:
    return QueueCallerJoin(queue, "Local/s@ivr-1;2", uid, uid, "+4790595313", "Kari", 1, 1)


def _abandon(queue: str, hold: int, uid: str = "1.1") -> QueueCallerAbandon:
    return QueueCallerAbandon(queue, "Local/s@ivr-1;2", uid, uid, "+4790595313", "Kari", 1, 1, hold)


def _connect(queue: str, hold: int, uid: str = "1.1") -> AgentConnect:
    return AgentConnect(queue, "Local/s@ivr-1;2", uid, uid, "+4790595313", "Kari",
                        "PJSIP/203", "Cari", "PJSIP/203-1", hold, 1.0)  # fmt: skip


def test_a_moved_callers_wait_counts_from_the_first_loop() -> None:
    state = QueueState(service_level_s=20)
    state.apply(_join("loop1"), 1000.0)
    state.note_moving("1.1", "loop1")
    state.apply(_abandon("loop1", 15), 1015.0)
    state.apply(_join("loop3"), 1015.0)
    assert state.loops["loop3"].callers["1.1"].waiting_since == 1000.0
    state.apply(_connect("loop3", 10), 1025.0)
    loop3 = state.loops["loop3"].counters
    assert (loop3.answered, loop3.answered_within_target, loop3.waits.total) == (1, 0, 25.0)
    assert state.loops["loop1"].counters.moved_on == 1


def test_a_caller_who_left_unseen_while_the_link_was_down_is_classified_at_the_snapshot() -> None:
    state = QueueState()
    state.apply(_join("loop1", "a"), 1000.0)
    state.apply(_join("loop1", "b"), 1000.0)
    state.apply(_abandon("loop1", 5, "a"), 1005.0)
    state.apply(_abandon("loop1", 5, "b"), 1005.0)
    again = QueueEntry("loop3", 1, "Local/s@ivr-2;2", "b", "+4790595313", "Kari", 1)
    state.load_snapshot([again], now=1010.0)  # b waits in loop3: its wait had run out
    c = state.loops["loop1"].counters
    assert (c.abandoned, c.timed_out, c.moved_on) == (1, 1, 0)
