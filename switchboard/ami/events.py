"""Typed AMI events: frozen dataclasses built from raw fields on arrival (the member events
frozen to the type checker only, see `_member_dataclass`).

Names and fields are those Asterisk 22 sends (see shared/ami-transcripts/README.md).
Events the router does not model stay `RawEvent`; a known event whose fields do
not decode becomes a `RawEvent` with `error` set, never an exception.

Our dialplan's UserEvents are input, not truth: anyone with AMI `user` write rights, or a
caller with a forged caller id, can shape them. Every field must have the shape the
dialplan (switchboard/ivr/dialplan.py) gives it; whether a loop exists is checked by ivr.forged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import TypeVar, dataclass_transform

from switchboard.ami.frame import Fields, parse_text

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def _member_dataclass(cls: type[_T]) -> type[_T]:
    """Frozen to the type checker (nothing may change an event), a plain slotted class at
    run time: a frozen __init__ sets each of the 13 fields through object.__setattr__,
    4.8 us against 0.8 us, and a restart decodes 30,000 of these, a meeting start 3,000."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


class DeviceStatus(IntEnum):
    """Numeric device state of a queue member (the `Status` field)."""

    UNKNOWN = 0
    NOT_INUSE = 1
    INUSE = 2
    BUSY = 3
    INVALID = 4
    UNAVAILABLE = 5
    RINGING = 6
    RINGINUSE = 7
    ONHOLD = 8


class RawEvent:
    """An event the router does not model, or one that failed to decode (`error`).

    Most of Asterisk's traffic is such events (VarSet, Newexten, ...) and nobody reads their
    fields, so the reader may hand over the message text instead: its fields are split on
    first access (raising FrameError then if the message is not `Key: Value` lines).
    """

    __slots__ = ("_fields", "_text", "error", "name")

    def __init__(self, name: str, fields: Fields | None = None, error: str = "") -> None:
        self.name = name
        self.error = error
        self._fields = fields
        self._text = ""

    @classmethod
    def unparsed(cls, name: str, text: str) -> RawEvent:
        """An event known only by name so far; `text` is its whole message."""
        event = cls(name)
        event._text = text
        return event

    @property
    def fields(self) -> Fields:
        if self._fields is None:
            self._fields = parse_text(self._text)
        return self._fields

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RawEvent):
            return NotImplemented
        return (self.name, self.error, self.fields) == (other.name, other.error, other.fields)

    __hash__ = None  # type: ignore[assignment]  # mutable fields inside, as before

    def __repr__(self) -> str:
        error = f", error={self.error!r}" if self.error else ""
        return f"RawEvent(name={self.name!r}{error})"


@_member_dataclass
class MemberEvent:
    """The member block shared by QueueMember* events and QueueStatus `QueueMember` items."""

    queue: str
    interface: str
    name: str
    state_interface: str
    membership: str
    penalty: int
    calls_taken: int
    last_pause: int
    login_time: int
    in_call: bool
    status: DeviceStatus
    paused: bool
    paused_reason: str


@_member_dataclass
class QueueMemberAdded(MemberEvent):
    pass


@_member_dataclass
class QueueMemberRemoved(MemberEvent):
    pass


@_member_dataclass
class QueueMemberPause(MemberEvent):
    """Both pause and unpause (`paused` says which); the reason survives an unpause."""


@_member_dataclass
class QueueMemberStatus(MemberEvent):
    pass


@_member_dataclass
class QueueMemberPenalty(MemberEvent):
    pass


@_member_dataclass
class QueueMember(MemberEvent):
    """A QueueStatus list item; on the wire it says `Name`/`Location`, here normalised."""


@dataclass(frozen=True, slots=True)
class CallerEvent:
    """Caller channel block fields the router uses."""

    queue: str
    channel: str
    uniqueid: str
    linkedid: str
    caller_num: str
    caller_name: str


@dataclass(frozen=True, slots=True)
class QueueCallerJoin(CallerEvent):
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerLeave(CallerEvent):
    position: int
    count: int


