"""A member as the directory returns it, and what agents may correct in the record."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

CorrectableField = Literal["phone", "email", "address", "fnr"]
CORRECTABLE: tuple[CorrectableField, ...] = ("phone", "email", "address", "fnr")
# The longest value each field takes: e-mail by RFC 5321, a phone number with its spacing
# (E.164 allows 15 digits), an address as one line of the record (street, postcode, town).
MAX_LENGTHS = {"phone": 24, "email": 254, "address": 200}


def correction_problem(field: str, value: str) -> str | None:
    """What is wrong with a corrected phone, e-mail or address, or None (fnr: screen.fnr)."""
    if not value:
        return "type the new value"
    limit = MAX_LENGTHS.get(field)
    if limit is not None and len(value) > limit:
        return f"{field} is longer than {limit} characters"
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return "the value holds a line break or control character"
    if field == "phone":
        digits = sum(c.isdigit() for c in value)
        if not 8 <= digits <= 15 or value.strip("+0123456789 -") or "+" in value[1:]:
            return "that phone number is not 8-15 digits"
    if field == "email":
        local, at, domain = value.rpartition("@")
        if not at or not local or len(local) > 64 or "." not in domain or " " in value:
            return "that is not an e-mail address"
    return None


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
