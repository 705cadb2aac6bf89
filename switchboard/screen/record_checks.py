"""The record checks every answered call makes, whatever it is about (seed 003), pure."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from switchboard.ivr.caller_id import split_loop_suffix
from switchboard.screen.member import Member


class Flag(StrEnum):
    PHONE_DIFFERS = "phone-differs"
    NO_EMAIL = "no-email"
    RETURNED_MAGAZINE = "returned-magazine"
    PLACEHOLDER_FNR = "placeholder-fnr"


@dataclass(frozen=True, slots=True)
class RecordFlag:
    flag: Flag
    text: str  # what the agent should do, in one sentence
    field: str  # the field a correction writes


def national_number(number: str) -> str:
    """A Norwegian number as eight digits: no +47/0047, no spaces."""
    digits = "".join(c for c in number if c.isdigit())
    if number.strip().startswith("+47") or (digits.startswith("0047") and len(digits) == 12):
        digits = digits[-8:]
    elif digits.startswith("47") and len(digits) == 10:
        digits = digits[2:]
    return digits


def strip_suffix(number: str) -> str:
    """The caller's own number without the three-digit loop suffix (90595313-111 → 90595313)."""
    return split_loop_suffix(number)[0]


def caller_key(number: str) -> str:
    """A delivered number as the directory files phones: eight digits, no suffix, no +47."""
    return national_number(strip_suffix(number))


def record_flags(member: Member, calling_number: str) -> tuple[RecordFlag, ...]:
    """What is missing or wrong in the member's record, to fix while they are on the line."""
    flags = []
    calling = caller_key(calling_number)
    if calling and national_number(member.phone) != calling:
        registered = member.phone or "no number"
        flags.append(
            RecordFlag(
                Flag.PHONE_DIFFERS,
                f"Registered phone ({registered}) differs from the calling number: "
                "ask which is right.",
                "phone",
            )
        )
    if not member.email:
        flags.append(RecordFlag(Flag.NO_EMAIL, "No e-mail on file: offer to add one.", "email"))
    if member.returned_magazine:
        flags.append(
            RecordFlag(
                Flag.RETURNED_MAGAZINE,
                "The magazine came back from this address: ask for the right address "
                "(saving it clears the mark).",
                "address",
            )
        )
    if member.placeholder_fnr:
        flags.append(
            RecordFlag(
                Flag.PLACEHOLDER_FNR,
                "The record has a placeholder personal number (e.g. 00100): ask for the real "
                "fødselsnummer.",
                "fnr",
            )
        )
    return tuple(flags)