@dataclass(frozen=True, slots=True)
class QueueCallerAbandon(CallerEvent):
    position: int
    original_position: int
    hold_time_s: int


@dataclass(frozen=True, slots=True)
class AgentEvent(CallerEvent):
    """Agent* events: caller block plus the member that was dialled."""

    interface: str
    member_name: str
    dest_channel: str


@dataclass(frozen=True, slots=True)
class AgentCalled(AgentEvent):
    pass


@dataclass(frozen=True, slots=True)
class AgentConnect(AgentEvent):
    hold_time_s: int
    ring_time_s: float  # Asterisk sends seconds here


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswer(AgentEvent):
    ring_time_s: float  # Asterisk sends milliseconds here; converted


@dataclass(frozen=True, slots=True)
class AgentComplete(AgentEvent):
    hold_time_s: int
    talk_time_s: int
    reason: str  # "agent" or "caller": who hung up first


@dataclass(frozen=True, slots=True)
class QueueParams:
    queue: str
    strategy: str
    calls: int
    completed: int
    abandoned: int


@dataclass(frozen=True, slots=True)
class QueueEntry:
    queue: str
    position: int
    channel: str
    uniqueid: str
    caller_num: str
    caller_name: str
    wait_s: int


@dataclass(frozen=True, slots=True)
class DtmfEnd:
    channel: str
    uniqueid: str
    linkedid: str
    digit: str
    direction: str


@dataclass(frozen=True, slots=True)
class Hangup:
    channel: str
    uniqueid: str
    linkedid: str
    cause: int


@dataclass(frozen=True, slots=True)
class FullyBooted:
    status: str


@dataclass(frozen=True, slots=True)
class ListComplete:
    """The end of a list reply (`QueueStatusComplete`, `QueueSummaryComplete`, ...)."""

    name: str
    list_items: int


@dataclass(frozen=True, slots=True)
class IvrStep:
    """`UserEvent: SwitchboardIvr` from our dialplan: a caller's step through the menu."""

    channel: str
    uniqueid: str
    linkedid: str
    caller_num: str
    step: str  # choice, invalid, timeout, default, queue, overflow, closed, callback, ...
    digit: str = ""
    loop: str = ""
    language: str = ""
    to: str = ""  # overflow target


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """`UserEvent: SwitchboardCallback`: a caller asked to be called back."""

    channel: str
    uniqueid: str
    linkedid: str
    ref: str
    loop: str
    number: str


@dataclass(frozen=True, slots=True)
class DbEntry:
    """A `DBGetTreeResponse` list item: one AstDB key (full path) and its value."""

    key: str
    value: str


Event = (
    RawEvent
    | IvrStep
    | CallbackRequested
    | DbEntry
    | MemberEvent
    | CallerEvent
    | QueueParams
    | QueueEntry
    | DtmfEnd
    | Hangup
    | FullyBooted
    | ListComplete
)


_FLAGS = {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False, "": False}
# Looked up, not converted: a snapshot of 30,000 members decodes 30,000 of each.
_STATUSES = {str(status.value): status for status in DeviceStatus}


def _flag(value: str) -> bool:
    flag = _FLAGS.get(value)
    if flag is None:
        raise ValueError(f"not a flag: {value!r}")
    return flag


def _status(value: str) -> DeviceStatus:
    status = _STATUSES.get(value)
    return DeviceStatus(int(value)) if status is None else status  # (raises when unknown)


def _member(cls: type[MemberEvent], f: Fields, name_key: str, iface_key: str) -> MemberEvent:
    return cls(
        queue=f["Queue"],
        interface=f[iface_key],
        name=f[name_key],
        state_interface=f["StateInterface"],
        membership=f["Membership"],
        penalty=int(f["Penalty"]),
        calls_taken=int(f["CallsTaken"]),
        last_pause=int(f["LastPause"]),
        login_time=int(f["LoginTime"]),
        in_call=_flag(f["InCall"]),
        status=_status(f["Status"]),
        paused=_flag(f["Paused"]),
        paused_reason=f["PausedReason"],
    )


