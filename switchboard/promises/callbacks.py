"""Callback requests: the reference read to the caller, the number, and the promise."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from switchboard.ivr.hours import OpeningHours, callback_deadline
from switchboard.promises.promise import Promise, PromiseKind, PromiseStatus, registered


class CallbackParseError(ValueError):
    """An AstDB callback entry we cannot read (the message never quotes its content)."""


# Shapes as our dialplan writes them (ivr/dialplan.py): RAND(100000,999999), the number it
# accepted (8-15 digits), a loop id or empty (asked while closed), Asterisk's uniqueid.
_REF = re.compile(r"[1-9][0-9]{5}")
_NUMBER = re.compile(r"\+?[0-9]{8,15}")
_LOOP = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}|")
_UNIQUEID = re.compile(r"[A-Za-z0-9._-]{1,150}")  # epoch.sequence, maybe after a systemname


def from_astdb(
    key: str,
    value: str,
    hours: OpeningHours,
    working_days: int,
    loops: Collection[str] | None = None,  # the plan's loop ids (None: not checked)
) -> Promise:
    """Read an AstDB entry `/sb-callback/<ref>` = `number|loop|epoch|uniqueid|first`.

    `first` is the epoch the call began (SB_FIRST), so a caller moved on before asking keeps
    their original call time; entries of an earlier dialplan have no `first`.

        AstDB is input, not truth (anyone with AMI write rights can put entries there): each
        part must have the shape the dialplan gives it. Messages never quote the number.
    """
    ref = key.rstrip("/").rsplit("/", 1)[-1]
    where = f"callback entry /sb-callback/{ref[:12]}"
    parts = value.split("|")
    if not _REF.fullmatch(ref) or len(parts) not in (4, 5):
        raise CallbackParseError(
            f"callback entry {key[:40]!r} is not number|loop|epoch|uniqueid|first"
        )
    number, loop, epoch, call_id = parts[:4]
    first = parts[4] if len(parts) == 5 else ""
    if not _NUMBER.fullmatch(number):
        raise CallbackParseError(f"{where} has no valid phone number (8-15 digits)")
    if not _LOOP.fullmatch(loop) or (loops is not None and loop and loop not in loops):
        raise CallbackParseError(f"{where} names a loop the plan does not have")
    if not epoch.isdigit() or len(epoch) > 11:
        raise CallbackParseError(f"{where} has no valid request time")
    if not _UNIQUEID.fullmatch(call_id):
        raise CallbackParseError(f"{where} has no valid call id")
    if first and (not first.isdigit() or len(first) > 11):
        raise CallbackParseError(f"{where} has no valid first call time")
    requested = datetime.fromtimestamp(int(epoch), UTC)
    called = datetime.fromtimestamp(int(first), UTC) if first else None
    return registered(
        Promise(
            ref=ref,
            number=number,
            loop=loop,
            requested_at=requested,
            due=callback_deadline(hours, requested, working_days),
            call_id=call_id,
            first_called_at=called if called is not None and called < requested else None,
            kind=PromiseKind.CALLBACK,
        )
    )


@dataclass(frozen=True, slots=True)
class CallbackCounts:
    open: int
    overdue: int


def count(requests: Iterable[Promise], now: datetime) -> CallbackCounts:
    """Open (not done) and overdue promises, for ops."""
    pending = [r for r in requests if r.status is not PromiseStatus.DONE]
    return CallbackCounts(len(pending), sum(r.is_overdue(now) for r in pending))
