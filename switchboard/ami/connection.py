"""One logged-in AMI connection: framing, ActionID correlation, deadlines, keepalive.

A connection is never reused after it drops: pending actions fail with
`ConnectionLost` and nothing is re-sent (a pause sent hours late is worse than none).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from switchboard.ami.actions import Action, login, ping
from switchboard.ami.errors import (
    ActionFailed,
    ActionTimeout,
    AuthenticationFailed,
    ConnectionLost,
    ProtocolError,
)
from switchboard.ami.events import DECODERS, Event, RawEvent, decode_event
from switchboard.ami.frame import (
    BANNER_PREFIX,
    END_OF_MESSAGE,
    FrameError,
    encode_message,
    parse_text,
)

log = logging.getLogger(__name__)

# Asterisk messages are a few KiB at most; a larger "message" means broken framing.
MAX_MESSAGE_BYTES = 1 << 20
READ_CHUNK = 1 << 18  # what one read may take from the socket (many messages at once)
_connection_ids = itertools.count(1)
DRAIN_ABOVE = 1 << 16  # bytes waiting in the socket's buffer before a send waits for them


def _time_out(future: asyncio.Future[Reply]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


@dataclass(frozen=True, slots=True)
class Reply:
    """The response to an action, and for list actions the items that followed."""

    response: dict[str, str]
    items: tuple[Event, ...] = ()


@dataclass(slots=True)
class _Pending:
    action: Action
    future: asyncio.Future[Reply]
    response: dict[str, str] | None = None
    items: list[Event] = field(default_factory=list)
    at_reply: Callable[[Reply], object] | None = None


@dataclass(slots=True)
class ConnectionStats:
    """What one connection saw; the client sums these across reconnects."""

    frames: int = 0
    malformed_frames: int = 0


class AmiConnection:
    """A single TCP connection to Asterisk's manager interface."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        version: str,
        on_event: Callable[[Event], object],
        peer: str,
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._on_event = on_event
        self._pending: dict[str, _Pending] = {}
        self._ids = itertools.count(1)
        self._prefix = f"sb{next(_connection_ids)}-"
        self._closed: ConnectionLost | None = None
        self._out: list[bytes] = []  # actions written this turn of the loop
        self.version = version
        self.peer = peer
        self.stats = ConnectionStats()

    @classmethod
    async def open(
        cls, host: str, port: int, on_event: Callable[[Event], object], *, timeout: float
    ) -> AmiConnection:
        """Connect and read the banner; raises OSError, TimeoutError or ProtocolError."""
        peer = f"{host}:{port}"
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port, limit=MAX_MESSAGE_BYTES)
            try:
                banner = (await reader.readuntil(b"\r\n")).decode("utf-8", "replace").strip()
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
                writer.close()
                raise ProtocolError(f"{peer} closed or sent no AMI banner") from exc
        if not banner.startswith(BANNER_PREFIX):
            writer.close()
            raise ProtocolError(f"{peer} is not an Asterisk manager (banner {banner[:40]!r})")
        return cls(reader, writer, banner.removeprefix(BANNER_PREFIX), on_event, peer)

    @property
    def closed(self) -> bool:
        return self._closed is not None

    async def login(self, username: str, secret: str, *, timeout: float) -> None:
        """Log in with events on; a refusal raises AuthenticationFailed with Asterisk's text."""
        try:
            await self.send(login(username, secret), timeout=timeout)
        except ActionFailed as refused:
            raise AuthenticationFailed(
                f"Asterisk at {self.peer} refused login for user {username!r}: {refused.message}"
            ) from None

    async def send(
        self, action: Action, *, timeout: float, at_reply: Callable[[Reply], object] | None = None
    ) -> Reply:
        """Send one action and wait for its complete reply, at most `timeout` seconds.

        `at_reply` runs the moment the reply is complete, before any later event is
        handed on: a snapshot folded in there sits exactly where Asterisk took it.
        """
        if self._closed is not None:
            raise ConnectionLost(f"{action.name} not sent: {self._closed}")
        action_id = f"{self._prefix}{next(self._ids)}"
        loop = asyncio.get_running_loop()
        pending = _Pending(action, loop.create_future(), at_reply=at_reply)
        self._pending[action_id] = pending
        # A plain timer on the reply (asyncio.timeout costs several times more, and a
        # restart sends 30,000 of these).
        timer = loop.call_later(timeout, _time_out, pending.future)
        try:
            self._write(
                encode_message((("Action", action.name), ("ActionID", action_id), *action.fields))
            )
            if self._writer.transport.get_write_buffer_size() > DRAIN_ABOVE:
                async with asyncio.timeout(timeout):  # Asterisk reads slower than we write
                    await self._writer.drain()
            return await pending.future
        except TimeoutError:
            raise ActionTimeout(
                f"{action.name} to {self.peer} got no complete reply within {timeout:g} s"
            ) from None
        except (ConnectionError, RuntimeError) as exc:
            raise ConnectionLost(f"{action.name} not sent to {self.peer}: {exc}") from exc
        finally:
            timer.cancel()
            self._pending.pop(action_id, None)

    def _write(self, data: bytes) -> None:
        """Actions sent in one turn of the loop leave in one write (one system call)."""
        self._out.append(data)
        if len(self._out) == 1:
            asyncio.get_running_loop().call_soon(self._flush)

    def _flush(self) -> None:
        data, self._out = b"".join(self._out), []
        if self._closed is not None:
            return
        try:
            self._writer.write(data)
        except (ConnectionError, RuntimeError) as exc:
            self.close(ConnectionLost(f"connection to {self.peer} failed: {exc}"))

    async def keepalive(self, *, interval: float, deadline: float) -> None:
        """Ping every `interval` s; no Pong within `deadline` s means the link is dead."""
        while True:
            await asyncio.sleep(interval)
            try:
                reply = await self.send(ping(), timeout=deadline)
            except ActionTimeout:
                dead = ConnectionLost(
                    f"{self.peer} did not answer Ping within {deadline:g} s; connection dead"
                )
                self.close(dead)
                raise dead from None
            if reply.response.get("Ping") != "Pong":
                dead = ConnectionLost(f"{self.peer} answered Ping without Pong")
                self.close(dead)
                raise dead

    async def read_loop(self) -> ConnectionLost:
        """Read and dispatch messages until the connection ends; returns why it ended.

        Reads what the socket has (up to READ_CHUNK) and splits it into messages itself:
        one read and one decode serve the dozens of messages a busy Asterisk sends at once.
        """
        reader = self._reader
        handle = self._handle
        rest = b""
        skipping = False  # inside a message over MAX_MESSAGE_BYTES: drop up to its end
        try:
            while self._closed is None:
                chunk = await reader.read(READ_CHUNK)
                if not chunk:
                    raise asyncio.IncompleteReadError(rest, None)
                data = rest + chunk if rest else chunk
                if skipping:
                    _, found, data = data.partition(END_OF_MESSAGE)
                    skipping = not found
                    if skipping:
                        rest = data[-(len(END_OF_MESSAGE) - 1) :]  # a boundary may straddle
                        continue
                complete, found, rest = data.rpartition(END_OF_MESSAGE)
                if not found:  # (rpartition left it all in `rest`)
                    if len(rest) > MAX_MESSAGE_BYTES:
                        self._oversized()
                        skipping, rest = True, rest[-(len(END_OF_MESSAGE) - 1) :]
                    continue
                for message in complete.decode("utf-8", "replace").split("\r\n\r\n"):
                    handle(message)
        except asyncio.IncompleteReadError:
            self.close(ConnectionLost(f"{self.peer} closed the connection"))
        except (ConnectionError, OSError) as exc:
            self.close(ConnectionLost(f"connection to {self.peer} failed: {exc}"))
        assert self._closed is not None
        return self._closed

    def _oversized(self) -> None:
        self.stats.malformed_frames += 1
        log.error(
            "AMI message from %s exceeds %d bytes; skipped up to the next message boundary",
            self.peer,
            MAX_MESSAGE_BYTES,
        )

    def _handle(self, message: str) -> None:
        self.stats.frames += 1
        # Most traffic is events nobody models (VarSet, Newexten, ...): known by name only,
        # their fields are split if someone asks. List items carry an ActionID: parsed.
        if message.startswith("Event: ") and "\r\nActionID: " not in message:
            end = message.find("\r\n")
            name = message[7:end] if end >= 0 else message[7:]
            if name not in DECODERS:
                self._on_event(RawEvent.unparsed(name, message))
                return
        try:
            fields = parse_text(message)
        except FrameError as bad:
            self.stats.malformed_frames += 1
            log.warning(
                "malformed AMI message #%d from %s skipped: %s", self.stats.frames, self.peer, bad
            )
            return
        action_id = fields.get("ActionID")
        pending = self._pending.get(action_id) if action_id else None
        if "Event" in fields:
            event = decode_event(fields)
            if pending is not None and pending.action.is_list:
                if fields.get("EventList") == "Complete":
                    self._finish(pending, Reply(pending.response or {}, tuple(pending.items)))
                else:
                    pending.items.append(event)
                return
            self._on_event(event)
            return
        if pending is None:
            if "Response" in fields:
                log.debug("late or unknown AMI response %s ignored", action_id)
            else:
                self.stats.malformed_frames += 1
                log.warning("AMI message #%d has neither Event nor Response", self.stats.frames)
            return
        if fields.get("Response") == "Error":
            if not pending.future.done():
                pending.future.set_exception(
                    ActionFailed(pending.action.name, fields.get("Message", "(no message)"))
                )
        elif pending.action.is_list and fields.get("EventList", "").lower() == "start":
            pending.response = fields
        else:
            self._finish(pending, Reply(fields))

    @staticmethod
    def _finish(pending: _Pending, reply: Reply) -> None:
        if not pending.future.done():
            if pending.at_reply is not None:
                pending.at_reply(reply)
            pending.future.set_result(reply)

    def close(self, reason: ConnectionLost | None = None) -> None:
        """Close the socket and fail every pending action; nothing is kept for replay."""
        if self._closed is not None:
            return
        self._closed = reason or ConnectionLost(f"connection to {self.peer} closed by the router")
        for pending in self._pending.values():
            if not pending.future.done():
                pending.future.set_exception(self._closed)
                # Retrieved by whoever awaits it; marks it handled when nobody does.
                pending.future.exception()
        self._pending.clear()
        self._writer.close()
