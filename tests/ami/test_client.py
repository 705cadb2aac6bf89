"""The client keeps a live connection, reconnects with backoff, and never replays actions."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import pytest

from switchboard.ami import actions
from switchboard.ami.client import (
    MAX_RAW_EVENT_NAMES,
    OTHER_EVENTS,
    AmiClient,
    backoff_delay,
)
from switchboard.ami.errors import ConnectionLost, NotConnected
from switchboard.ami.events import Event
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


@pytest.mark.parametrize(
    ("attempt", "jitter", "expected"),
    [
        (0, 0.0, 0.25),
        (0, 0.999, 0.49975),
        (1, 0.0, 0.5),
        (3, 1.0, 4.0),
        (10, 0.0, 15.0),
        (99, 1.0, 30.0),
    ],
)
def test_backoff_doubles_up_to_a_cap_with_jitter(
    attempt: int, jitter: float, expected: float
) -> None:
    assert backoff_delay(attempt, 0.5, 30.0, jitter) == pytest.approx(expected)


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.connects = 0

    async def on_connected(self) -> None:
        self.connects += 1


@contextlib.asynccontextmanager
async def running(client: AmiClient) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(client.run())
    try:
        yield task
    finally:
        await client.stop()
        await asyncio.wait_for(task, 2)


async def test_after_a_drop_it_reconnects_and_asks_for_a_fresh_start() -> None:
    async with simulator() as sim:
        rec = Recorder()
        client = AmiClient(
            settings_for(sim), rec.events.append, rec.on_connected, jitter=lambda: 0.0
        )
        async with running(client):
            await eventually(lambda: rec.connects == 1)
            sim.drop_all()
            await eventually(lambda: rec.connects == 2)
            assert client.reconnects >= 1
            reply = await client.send(actions.ping())
            assert reply.response["Ping"] == "Pong"


async def test_an_action_pending_at_the_drop_is_never_replayed() -> None:
    async with simulator() as sim:
        rec = Recorder()
        client = AmiClient(
            settings_for(sim, action_timeout_s=5.0), rec.events.append, rec.on_connected
        )
        async with running(client):
            await eventually(lambda: rec.connects == 1)
            sim.freeze_all()  # Asterisk stops answering: the pause stays pending
            pending = asyncio.create_task(
                client.send(actions.queue_pause("loop1", "PJSIP/201", True, "switchboard:meeting"))
            )
            with pytest.raises(ConnectionLost):
                await pending  # the ping deadline declares the link dead
            await eventually(lambda: rec.connects == 2)
            await asyncio.sleep(0.3)
            sent_after = [a for s in sim.sessions for a in s.received]
            assert [a["Action"] for a in sent_after if a["Action"] != "Ping"] == ["Login"]


async def test_while_disconnected_actions_fail_at_once_instead_of_queueing() -> None:
    async with simulator() as sim:
        port = sim.port
    rec = Recorder()
    client = AmiClient(settings_for(sim, port=port), rec.events.append, rec.on_connected)
    async with running(client):
        with pytest.raises(NotConnected, match="no AMI connection"):
            await client.send(actions.ping())


async def test_stop_ends_a_reconnect_loop_that_is_waiting() -> None:
    async with simulator() as sim:
        port = sim.port
    client = AmiClient(
        settings_for(sim, port=port, backoff_initial_s=30.0, backoff_max_s=30.0),
        lambda e: None,
        Recorder().on_connected,
    )
    task = asyncio.create_task(client.run())
    await asyncio.sleep(0.1)  # first attempt failed; now waiting ~15-30 s
    await client.stop()
    await asyncio.wait_for(task, 1.0)


async def test_a_wrong_secret_is_logged_once_and_retried_with_backoff(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, "switchboard.ami.client")
    async with simulator() as sim:
        rec = Recorder()
        client = AmiClient(settings_for(sim, secret="wrong"), rec.events.append, rec.on_connected)
        async with running(client):
            await asyncio.sleep(0.8)
        refusals = [r for r in caplog.records if "Authentication failed" in r.getMessage()]
        assert len(refusals) == 1
        # The likely causes, most likely first, not just "check the variable".
        message = refusals[0].getMessage()
        assert "likely causes, most likely first: (1) the secret in" in message
        assert "(2) Asterisk did not load the user [router]" in message
        assert rec.connects == 0
        assert 2 <= client.reconnects <= 8  # backing off, not spinning


async def test_endless_new_event_names_do_not_grow_the_client_and_are_counted() -> None:
    # The attack run left 29,405 distinct names in memory; the bound keeps 64 and "(other)".
    async with simulator() as sim:
        rec = Recorder()
        client = AmiClient(settings_for(sim), rec.events.append, rec.on_connected)
        async with running(client):
            await eventually(lambda: rec.connects == 1)
            before = client.event_counts()
            frames = b"".join(
                f"Event: Fuzzed{i}\r\nPrivilege: call,all\r\n\r\n".encode() for i in range(5000)
            )
            sim.broadcast(frames)
            sim.broadcast(b"Event: Hangup\r\nChannel: PJSIP/x\r\nUniqueid: 1.1\r\n\r\n")
            sim.broadcast(
                b"Event: Hangup\r\nChannel: PJSIP/x\r\nUniqueid: 1.2\r\n"
                b"Linkedid: 1.2\r\nCause: 16\r\n\r\n"
            )
            await eventually(lambda: client.event_counts()["decoded"] > before["decoded"], 5)
            counts = client.event_counts()
            assert counts["ignored"] - before["ignored"] == 5000
            assert counts["undecodable"] - before["undecodable"] == 1  # Hangup lacking fields
            assert len(client.raw_events) <= MAX_RAW_EVENT_NAMES + 1
            assert client.raw_events[OTHER_EVENTS] >= 5000 - MAX_RAW_EVENT_NAMES
