"""KID (the payment reference on an invoice): check digit and the member number inside it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Algorithm = Literal["mod10", "mod11"]


@dataclass(frozen=True, slots=True)
class KidLayout:
    """Where the member number sits in the organisation's KIDs (configurable per invoice run)."""

    member_digits: int = 7  # the leading digits are the member number
    min_length: int = 9
    max_length: int = 25
    algorithms: tuple[Algorithm, ...] = ("mod10", "mod11")  # accepted check-digit methods


@dataclass(frozen=True, slots=True)
class KidCheck:
    digits: str = ""
    member_number: str = ""
    algorithm: Algorithm | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def mod10_digit(body: str) -> str:
    """The Luhn check digit banks use for MOD10 KIDs."""
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return str((10 - total % 10) % 10)


def mod11_digit(body: str) -> str:
    """The MOD11 check digit (weights 2-7 from the right); '-' where 10 would be needed."""
    total = sum(int(d) * (2 + i % 6) for i, d in enumerate(reversed(body)))
    k = 11 - total % 11
    return "0" if k == 11 else "-" if k == 10 else str(k)


_DIGIT = {"mod10": mod10_digit, "mod11": mod11_digit}


def check_kid(text: str, layout: KidLayout = KidLayout()) -> KidCheck:
    """Validate a KID read aloud from an invoice and take the member number from its start."""
    kid = "".join(c for c in text if c not in " .")
    if not kid:
        return KidCheck(problem="type the KID from the invoice")
    body, last = kid[:-1], kid[-1]
    if not body.isdigit() or not (last.isdigit() or last == "-"):
        return KidCheck(problem="a KID is digits only (the last may be '-')")
    if not layout.min_length <= len(kid) <= layout.max_length:
        return KidCheck(
            problem=f"our KIDs have {layout.min_length}-{layout.max_length} digits; "
            f"this has {len(kid)}"
        )
    for algorithm in layout.algorithms:
        if _DIGIT[algorithm](body) == last:
            member = kid[: layout.member_digits].lstrip("0") or "0"
            return KidCheck(kid, member, algorithm)
    methods = " or ".join(a.upper() for a in layout.algorithms)
    return KidCheck(
        kid, problem=f"the check digit does not fit ({methods}): ask them to read again"
    )
