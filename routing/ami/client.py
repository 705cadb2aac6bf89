"""The AMI client: keeps one logged-in connection alive, reconnecting with capped backoff.

After every (re)connect it calls `on_connected`, whose job is to take a fresh
snapshot and re-decide. Actions asked for while disconnected fail at once with
`NotConnected`; actions pending at a drop fail with `ConnectionLost`. Nothing is
ever queued for replay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from routing.ami.actions import Action, logoff
from routing.ami.connection import AmiConnection, Reply
from routing.ami.errors import AmiError, AuthenticationFailed, NotConnected, ProtocolError
from routing.ami.events import Event, RawEvent

log = logging.getLogger(__name__)

# Distinct raw event names kept for inspection; a peer (or a fuzzer) sending endless new
# names must not grow the engine: beyond this, they count under OTHER_EVENTS.
MAX_RAW_EVENT_NAMES = 64
OTHER_EVENTS = "(other)"


@dataclass(frozen=True, slots=True)
class AmiSettings:
    """Where and how to reach Asterisk; the secret comes from the environment, not a file."""

    host: str
    port: int
    username: str
    secret: str
    connect_timeout_s: float = 5.0
    action_timeout_s: float = 5.0
    ping_interval_s: float = 10.0
    ping_deadline_s: float = 5.0
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 30.0


def backoff_delay(attempt: int, initial: float, cap: float, jitter: float) -> float:
    """Delay before reconnect `attempt` (0-based): doubling, capped, jitter in [0, 1)."""
    ceiling = min(cap, initial * 2.0 ** min(attempt, 32))
    return ceiling / 2 + ceiling / 2 * jitter


class AmiClient:
    """Owns the connection lifecycle; `run()` is meant to live in the app's TaskGroup."""

    def __init__(
        self,
        settings: AmiSettings,
        on_event: Callable[[Event], object],
        on_connected: Callable[[], Awaitable[None]],
        *,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.settings = settings
        self._on_event = on_event
        self._on_connected = on_connected
        self._jitter = jitter
        self._connection: AmiConnection | None = None
        self._stopping = asyncio.Event()
        self.connected = asyncio.Event()
        self.reconnects = 0
        self.raw_events: Counter[str] = Counter()  # at most MAX_RAW_EVENT_NAMES + 1 keys
        self.decoded_events = 0
        self.ignored_events = 0  # events we have no use for (kept raw, by design)
        self.undecodable_events = 0  # events we know but could not read (malformed)
        self.malformed_frames = 0
        self.last_error = ""

    @property
    def peer(self) -> str:
        return f"{self.settings.host}:{self.settings.port}"

    async def send(self, action: Action, *, timeout: float | None = None) -> Reply:
        """Send on the live connection; raises NotConnected rather than queueing."""
        connection = self._connection
        if connection is None or connection.closed or not self.connected.is_set():
            raise NotConnected(f"{action.name} not sent: no AMI connection to {self.peer}")
        return await connection.send(
            action, timeout=self.settings.action_timeout_s if timeout is None else timeout
        )

    async def run(self) -> None:
        """Connect, serve, and reconnect until `stop()` is called."""
        attempt = 0
        while not self._stopping.is_set():
            logged_in = await self._session()
            if self._stopping.is_set():
                break
            attempt = 0 if logged_in else attempt + 1
            delay = backoff_delay(
                attempt,
                self.settings.backoff_initial_s,
                self.settings.backoff_max_s,
                self._jitter(),
            )
            log.info("reconnecting to AMI at %s in %.1f s", self.peer, delay)
            try:
                async with asyncio.timeout(delay):
                    await self._stopping.wait()
            except TimeoutError:
                pass
            self.reconnects += 1

    async def stop(self) -> None:
        """Log off politely, close, and end `run()`; safe to call more than once."""
        self._stopping.set()
        connection = self._connection
        if connection is not None and not connection.closed:
            with contextlib.suppress(AmiError):
                await connection.send(logoff(), timeout=1.0)
            connection.close()

    def event_counts(self) -> dict[str, int]:
        """Events since start by outcome: decoded, ignored (no use for them), undecodable."""
        return {
            "decoded": self.decoded_events,
            "ignored": self.ignored_events,
            "undecodable": self.undecodable_events,
        }

    def _dispatch(self, event: Event) -> None:
        if isinstance(event, RawEvent):
            name = event.name
            if name not in self.raw_events and len(self.raw_events) >= MAX_RAW_EVENT_NAMES:
                name = OTHER_EVENTS
            self.raw_events[name] += 1
            if event.error:
                self.undecodable_events += 1
                log.warning("AMI event kept raw: %s", event.error)
            else:
                self.ignored_events += 1
        else:
            self.decoded_events += 1
        self._on_event(event)

    async def _session(self) -> bool:
        """One connection's life; returns whether login succeeded (resets the backoff)."""
        s = self.settings
        try:
            connection = await AmiConnection.open(
                s.host, s.port, self._dispatch, timeout=s.connect_timeout_s
            )
        except (OSError, TimeoutError, ProtocolError) as exc:
            self._note_failure(f"cannot connect to AMI at {self.peer}: {exc or 'timed out'}")
            return False
        self._connection = connection
        logged_in = False
        try:
            async with asyncio.TaskGroup() as tasks:
                reader = tasks.create_task(connection.read_loop())
                await connection.login(s.username, s.secret, timeout=s.action_timeout_s)
                logged_in = True
                self.connected.set()
                log.info(
                    "AMI connected to %s (Asterisk Call Manager %s)", self.peer, connection.version
                )
                self.last_error = ""
                keepalive = tasks.create_task(
                    connection.keepalive(interval=s.ping_interval_s, deadline=s.ping_deadline_s)
                )
                await self._on_connected()
                ended = await reader
                keepalive.cancel()
                if not self._stopping.is_set():
                    self._note_failure(f"AMI connection lost: {ended}")
        except* AuthenticationFailed as refused:
            self._note_failure(
                f"{refused.exceptions[0]}; check the AMI user in the config and its secret "
                "in the environment variable it names"
            )
        except* AmiError as failures:
            if not self._stopping.is_set():
                self._note_failure(f"AMI connection lost: {failures.exceptions[0]}")
        finally:
            self.connected.clear()
            self.malformed_frames += connection.stats.malformed_frames
            connection.close()
            self._connection = None
        return logged_in

    def _note_failure(self, message: str) -> None:
        # Log transitions, not repetitions: a down PBX must not flood the log.
        if message != self.last_error:
            log.error("%s", message)
        self.last_error = message
