"""Agent logins: scrypt password hashes, sessions that expire, and a brake on guessing."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


def hash_password(password: str, salt: bytes | None = None) -> str:
    """A storable hash: `scrypt$n$r$p$salt$hash` (stdlib scrypt; no extra dependency)."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)
    b64 = base64.urlsafe_b64encode
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}${b64(digest).decode()}"


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


class Sessions:
    """Logged-in agents. A session ends after `idle_s` unused or `max_s` in all."""

    def __init__(
        self,
        clock: Callable[[], float],
        idle_s: float = 30 * 60,
        max_s: float = 10 * 3600,
        max_failures: int = 5,
        lockout_s: float = 300,
    ) -> None:
        self.clock = clock
        self.idle_s, self.max_s = idle_s, max_s
        self.max_failures, self.lockout_s = max_failures, lockout_s
        self._sessions: dict[str, Session] = {}
        self._failures: dict[str, list[float]] = {}

    async def log_in(self, agent_id: str, password: str, hashes: Mapping[str, str]) -> str | None:
        """A new session token, or None (unknown agent, wrong password, or locked out).

        scrypt takes ~50 ms and 16 MB on purpose: it runs in a thread, off the event loop
        that carries the AMI connection.
        """
        now = self.clock()
        recent = self._recent_failures(agent_id, now)
        if len(recent) >= self.max_failures:
            return None
        stored = hashes.get(agent_id)
        if stored is None or not await asyncio.to_thread(verify_password, password, stored):
            recent.append(now)
            return None
        self._failures.pop(agent_id, None)
        self._forget_expired(now)
        token = secrets.token_urlsafe(32)
        self._sessions[token] = Session(agent_id, now, now)
        return token

    def _expired(self, session: Session, now: float) -> bool:
        return now - session.seen > self.idle_s or now - session.started > self.max_s

    def _forget_expired(self, now: float) -> None:
        """Sessions nobody came back to (a closed laptop) are dropped at the next login."""
        for token in [t for t, s in self._sessions.items() if self._expired(s, now)]:
            del self._sessions[token]

    def __len__(self) -> int:
        return len(self._sessions)

    def _recent_failures(self, agent_id: str, now: float) -> list[float]:
        """The agent's wrong passwords within the lockout window (older ones are dropped)."""
        recent = [t for t in self._failures.get(agent_id, []) if now - t < self.lockout_s]
        self._failures[agent_id] = recent
        return recent

    def locked_out(self, agent_id: str) -> bool:
        return len(self._recent_failures(agent_id, self.clock())) >= self.max_failures

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
