"""Agent logins: scrypt password hashes, sessions that expire, and a brake on guessing.

Every guess costs the same: an unknown agent id is checked against a dummy hash with the
same scrypt parameters, so timing does not tell which ids exist. The brake (screen.throttle)
counts a guess before it is checked.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from switchboard.screen.throttle import LoginThrottle, Refusal

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
log = logging.getLogger("switchboard.screen.logins")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A storable hash: `scrypt$n$r$p$salt$hash` (stdlib scrypt; no extra dependency)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


def _dummy_hash() -> str:
    """A well-formed hash no password matches (random digest): the price of an unknown id."""
    b64 = base64.urlsafe_b64encode
    salt, digest = secrets.token_bytes(16), secrets.token_bytes(64)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


DUMMY_HASH = _dummy_hash()


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a `hash_password` result (False for anything malformed)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.urlsafe_b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(), salt=base64.urlsafe_b64decode(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(slots=True)
class Session:
    agent_id: str
    started: float
    seen: float
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(24))


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A session token, or why not: `refused` (not even checked) or a wrong guess."""

    token: str | None = None
    refused: Refusal | None = None


class Sessions:
    """Logged-in agents. A session ends after `idle_s` unused or `max_s` in all."""

    def __init__(
        self,
        clock: Callable[[], float],
        idle_s: float = 30 * 60,
        max_s: float = 10 * 3600,
        throttle: LoginThrottle | None = None,
    ) -> None:
        self.clock = clock
        self.idle_s, self.max_s = idle_s, max_s
        self.throttle = throttle or LoginThrottle(clock)
        self._sessions: dict[str, Session] = {}

    async def log_in(
        self, agent_id: str, password: str, hashes: Mapping[str, str], address: str = "-"
    ) -> LoginResult:
        """A new session, a wrong guess, or a refusal (locked out, too many guesses).

        scrypt takes ~50 ms and 16 MB on purpose: it runs in a thread, off the event loop
        that carries the AMI connection. The guess is counted before, in the same step as
        the check that it may be made.
        """
        ticket = self.throttle.reserve(agent_id, address)
        if isinstance(ticket, Refusal):
            return LoginResult(refused=ticket)
        stored = hashes.get(agent_id)
        right = await asyncio.to_thread(verify_password, password, stored or DUMMY_HASH)
        if not right or stored is None:
            lockout = self.throttle.failed(ticket)
            if lockout is not None:
                # The one audit line per lockout; an unknown id may be a mistyped password.
                who = repr(agent_id) if stored is not None else "an unknown agent id"
                log.warning(
                    "screen login locked for %s from %s for %d s after %d wrong passwords",
                    who,
                    address,
                    lockout.seconds,
                    lockout.failures,
                )
            return LoginResult()
        self.throttle.succeeded(ticket)
        now = self.clock()
        self._forget_expired(now)
        token = secrets.token_urlsafe(32)
        self._sessions[token] = Session(agent_id, now, now)
        return LoginResult(token)

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle_s or now - session.started > self.max_s

    def _forget_expired(self, now: float) -> None:
        """Sessions nobody came back to (a closed laptop) are dropped at the next login."""
        for token in [t for t, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[token]

    def __len__(self) -> int:
        return len(self._sessions)

    def get(self, token: str | None) -> Session | None:
        """The live session for a token (and it counts as use), or None."""
        if not token:
            return None
        session = self._sessions.get(token)
        now = self.clock()
        if session is None:
            return None
        if self._expired(session, now):
            del self._sessions[token]
            return None
        session.seen = now
        return session

    def log_out(self, token: str | None) -> None:
        if token:
            self._sessions.pop(token, None)
