"""The brake on password guessing: per (account, address) lockouts and a per-address limit.

A guess is *reserved* before the password is checked: the caller asks `reserve()` and gets a
ticket or a refusal in one synchronous step (no await in between, so parallel requests on
the event loop cannot all slip past the count while scrypt runs). The outcome is then
reported with `succeeded()` or `failed()`.

Lockouts key on the account *and* the client address, so a stranger guessing at a colleague's
account locks out only themselves; the per-address limit stops one address from spraying
guesses across many accounts. Each repeated lockout lasts twice as long as the one before
(up to `lockout_max_s`). Both tables are bounded (least recently used entries go first) and
forget quiet entries, so endless made-up names cannot grow the engine.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class _Guesses:
    """One (account, address): failures since the last success, and the lockout they earned."""

    failures: int = 0
    pending: int = 0  # guesses reserved and not yet reported
    locked_until: float = 0.0
    last: float = 0.0


@dataclass(slots=True)
class _Rate:
    """One address: when its recent guesses were made (any account)."""

    times: deque[float] = field(default_factory=deque)
    last: float = 0.0


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a guess is not even checked, and for how many seconds more."""

    reason: str  # "locked" (this account from this address) or "rate" (this address)
    retry_after_s: float


@dataclass(frozen=True, slots=True)
class Ticket:
    account: str
    address: str


@dataclass(frozen=True, slots=True)
class Lockout:
    """A lockout that has just started (the audit line says so once)."""

    account: str
    address: str
    failures: int
    seconds: float


class LoginThrottle:
    def __init__(
        self,
        clock: Callable[[], float],
        *,
        max_failures: int = 5,
        lockout_s: float = 300,
        lockout_max_s: float = 3600,
        per_address: int = 30,  # guesses per address (any accounts) per `rate_window_s`
        rate_window_s: float = 60,
        forget_s: float = 6 * 3600,  # quiet entries are dropped after this
        max_entries: int = 4096,  # per table: a few MB at most, whatever names arrive
    ) -> None:
        self.clock = clock
        self.max_failures, self.lockout_s, self.lockout_max_s = (
            max_failures,
            lockout_s,
            lockout_max_s,
        )
        self.per_address, self.rate_window_s = per_address, rate_window_s
        self.forget_s, self.max_entries = forget_s, max_entries
        self._guesses: OrderedDict[tuple[str, str], _Guesses] = OrderedDict()
        self._rates: OrderedDict[str, _Rate] = OrderedDict()

    def __len__(self) -> int:
        return len(self._guesses) + len(self._rates)

    def reserve(self, account: str, address: str) -> Ticket | Refusal:
        """Count a guess before it is checked, or refuse it (then nothing is counted)."""
        now = self.clock()
        self._forget_quiet(now)
        guesses = self._guesses.get((account, address))
        if guesses is not None:
            if now < guesses.locked_until:
                return Refusal("locked", guesses.locked_until - now)
            if guesses.failures + guesses.pending >= self.max_failures and guesses.pending:
                return Refusal("locked", 1.0)  # the last free guesses are being checked
        rate = self._rates.get(address)
        if rate is not None:
            while rate.times and now - rate.times[0] >= self.rate_window_s:
                rate.times.popleft()
            if len(rate.times) >= self.per_address:
                return Refusal("rate", rate.times[0] + self.rate_window_s - now)
        if guesses is None:
            guesses = self._guesses[(account, address)] = _Guesses()
        if rate is None:
            rate = self._rates[address] = _Rate()
        self._guesses.move_to_end((account, address))
        self._rates.move_to_end(address)
        guesses.pending += 1
        guesses.last = rate.last = now
        rate.times.append(now)
        self._bound()
        return Ticket(account, address)

    def succeeded(self, ticket: Ticket) -> None:
        """The password was right: this (account, address) starts afresh."""
        self._guesses.pop((ticket.account, ticket.address), None)

    def failed(self, ticket: Ticket) -> Lockout | None:
        """The password was wrong; returns the lockout it starts, if it starts one."""
        now = self.clock()
        key = (ticket.account, ticket.address)
        guesses = self._guesses.get(key)
        if guesses is None:  # evicted meanwhile: count it afresh
            guesses = self._guesses[key] = _Guesses()
        self._guesses.move_to_end(key)
        guesses.pending = max(0, guesses.pending - 1)
        guesses.failures += 1
        guesses.last = now
        over = guesses.failures - self.max_failures
        if over < 0:
            return None
        seconds = min(self.lockout_max_s, self.lockout_s * 2.0 ** min(over, 32))
        guesses.locked_until = now + seconds
        return Lockout(ticket.account, ticket.address, guesses.failures, seconds)

    def locked(self, account: str, address: str) -> bool:
        guesses = self._guesses.get((account, address))
        return guesses is not None and self.clock() < guesses.locked_until

    def _forget_quiet(self, now: float) -> None:
        """Entries are kept in order of use, so the quiet ones are at the front."""
        while self._guesses and now - next(iter(self._guesses.values())).last >= self.forget_s:
            self._guesses.popitem(last=False)
        while self._rates and now - next(iter(self._rates.values())).last >= self.forget_s:
            self._rates.popitem(last=False)

    def _bound(self) -> None:
        while len(self._guesses) > self.max_entries:
            self._guesses.popitem(last=False)
        while len(self._rates) > self.max_entries:
            self._rates.popitem(last=False)
