"""One AMI connection against recorded Asterisk traffic and against misbehaving peers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from switchboard.ami import actions
from switchboard.ami.actions import Action
from switchboard.ami.connection import AmiConnection
from switchboard.ami.errors import (
    ActionFailed,
    ActionTimeout,
    AuthenticationFailed,
    ConnectionLost,
    ProtocolError,
)
from switchboard.ami.events import (
    Event,
    FullyBooted,
    QueueEntry,
    QueueMember,
    QueueParams,
    RawEvent,
)
from switchboard.routing.queue_state import QueueState
from tests.support import transcripts
from tests.support.replay import ReplayServer
from tests.support.servers import sends, tcp_server


@asynccontextmanager
async def replayed(prefix: str) -> AsyncIterator[tuple[AmiConnection, list[Event], ReplayServer]]:
    events: list[Event] = []
    async with ReplayServer(transcripts.load(prefix)) as server:
        conn = await AmiConnection.open("127.0.0.1", server.port, events.append, timeout=2)
        reader = asyncio.create_task(conn.read_loop())
        try:
            yield conn, events, server
        finally:
            conn.close()
            await reader


def recorded(prefix: str, index: int) -> Action:
    """The index-th action of a recording, to be sent again by our client."""
    fields = transcripts.load(prefix).sent_actions()[index]
    name = fields.pop("Action")
    fields.pop("ActionID")
    return Action(name, tuple(fields.items()), is_list=name in ("QueueStatus", "QueueSummary"))


async def test_a_wrong_secret_is_a_clear_authentication_error() -> None:
    async with replayed("08") as (conn, _, _):
        with pytest.raises(
            AuthenticationFailed, match="refused login for user 'router': Authentication failed"
        ):
            await conn.login("router", "wrong", timeout=3)


async def test_login_then_member_actions_report_asterisks_own_errors() -> None:
    async with replayed("02") as (conn, events, _):
        await conn.login("router", "router-secret", timeout=2)
        added = await conn.send(recorded("02", 1), timeout=2)
        assert added.response["Message"] == "Added interface to queue"
        with pytest.raises(ActionFailed, match="Already there") as again:
            await conn.send(recorded("02", 2), timeout=2)
        assert again.value.message == "Unable to add interface: Already there"
        for index in range(3, 9):
            await conn.send(recorded("02", index), timeout=2)
        with pytest.raises(ActionFailed, match="Not there"):
            await conn.send(recorded("02", 9), timeout=2)
        assert any(isinstance(e, FullyBooted) for e in events)


async def test_a_list_action_completes_at_event_list_complete_with_its_items() -> None:
    async with replayed("04") as (conn, _, _):
        await conn.login("router", "router-secret", timeout=2)
        pong = await conn.send(actions.ping(), timeout=2)
        assert pong.response["Ping"] == "Pong"
        for index in range(2, 8):  # CoreSettings .. Originate
            await conn.send(recorded("04", index), timeout=2)
        status = await conn.send(actions.queue_status("loop2"), timeout=2)
        kinds = [type(i) for i in status.items]
        assert kinds == [QueueParams, QueueMember, QueueEntry]
        entry = status.items[2]
        assert isinstance(entry, QueueEntry)
        assert entry.caller_name == "Carol Waiting"
        for index in range(9, 11):
            await conn.send(recorded("04", index), timeout=2)
        for index, message in [
            (11, "Interface not found"),
            (12, "Interface not found"),
            (13, "No such queue"),
            (14, "'Interface' not specified."),
            (15, "Invalid/unknown command: NoSuchAction"),
        ]:
            with pytest.raises(ActionFailed, match=message):
                await conn.send(recorded("04", index), timeout=2)
        empty = await conn.send(recorded("04", 16), timeout=2)
        assert empty.items == ()


async def test_an_unanswered_action_times_out_at_its_deadline() -> None:
    async with tcp_server(sends(b"", then_close=False)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, lambda e: None, timeout=2)
        reader = asyncio.create_task(conn.read_loop())
        with pytest.raises(ActionTimeout, match=r"Ping .* within 0\.2 s"):
            await conn.send(actions.ping(), timeout=0.2)
        with pytest.raises(ConnectionLost, match="did not answer Ping"):
            await conn.keepalive(interval=0.01, deadline=0.2)
        assert conn.closed
        await reader


async def test_a_malformed_frame_is_skipped_and_the_stream_goes_on() -> None:
    good = b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
    events: list[Event] = []
    async with tcp_server(sends(good + b"this is not ami\r\n\r\n" + good, then_close=True)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, events.append, timeout=2)
        ended = await conn.read_loop()
    assert "closed the connection" in str(ended)
    assert [type(e) for e in events] == [FullyBooted, FullyBooted]
    assert conn.stats.malformed_frames == 1


async def test_an_unknown_event_is_kept_raw() -> None:
    events: list[Event] = []
    async with tcp_server(sends(b"Event: BrandNewThing\r\nX: 1\r\n\r\n", then_close=True)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, events.append, timeout=2)
        await conn.read_loop()
    assert events == [RawEvent("BrandNewThing", {"Event": "BrandNewThing", "X": "1"})]


async def test_actions_pending_when_the_connection_drops_fail_and_are_not_kept() -> None:
    async with tcp_server(sends(b"", then_close=False)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, lambda e: None, timeout=2)
        reader = asyncio.create_task(conn.read_loop())
        pause = actions.queue_pause("loop1", "PJSIP/1", True, "x")
        pending = asyncio.create_task(conn.send(pause, timeout=5))
        await asyncio.sleep(0.05)
        conn.close()
        with pytest.raises(ConnectionLost):
            await pending
        with pytest.raises(ConnectionLost):
            await conn.send(actions.ping(), timeout=1)
        await reader


async def test_a_peer_that_is_not_asterisk_is_refused() -> None:
    async def http(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\n")
        await writer.drain()

    async with tcp_server(http) as port:
        with pytest.raises(ProtocolError, match="not an Asterisk manager"):
            await AmiConnection.open("127.0.0.1", port, lambda e: None, timeout=2)


async def test_recorded_traffic_through_the_client_builds_the_loop_state() -> None:
    state = QueueState()
    async with ReplayServer(transcripts.load("03")) as server:
        conn = await AmiConnection.open(
            "127.0.0.1", server.port, lambda e: state.apply(e, 0.0), timeout=2
        )
        reader = asyncio.create_task(conn.read_loop())
        await conn.login("router", "router-secret", timeout=2)
        for index in range(1, len(transcripts.load("03").sent_actions())):
            await conn.send(recorded("03", index), timeout=15)
        await reader  # Asterisk closes after Logoff
    counters = state.loops["loop2"].counters
    assert (counters.offered, counters.answered, counters.abandoned) == (1, 0, 1)
    member = state.loops["loop2"].members["Local/agent2@agents/n"]
    assert (member.paused, member.paused_reason) == (False, "Ready")


async def test_an_oversized_message_is_skipped_up_to_its_end_and_the_next_one_read() -> None:
    good = b"Event: FullyBooted\r\nPrivilege: system,all\r\nStatus: Fully Booted\r\n\r\n"
    huge = b"Event: VarSet\r\nValue: " + b"x" * (1 << 21) + b"\r\n\r\n"
    events: list[Event] = []
    async with tcp_server(sends(good + huge + good, then_close=True)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, events.append, timeout=2)
        await conn.read_loop()
    assert [type(e) for e in events] == [FullyBooted, FullyBooted]
    assert conn.stats.malformed_frames == 1


async def test_messages_split_anywhere_across_reads_arrive_whole() -> None:
    stream = transcripts.load("01").recv.removeprefix(transcripts.BANNER)

    async def trickle(_r: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(transcripts.BANNER)
        for at in range(0, len(stream), 7):  # 7 bytes at a time: boundaries fall mid-CRLF
            writer.write(stream[at : at + 7])
            await writer.drain()
            await asyncio.sleep(0)

    whole: list[Event] = []
    async with tcp_server(sends(stream, then_close=True)) as port:
        conn = await AmiConnection.open("127.0.0.1", port, whole.append, timeout=2)
        await conn.read_loop()
    trickled: list[Event] = []
    async with tcp_server(trickle) as port:
        conn = await AmiConnection.open("127.0.0.1", port, trickled.append, timeout=2)
        await conn.read_loop()
    assert len(whole) > 100
    assert trickled == whole


def test_an_unmodelled_event_known_by_name_splits_its_fields_when_asked() -> None:
    event = RawEvent.unparsed("VarSet", "Event: VarSet\r\nVariable: X\r\nValue: 1")
    assert event.name == "VarSet"
    assert event.fields == {"Event": "VarSet", "Variable": "X", "Value": "1"}
    assert event == RawEvent("VarSet", {"Event": "VarSet", "Variable": "X", "Value": "1"})
