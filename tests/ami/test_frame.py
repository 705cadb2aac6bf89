"""The AMI wire format, as Asterisk 22 writes it."""

import pytest

from switchboard.ami.frame import FrameError, encode_message, parse_message
from tests.support import transcripts


def test_a_recorded_event_keeps_field_order_and_empty_values() -> None:
    first_join = next(
        m for m in transcripts.load("01").messages() if m.startswith(b"Event: QueueCallerJoin")
    )
    fields = parse_message(first_join)
    assert list(fields)[:3] == ["Event", "Privilege", "Channel"]
    assert fields["AccountCode"] == ""
    assert fields["Queue"] == "loop1"


def test_every_recorded_message_parses() -> None:
    for name in transcripts.names():
        for message in transcripts.load(name[:2]).messages():
            assert parse_message(message)


def test_a_key_with_no_value_and_no_space_is_tolerated() -> None:
    assert parse_message(b"Event: X\r\nAccountCode:\r\n\r\n") == {"Event": "X", "AccountCode": ""}


def test_a_broken_line_is_reported_by_number_without_echoing_its_content() -> None:
    with pytest.raises(FrameError, match="line 2") as bad:
        parse_message(b"Event: QueueCallerJoin\r\nfodselsnummer 01017012345\r\n\r\n")
    assert "01017012345" not in str(bad.value)


def test_an_empty_message_is_an_error() -> None:
    with pytest.raises(FrameError, match="empty"):
        parse_message(b"\r\n\r\n")


def test_encoding_refuses_a_value_that_would_inject_another_header() -> None:
    with pytest.raises(FrameError, match="line break"):
        encode_message([("Reason", "Lunch\r\nAction: Logoff")])
    assert encode_message([("Action", "Ping")]) == b"Action: Ping\r\n\r\n"