def _member_event(cls: type[MemberEvent]) -> Callable[[Fields], Event]:
    return lambda f: _member(cls, f, "MemberName", "Interface")


def _caller(f: Fields) -> tuple[str, str, str, str, str, str]:
    return (
        f["Queue"],
        f["Channel"],
        f["Uniqueid"],
        f["Linkedid"],
        f["CallerIDNum"],
        f["CallerIDName"],
    )


def _agent(f: Fields) -> tuple[str, str, str, str, str, str, str, str, str]:
    # A real Asterisk 22.9 (tests/ivr/test_real_asterisk.py) sent AgentComplete without the
    # caller's channel block once that channel was gone; the member fields still count.
    caller = (
        f["Queue"],
        f.get("Channel", ""),
        f.get("Uniqueid", ""),
        f.get("Linkedid", ""),
        f.get("CallerIDNum", ""),
        f.get("CallerIDName", ""),
    )
    return (*caller, f["Interface"], f["MemberName"], f.get("DestChannel", ""))


# The steps our dialplan reports (switchboard/ivr/dialplan.py writes each one).
IVR_STEPS = frozenset(
    {
        "choice",
        "invalid",
        "timeout",
        "default",
        "queue",
        "overflow",
        "closed",
        "callback",
        "no-callback",
        "callback-abandoned",
        "closure",  # a supervisor closed the line or the loop (ivr.closure)
        "consent",  # the recording question: Digit is the consent key, or empty for no
        "rating",  # after the call: Digit is the score
    }
)
# Field shapes as the dialplan writes them: a loop id as the config allows it (or empty:
# a callback asked for while closed has no loop), RAND(100000,999999) for a reference, and
# the number the dialplan accepted (8-15 digits; E.164 has at most 15).
_SHAPES = {
    "Loop": re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}|"),
    "To": re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}|"),
    "Digit": re.compile(r"[0-9*#A-D]{0,40}"),
    "Language": re.compile(r"[A-Za-z0-9_-]{0,16}"),  # also the channel's own: "en", "nb_NO"
    "Ref": re.compile(r"[1-9][0-9]{5}"),
    "Number": re.compile(r"\+?[0-9]{8,15}"),
    # Asterisk's ids: epoch.sequence, prefixed by the systemname when one is set (<= 150).
    "Uniqueid": re.compile(r"[A-Za-z0-9._-]{1,150}"),
    "Linkedid": re.compile(r"[A-Za-z0-9._-]{1,150}"),
}


def _shaped(kind: str, f: Fields, *keys: str) -> None:
    """Raise ValueError naming the first field out of shape (never its value)."""
    for key in keys:
        if not _SHAPES[key].fullmatch(f.get(key, "")):
            raise ValueError(f"{kind} has a malformed {key}")


def _user_event(f: Fields) -> Event:
    kind = f["UserEvent"]
    if kind == "SwitchboardIvr":
        if f["Step"] not in IVR_STEPS:
            raise ValueError(f"{kind} has an unknown Step")
        _shaped(kind, f, "Uniqueid", "Linkedid", "Loop", "To", "Digit", "Language")
        return IvrStep(
            channel=f["Channel"],
            uniqueid=f["Uniqueid"],
            linkedid=f["Linkedid"],
            caller_num=f["CallerIDNum"],
            step=f["Step"],
            digit=f.get("Digit", ""),
            loop=f.get("Loop", ""),
            language=f.get("Language", ""),
            to=f.get("To", ""),
        )
    if kind == "SwitchboardCallback":
        _shaped(kind, f, "Uniqueid", "Linkedid", "Ref", "Loop", "Number")
        return CallbackRequested(
            channel=f["Channel"],
            uniqueid=f["Uniqueid"],
            linkedid=f["Linkedid"],
            ref=f["Ref"],
            loop=f.get("Loop", ""),
            number=f["Number"],
        )
    return RawEvent("UserEvent", f)


