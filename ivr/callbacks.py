"""Callback requests: the reference read to the caller, the number, and the promise."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from ivr.hours import OpeningHours, callback_deadline


class CallbackStatus(StrEnum):
    OPEN = "open"
    TAKEN = "taken"  # an agent is calling back
    DONE = "done"


class CallbackParseError(ValueError):
    """An AstDB callback entry we cannot read (the message never quotes its content)."""


@dataclass(frozen=True, slots=True)
class CallbackRequest:
    ref: str
    number: str  # personal data: only ever stored encrypted
    loop: str
    requested_at: datetime
    due: datetime
    call_id: str  # Asterisk uniqueid of the call that asked
    status: CallbackStatus = CallbackStatus.OPEN
    handled_by: str = ""
    handled_at: datetime | None = None

    def is_overdue(self, now: datetime) -> bool:
        return self.status is not CallbackStatus.DONE and now > self.due


def from_astdb(key: str, value: str, hours: OpeningHours, working_days: int) -> CallbackRequest:
    """Read an AstDB entry `/sb-callback/<ref>` = `number|loop|epoch|uniqueid`."""
    ref = key.rstrip("/").rsplit("/", 1)[-1]
    parts = value.split("|")
    if not ref.isdigit() or len(parts) != 4:
        raise CallbackParseError(f"callback entry {key!r} is not number|loop|epoch|uniqueid")
    number, loop, epoch, call_id = parts
    if not epoch.isdigit():
        raise CallbackParseError(f"callback entry {key!r} has no valid request time")
    requested = datetime.fromtimestamp(int(epoch), UTC)
    return CallbackRequest(
        ref=ref,
        number=number,
        loop=loop,
        requested_at=requested,
        due=callback_deadline(hours, requested, working_days),
        call_id=call_id,
    )


def handled(
    request: CallbackRequest, status: CallbackStatus, agent: str, at: datetime
) -> CallbackRequest:
    """The request after an agent took it or finished it."""
    if request.status is CallbackStatus.DONE:
        raise ValueError(f"callback {request.ref} is already done")
    return replace(request, status=status, handled_by=agent, handled_at=at)


@dataclass(frozen=True, slots=True)
class CallbackCounts:
    open: int
    overdue: int


def count(requests: Iterable[CallbackRequest], now: datetime) -> CallbackCounts:
    """Open (not done) and overdue requests, for ops."""
    pending = [r for r in requests if r.status is not CallbackStatus.DONE]
    return CallbackCounts(len(pending), sum(r.is_overdue(now) for r in pending))
