"""Fuzzing the AMI door (hypothesis): whatever bytes a peer sends, in whatever pieces, the
parser and the connection never raise, never hang, and lose no well-formed message.

The attack run sent 300,000 mutated frames; these properties keep that true in CI (profile
"ci"; SWITCHBOARD_FUZZ=long for the long run, see docs/security.md).
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.ami.client import MAX_RAW_EVENT_NAMES, AmiClient, AmiSettings
from switchboard.ami.connection import AmiConnection
from switchboard.ami.events import DECODERS, Event, RawEvent, decode_event
from switchboard.ami.frame import FrameError, encode_message, parse_message

pytestmark = pytest.mark.fuzz

# Keys and values as Asterisk writes them (no line breaks, no ": " inside a key).
keys = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,19}", fullmatch=True)
# What a reader can hand on: text decoded from UTF-8 (no lone surrogates), no line breaks.
values = st.text(
    st.characters(blacklist_categories=["Cs"], blacklist_characters="\r\n"), max_size=40
)
known_names = st.sampled_from(sorted(DECODERS))
field_lists = st.lists(st.tuples(keys, values), min_size=1, max_size=12)


@given(st.binary(max_size=2000))
def test_the_parser_takes_any_bytes_and_only_ever_refuses_with_a_frame_error(raw: bytes) -> None:
    try:
        fields = parse_message(raw)
    except FrameError as bad:
        problem = str(bad)  # it says what is wrong
        assert problem
    else:
        assert fields


@given(field_lists)
def test_a_well_formed_message_comes_back_as_it_was_sent(pairs: list[tuple[str, str]]) -> None:
    expected = dict(pairs)
    assert parse_message(encode_message(pairs)) == expected


@given(st.dictionaries(st.sampled_from(["Event", "Queue", "Interface", "MemberName",
       "Status", "Paused", "Penalty", "UserEvent", "Number", "Ref", "Loop", "Step", "Uniqueid",
       "Linkedid", "Channel", "Cause", "HoldTime", "RingTime", "ListItems"]), values),
       known_names)  # fmt: skip
def test_decoding_any_fields_never_raises(fields: dict[str, str], name: str) -> None:
    event = decode_event({**fields, "Event": name})
    if isinstance(event, RawEvent) and event.error:
        # The reason names the field, never the value (values may be personal data).
        assert all(v not in event.error for v in fields.values() if v.isdigit() and len(v) > 5)


class _Writer:
    def close(self) -> None: ...


def _connection(events: list[Event]) -> tuple[AmiConnection, asyncio.StreamReader]:
    reader = asyncio.StreamReader(limit=1 << 20)
    writer = cast(Any, _Writer())
    return AmiConnection(reader, writer, "11.0.0", events.append, "fuzz:0"), reader


def _run(pieces: list[bytes]) -> list[Event]:
    async def feed() -> list[Event]:
        events: list[Event] = []
        connection, reader = _connection(events)
        for piece in pieces:
            reader.feed_data(piece)
        reader.feed_eof()
        async with asyncio.timeout(5):  # never a hang
            await connection.read_loop()
        return events

    return asyncio.run(feed())


good = b"Event: Hangup\r\nChannel: PJSIP/1\r\nUniqueid: 1.1\r\nLinkedid: 1.1\r\nCause: 16\r\n\r\n"


@given(st.lists(st.binary(max_size=300), max_size=20), st.integers(0, 20))
def test_a_connection_survives_any_bytes_and_still_reads_the_next_good_message(
    junk: list[bytes], where: int
) -> None:
    # Junk first, then a message boundary, then a good message: the good one always arrives.
    pieces = [*junk, b"\r\n\r\n", good]
    events = _run(pieces)
    assert any(getattr(e, "uniqueid", None) == "1.1" and getattr(e, "cause", None) == 16
               for e in events)  # fmt: skip


@given(st.lists(st.integers(1, len(good) * 3), max_size=10))
def test_how_the_bytes_are_cut_into_reads_changes_nothing(cuts: list[int]) -> None:
    stream = good * 3
    pieces, start = [], 0
    for cut in sorted(set(cuts)):
        pieces.append(stream[start:cut])
        start = cut
    pieces.append(stream[start:])
    assert _run(pieces) == _run([stream])


@given(st.lists(st.from_regex(r"[A-Za-z]{1,30}", fullmatch=True), min_size=1, max_size=300))
def test_the_client_keeps_a_bounded_set_of_event_names(names: list[str]) -> None:
    settings = AmiSettings("127.0.0.1", 1, "u", "s")

    async def noop() -> None: ...

    client = AmiClient(settings, lambda _e: None, noop)
    for name in names:
        client._dispatch(decode_event({"Event": name}))
    assert len(client.raw_events) <= MAX_RAW_EVENT_NAMES + 1
    counts = client.event_counts()
    assert sum(counts.values()) == len(names)
