"""A member as the directory returns it, and what agents may correct in the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CorrectableField = Literal["phone", "email", "address", "fnr"]
CORRECTABLE: tuple[CorrectableField, ...] = ("phone", "email", "address", "fnr")


@dataclass(frozen=True, slots=True)
class Member:
    """What the screen shows of a member: never the fødselsnummer itself."""

    id: str
    member_number: str
    name: str
    phone: str
    email: str
    address: str
    returned_magazine: bool = False
    placeholder_fnr: bool = False  # the record's personal number is a stand-in (…00100)


@dataclass(frozen=True, slots=True)
class Correction:
    """One field put right by an agent during a call; the directory notes who and when."""

    member_id: str
    field: CorrectableField
    value: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class IdentityRecord:
    """The outcome of an identity check as recorded: never the numbers that were typed."""

    call_id: str
    member_id: str | None
    verified: bool
    method: str
    agreement: str
    by: str
    at: datetime