DECODERS: dict[str, Callable[[Fields], Event]] = {
    "UserEvent": _user_event,
    "DBGetTreeResponse": lambda f: DbEntry(key=f["Key"], value=f["Val"]),
    "DBGetTreeComplete": lambda f: ListComplete("DBGetTreeComplete", int(f["ListItems"])),
    "QueueMemberAdded": _member_event(QueueMemberAdded),
    "QueueMemberRemoved": _member_event(QueueMemberRemoved),
    "QueueMemberPause": _member_event(QueueMemberPause),
    "QueueMemberStatus": _member_event(QueueMemberStatus),
    "QueueMemberPenalty": _member_event(QueueMemberPenalty),
    "QueueMember": lambda f: _member(QueueMember, f, "Name", "Location"),
    "QueueCallerJoin": lambda f: QueueCallerJoin(
        *_caller(f), position=int(f["Position"]), count=int(f["Count"])
    ),
    "QueueCallerLeave": lambda f: QueueCallerLeave(
        *_caller(f), position=int(f["Position"]), count=int(f["Count"])
    ),
    "QueueCallerAbandon": lambda f: QueueCallerAbandon(
        *_caller(f),
        position=int(f["Position"]),
        original_position=int(f["OriginalPosition"]),
        hold_time_s=int(f["HoldTime"]),
    ),
    "AgentCalled": lambda f: AgentCalled(*_agent(f)),
    "AgentConnect": lambda f: AgentConnect(
        *_agent(f), hold_time_s=int(f["HoldTime"]), ring_time_s=float(f["RingTime"])
    ),
    "AgentRingNoAnswer": lambda f: AgentRingNoAnswer(
        *_agent(f), ring_time_s=int(f["RingTime"]) / 1000
    ),
    "AgentComplete": lambda f: AgentComplete(
        *_agent(f),
        hold_time_s=int(f["HoldTime"]),
        talk_time_s=int(f["TalkTime"]),
        reason=f["Reason"],
    ),
    "QueueParams": lambda f: QueueParams(
        queue=f["Queue"],
        strategy=f["Strategy"],
        calls=int(f["Calls"]),
        completed=int(f["Completed"]),
        abandoned=int(f["Abandoned"]),
    ),
    "QueueEntry": lambda f: QueueEntry(
        queue=f["Queue"],
        position=int(f["Position"]),
        channel=f["Channel"],
        uniqueid=f["Uniqueid"],
        caller_num=f["CallerIDNum"],
        caller_name=f["CallerIDName"],
        wait_s=int(f["Wait"]),
    ),
    "DTMFEnd": lambda f: DtmfEnd(
        channel=f["Channel"],
        uniqueid=f["Uniqueid"],
        linkedid=f["Linkedid"],
        digit=f["Digit"],
        direction=f["Direction"],
    ),
    "Hangup": lambda f: Hangup(
        channel=f["Channel"], uniqueid=f["Uniqueid"], linkedid=f["Linkedid"], cause=int(f["Cause"])
    ),
    "FullyBooted": lambda f: FullyBooted(status=f["Status"]),
    "QueueStatusComplete": lambda f: ListComplete("QueueStatusComplete", int(f["ListItems"])),
    "QueueSummaryComplete": lambda f: ListComplete("QueueSummaryComplete", int(f["ListItems"])),
}


def decode_event(fields: Fields) -> Event:
    """Build the typed event for a raw `Event:` message; never raises."""
    name = fields.get("Event", "")
    decoder = DECODERS.get(name)
    if decoder is None:
        return RawEvent(name, fields)
    try:
        return decoder(fields)
    except KeyError as missing:
        return RawEvent(name, fields, error=f"{name} lacks field {missing.args[0]}")
    except ValueError as bad:
        # The offending value is not echoed: caller fields may hold personal data.
        if str(bad).startswith("Switchboard"):
            return RawEvent(name, fields, error=str(bad))
        kind = "flag" if "flag" in str(bad) else "number or state"
        return RawEvent(name, fields, error=f"{name} has a malformed {kind} value")
