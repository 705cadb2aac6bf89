"""Typed events from what Asterisk 22 actually sends."""

from switchboard.ami.events import (
    AgentConnect,
    AgentRingNoAnswer,
    DeviceStatus,
    QueueCallerAbandon,
    QueueMember,
    QueueMemberPause,
    RawEvent,
    decode_event,
)
from tests.support import transcripts


def _events(prefix: str) -> list[object]:
    return [decode_event(f) for f in transcripts.load(prefix).fields() if "Event" in f]


def test_every_recorded_event_decodes_without_error() -> None:
    for name in transcripts.names():
        for event in _events(name[:2]):
            assert not (isinstance(event, RawEvent) and event.error), event


def test_events_the_router_does_not_model_stay_raw_with_their_fields() -> None:
    varsets = [e for e in _events("01") if isinstance(e, RawEvent) and e.name == "VarSet"]
    assert varsets
    assert "Variable" in varsets[0].fields


def test_queue_status_items_say_name_and_location_but_decode_like_member_events() -> None:
    member = next(e for e in _events("04") if isinstance(e, QueueMember))
    assert member.name == "Agent One"
    assert member.interface == "Local/agent1@agents/n"
    assert member.state_interface == "Custom:agent1"


def test_ring_time_is_seconds_whatever_unit_asterisk_used() -> None:
    no_answer = next(e for e in _events("07") if isinstance(e, AgentRingNoAnswer))
    connect = next(e for e in _events("01") if isinstance(e, AgentConnect))
    assert no_answer.ring_time_s == 10.0  # sent as RingTime: 10000 (ms)
    assert connect.ring_time_s == 1.0  # sent as RingTime: 1 (s)


def test_pause_and_unpause_are_one_event_and_the_reason_survives_unpause() -> None:
    pauses = [e for e in _events("02") if isinstance(e, QueueMemberPause)]
    assert [(p.paused, p.paused_reason) for p in pauses[:2]] == [
        (True, "Lunch break"),
        (False, "Back from lunch"),
    ]
    assert pauses[0].status is DeviceStatus.NOT_INUSE


def test_abandon_carries_hold_time_and_positions() -> None:
    abandon = next(e for e in _events("03") if isinstance(e, QueueCallerAbandon))
    assert abandon.queue == "loop2"
    assert abandon.original_position == 1
    assert abandon.hold_time_s >= 7


def test_a_malformed_value_gives_a_raw_event_with_a_reason_not_an_exception() -> None:
    fields = dict(transcripts.load("03").fields()[0])
    join = next(f for f in transcripts.load("03").fields() if f.get("Event") == "QueueCallerJoin")
    broken = {**join, "Position": "first"}
    event = decode_event(broken)
    assert isinstance(event, RawEvent)
    assert "QueueCallerJoin" in event.error
    assert "first" not in event.error
    missing = {k: v for k, v in join.items() if k != "Queue"}
    assert "lacks field Queue" in decode_event(missing).error  # type: ignore[union-attr]
    assert fields  # the transcript itself was not modified


def test_ivr_steps_and_callback_requests_decode_from_user_events() -> None:
    from switchboard.ami.events import CallbackRequested, IvrStep, decode_event

    block = {"Channel": "PJSIP/trunk-1", "Uniqueid": "1.2", "Linkedid": "1.1"}
    step = decode_event(
        {"Event": "UserEvent", **block, "CallerIDNum": "+4790595313", "UserEvent": "SwitchboardIvr",
         "Step": "choice", "Digit": "9", "Loop": "english", "Language": "en"}
    )  # fmt: skip
    assert step == IvrStep(
        "PJSIP/trunk-1", "1.2", "1.1", "+4790595313", "choice", "9", "english", "en"
    )
    request = decode_event(
        {"Event": "UserEvent", **block, "UserEvent": "SwitchboardCallback", "Ref": "482913",
         "Loop": "loop1", "Number": "+4790595313"}
    )  # fmt: skip
    assert isinstance(request, CallbackRequested)
    assert request.ref == "482913"
    other = decode_event({"Event": "UserEvent", **block, "UserEvent": "SomethingElse"})
    assert type(other).__name__ == "RawEvent"


def test_agent_complete_without_the_callers_channel_still_decodes() -> None:
    # Seen from a real Asterisk 22.9 when the caller's channel was already gone.
    from switchboard.ami.events import AgentComplete, decode_event

    event = decode_event(
        {"Event": "AgentComplete", "Queue": "loop1", "Interface": "Local/agent1@agents/n",
         "MemberName": "Agent One", "HoldTime": "3", "TalkTime": "2", "Reason": "agent"}
    )  # fmt: skip
    assert isinstance(event, AgentComplete)
    assert (event.member_name, event.channel) == ("Agent One", "")
