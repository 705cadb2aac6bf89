"""A promise made to a caller: call them back, or answer their inquiry, by a due time.

Callbacks (asked for in the IVR) and inquiries (registered by an agent from the caller
card) are the same thing to the engine: a reference, a loop, a due time, someone who
takes it, an outcome. Every change is a pure function returning the next Promise and
adding a Step to its history, so the history is never written by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum


class PromiseKind(StrEnum):
    CALLBACK = "callback"
    INQUIRY = "inquiry"


class PromiseStatus(StrEnum):
    OPEN = "open"
    TAKEN = "taken"  # an agent (or the department) is working on it
    DONE = "done"


class PromiseError(ValueError):
    """A change that does not apply to the promise as it is (the message says why)."""


NOTE_MAX = 500  # free text is bounded: it is personal data and must stay a short note


@dataclass(frozen=True, slots=True)
class Step:
    """One line of a promise's history."""

    at: datetime
    by: str  # agent id, or "engine" for escalations
    action: str  # registered, taken, released, done, new-date, escalated, notified
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Promise:
    ref: str
    number: str  # the number to call back (personal data: sealed at rest); may be empty
    loop: str  # loop id the promise belongs to
    requested_at: datetime
    due: datetime
    call_id: str = ""  # Asterisk uniqueid of the call it came from
    # When the caller first called, if earlier than the request (moved on from loop to loop
    # before asking): callbacks are worked in this order, as the queue kept their place.
    first_called_at: datetime | None = None
    status: PromiseStatus = PromiseStatus.OPEN
    handled_by: str = ""
    handled_at: datetime | None = None
    kind: PromiseKind = PromiseKind.CALLBACK
    topic: str = ""  # catalogue topic id (inquiries)
    member_id: str = ""  # the member it is about (never a fødselsnummer)
    created_by: str = ""  # the agent who registered it ("" = the caller, in the IVR)
    promised: datetime | None = None  # the first due time told to the caller
    level: int = 0  # escalation level reached (0 = the topic's inbox)
    level_due: datetime | None = None  # when the current level must have reacted
    outcome: str = ""
    note: str = ""  # bounded free text (inquiries)
    steps: tuple[Step, ...] = ()
    version: int = 0  # bumped by the store on every write (compare-and-set)

    @property
    def called_at(self) -> datetime:
        """The original call time: the first call, or the request itself."""
        return self.first_called_at or self.requested_at

    @property
    def first_due(self) -> datetime:
        return self.promised or self.due

    def is_overdue(self, now: datetime) -> bool:
        return self.status is not PromiseStatus.DONE and now > self.due

    def kept(self) -> bool | None:
        """Done by the time first promised (None while not done): the 95 % measure."""
        if self.status is not PromiseStatus.DONE or self.handled_at is None:
            return None
        return self.handled_at <= self.first_due


def _step(p: Promise, at: datetime, by: str, action: str, detail: str = "") -> tuple[Step, ...]:
    return (*p.steps, Step(at, by, action, detail))


def registered(p: Promise) -> Promise:
    """A new promise with its first history line."""
    by = p.created_by or "caller"
    return replace(p, promised=p.due, steps=(Step(p.requested_at, by, "registered"),))


def take(p: Promise, agent: str, at: datetime) -> Promise:
    if p.status is not PromiseStatus.OPEN:
        raise PromiseError(
            "someone else has taken that" if p.status is PromiseStatus.TAKEN else "it is done"
        )
    return replace(
        p,
        status=PromiseStatus.TAKEN,
        handled_by=agent,
        handled_at=at,
        steps=_step(p, at, agent, "taken"),
    )


def release(p: Promise, agent: str, at: datetime) -> Promise:
    """Hand a taken promise back to the loop, or over to colleagues."""
    if p.status is not PromiseStatus.TAKEN or p.handled_by != agent:
        raise PromiseError("only the one who took it can hand it back")
    return replace(
        p,
        status=PromiseStatus.OPEN,
        handled_by="",
        handled_at=None,
        steps=_step(p, at, agent, "released"),
    )


def close(p: Promise, agent: str, at: datetime, outcome: str = "") -> Promise:
    if p.status is PromiseStatus.DONE:
        raise PromiseError(f"{p.ref} is already done")
    if p.status is PromiseStatus.TAKEN and p.handled_by != agent:
        raise PromiseError("someone else has taken that")
    if p.kind is PromiseKind.CALLBACK and p.status is not PromiseStatus.TAKEN:
        raise PromiseError("take the callback before marking it done")
    outcome = note_text(outcome, 200)
    return replace(
        p,
        status=PromiseStatus.DONE,
        handled_by=agent,
        handled_at=at,
        outcome=outcome,
        steps=_step(p, at, agent, "done", outcome),
    )


def new_date(p: Promise, agent: str, at: datetime, due: datetime, reason: str) -> Promise:
    """The promise cannot be kept: a later date and the reason the caller is told."""
    reason = note_text(reason, 200)
    if p.status is PromiseStatus.DONE:
        raise PromiseError(f"{p.ref} is already done")
    if not reason:
        raise PromiseError("give the reason the caller is told")
    if due <= at:
        raise PromiseError("the new date must be in the future")
    if due <= p.due:
        raise PromiseError("the new date must be later than the one promised")
    return replace(p, due=due, steps=_step(p, at, agent, "new-date", reason))


def escalated(p: Promise, at: datetime, level: int, react_by: datetime, to: str) -> Promise:
    """Not answered at its level in time: the next level has it, with its own reaction time.

    The due date told to the caller stays; only a new date with a reason changes that."""
    if p.status is PromiseStatus.DONE:
        raise PromiseError(f"{p.ref} is already done")
    return replace(
        p, level=level, level_due=react_by, steps=_step(p, at, "engine", "escalated", to)
    )


def noted(p: Promise, at: datetime, by: str, action: str, detail: str = "") -> Promise:
    """A history line that changes nothing else (a mail sent, a caller told)."""
    return replace(p, steps=_step(p, at, by, action, detail))


def has_national_id(text: str) -> bool:
    """Eleven digits in a row, spaces and dots aside: a fødselsnummer (or near enough)."""
    digits = "".join(c for c in text if c not in " .-")
    return any(len(run) >= 11 for run in "".join(c if c.isdigit() else " " for c in digits).split())


def note_text(text: str, limit: int = NOTE_MAX) -> str:
    """A note as kept: bounded, and never a fødselsnummer (the member id says who)."""
    cleaned = bounded(text, limit)
    if has_national_id(cleaned):
        raise PromiseError("no fødselsnummer in a note: the member is already linked")
    return cleaned


def bounded(text: str, limit: int = NOTE_MAX) -> str:
    """Free text as kept: control characters out, whitespace collapsed, at most `limit`."""
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    cleaned = " ".join(cleaned.split())
    if len(cleaned) > limit:
        raise PromiseError(f"keep it under {limit} characters (it is {len(cleaned)})")
    return cleaned
