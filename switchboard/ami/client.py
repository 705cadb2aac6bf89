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
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum, auto

from switchboard.ami.actions import Action, logoff
from switchboard.ami.connection import AmiConnection, Reply
from switchboard.ami.errors import (
    AmiError,
    AuthenticationFailed,
    NotConnected,
    ProtocolError,
    refused_hint,
)
from switchboard.ami.events import Event, FullyBooted, RawEvent

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
    secret_env: str = "the secret variable"  # named in the refused-login message
    # While the port is closed (Asterisk restarting) a connect attempt costs the server
    # nothing: retry this often for this long, so boundaries passed meanwhile are
    # corrected within a second of Asterisk taking logins again. Refused logins and
    # other failures back off as above.
    fast_retry_s: float = 0.25
    fast_retry_for_s: float = 300.0
    # Asterisk takes logins before its modules are loaded; it says FullyBooted when they
    # are. Wait this long for it before reading queues (a user without `read = system`
    # never hears it: the engine then goes ahead, and says so).
    boot_wait_s: float = 30.0


class SessionEnd(Enum):
    """How one connection attempt ended; decides how soon to try again."""

    LOGGED_IN = auto()  # it worked for a while: start the backoff over
    PORT_CLOSED = auto()  # nobody listening (yet): cheap to retry, and retried fast
    FAILED = auto()  # refused login, timeout, not AMI: back off


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
        self._booted = asyncio.Event()
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

    async def send(
        self,
        action: Action,
        *,
        timeout: float | None = None,
        at_reply: Callable[[Reply], object] | None = None,
    ) -> Reply:
        """Send on the live connection; raises NotConnected rather than queueing."""
        connection = self._connection
        if connection is None or connection.closed or not self.connected.is_set():
            raise NotConnected(f"{action.name} not sent: no AMI connection to {self.peer}")
        return await connection.send(
            action,
            timeout=self.settings.action_timeout_s if timeout is None else timeout,
            at_reply=at_reply,
        )

    async def run(self) -> None:
        """Connect, serve, and reconnect until `stop()` is called."""
        s = self.settings
        attempt = 0
        closed_since: float | None = None
        while not self._stopping.is_set():
            end = await self._session()
            if self._stopping.is_set():
                break
            if end is SessionEnd.LOGGED_IN:
                attempt, closed_since = 0, None
            elif end is SessionEnd.PORT_CLOSED and closed_since is None:
                closed_since = time.monotonic()
            fast = closed_since is not None and time.monotonic() - closed_since < s.fast_retry_for_s
            if end is SessionEnd.PORT_CLOSED and fast:
                delay = s.fast_retry_s * (0.8 + 0.4 * self._jitter())
            else:
                attempt += end is not SessionEnd.LOGGED_IN
                delay = backoff_delay(attempt, s.backoff_initial_s, s.backoff_max_s, self._jitter())
            log.debug("reconnecting to AMI at %s in %.2f s", self.peer, delay)
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
            if isinstance(event, FullyBooted):
                self._booted.set()
        self._on_event(event)

    async def _session(self) -> SessionEnd:
        """One connection's life; says how it ended (which sets the next delay)."""
        s = self.settings
        self._booted.clear()
        try:
            connection = await AmiConnection.open(
                s.host, s.port, self._dispatch, timeout=s.connect_timeout_s
            )
        except ConnectionRefusedError as exc:
            self._note_failure(f"cannot connect to AMI at {self.peer}: {exc}")
            return SessionEnd.PORT_CLOSED
        except (OSError, TimeoutError, ProtocolError) as exc:
            self._note_failure(f"cannot connect to AMI at {self.peer}: {exc or 'timed out'}")
            return SessionEnd.FAILED
        self._connection = connection
        logged_in = False
        try:
            async with asyncio.TaskGroup() as tasks:
                reader = tasks.create_task(connection.read_loop())
                await connection.login(s.username, s.secret, timeout=s.action_timeout_s)
                logged_in = True
                keepalive = tasks.create_task(
                    connection.keepalive(interval=s.ping_interval_s, deadline=s.ping_deadline_s)
                )
                await self._fully_booted(reader)
                self.connected.set()
                log.info(
                    "AMI connected to %s (Asterisk Call Manager %s)", self.peer, connection.version
                )
                self.last_error = ""
                await self._on_connected()
                ended = await reader
                keepalive.cancel()
                if not self._stopping.is_set():
                    self._note_failure(f"AMI connection lost: {ended}")
        except* AuthenticationFailed as refused:
            self._note_failure(f"{refused.exceptions[0]}; {refused_hint(s.username, s.secret_env)}")
        except* AmiError as failures:
            if not self._stopping.is_set():
                self._note_failure(f"AMI connection lost: {failures.exceptions[0]}")
        finally:
            self.connected.clear()
            self.malformed_frames += connection.stats.malformed_frames
            connection.close()
            self._connection = None
        return SessionEnd.LOGGED_IN if logged_in else SessionEnd.FAILED

    async def _fully_booted(self, reader: asyncio.Task[object]) -> None:
        """Wait for FullyBooted (sent at login when Asterisk is up, else when it is)."""
        if self._booted.is_set():
            return
        waiting = asyncio.ensure_future(self._booted.wait())
        try:
            done, _ = await asyncio.wait(
                {waiting, reader}, timeout=self.settings.boot_wait_s, return_when="FIRST_COMPLETED"
            )
        finally:
            waiting.cancel()
        if not done:
            log.warning(
                "Asterisk at %s sent no FullyBooted within %g s (does the AMI user have "
                "read = system?); reading queues anyway",
                self.peer,
                self.settings.boot_wait_s,
            )

    def _note_failure(self, message: str) -> None:
        # Log transitions, not repetitions: a down PBX must not flood the log.
        if message != self.last_error:
            log.error("%s", message)
        self.last_error = message
