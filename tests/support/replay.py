"""A fake Asterisk that replays a recorded transcript over TCP, causally.

Each recorded message is sent once the client has sent as many actions as the
recording had when Asterisk sent it; recorded ActionIDs are rewritten to the
client's own, so a real client can correlate the replies.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field

from tests.support.transcripts import BANNER, Transcript

_ACTION_ID = re.compile(rb"ActionID: (\d\d-\d{3})\r\n")


@dataclass
class ReplayServer:
    transcript: Transcript
    received: list[bytes] = field(default_factory=list)
    _server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def __aenter__(self) -> ReplayServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    def _schedule(self) -> list[tuple[int, bytes]]:
        """(actions the client must have sent first, message) for every received message."""
        sent_offsets = [0]
        for part in self.transcript.sent.split(b"\r\n\r\n")[:-1]:
            sent_offsets.append(sent_offsets[-1] + len(part) + 4)
        recv_time: list[tuple[float, int]] = []  # (time, recv offset) of each read
        sent_bytes_by_time: list[tuple[float, int]] = []
        for entry in self.transcript.timeline:
            if entry.get("eof"):
                continue
            t, off, n = float(str(entry["t"])), int(str(entry["offset"])), int(str(entry["len"]))
            (recv_time if entry["dir"] == "recv" else sent_bytes_by_time).append((t, off + n))
        schedule = []
        offset = len(BANNER)
        for message in self.transcript.messages():
            end = offset + len(message)
            arrived = next(t for t, upto in recv_time if upto >= end)
            sent_before = max((upto for t, upto in sent_bytes_by_time if t < arrived), default=0)
            actions_before = sum(1 for o in sent_offsets[1:] if o <= sent_before)
            schedule.append((actions_before, message))
            offset = end
        return schedule

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ids: dict[bytes, bytes] = {}
        recorded = [m.group(1) for m in _ACTION_ID.finditer(self.transcript.sent)]
        writer.write(BANNER)

        async def read_action() -> None:
            block = await reader.readuntil(b"\r\n\r\n")
            self.received.append(block)
            mine = re.search(rb"ActionID: ([^\r]+)\r\n", block)
            index = len(self.received) - 1
            if mine and index < len(recorded):
                ids[recorded[index]] = mine.group(1)

        try:
            for needed, message in self._schedule():
                while len(self.received) < needed:
                    await read_action()
                message = _ACTION_ID.sub(
                    lambda m: b"ActionID: " + ids.get(m.group(1), m.group(1)) + b"\r\n", message
                )
                writer.write(message)
                await writer.drain()
            if self.transcript.timeline[-1].get("eof"):
                writer.close()
                return
            while True:  # recording over: keep the socket open, read whatever comes
                await read_action()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
