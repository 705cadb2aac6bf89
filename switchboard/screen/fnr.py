"""Norwegian fødselsnummer, D-number and H-number: format and check digits (pure).

Check digits follow Skatteetaten: k2 as always; k1 as before 2032 (remainder 0) or, for
numbers issued from 1 January 2032, with remainder 0, 1, 2 or 3, so k1 may take four values.
Both rules are read side by side, as Skatteetaten asks of every system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

K1_WEIGHTS = (3, 7, 6, 1, 8, 9, 4, 5, 2, 1)  # the last weight applies to k1 itself
K2_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
NEW_RULE_REMAINDERS = frozenset({1, 2, 3})  # besides 0, allowed from 2032


class NumberKind(StrEnum):
    FODSELSNUMMER = "fødselsnummer"
    D_NUMBER = "D-number"
    H_NUMBER = "H-number"


@dataclass(frozen=True, slots=True)
class FnrCheck:
    """The verdict on a typed number; `problem` says what is wrong in words an agent can read."""

    digits: str = ""
    kind: NumberKind | None = None
    birth_date: date | None = None
    rule_2032: bool = False  # k1 is valid only under the rule for numbers issued from 2032
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def _remainder(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def _centuries(individual: int, yy: int) -> tuple[int, ...]:
    """Candidate centuries by the individual-number series (before 2032 these were exact)."""
    found = []
    if 500 <= individual <= 749 and yy >= 54:
        found.append(1800)
    if individual <= 499 or (individual >= 900 and yy >= 40):
        found.append(1900)
    if individual >= 500 and yy <= 39:
        found.append(2000)
    return tuple(found)


def _birth_date(day: int, month: int, yy: int, individual: int, new_rule: bool) -> date | None:
    # A number issued from 2032 no longer tells the century; any real date will do then.
    centuries = (2000, 1900) if new_rule else _centuries(individual, yy) or (2000, 1900)
    for century in centuries:
        try:
            return date(century + yy, month, day)
        except ValueError:
            continue
    return None


def check_fnr(text: str) -> FnrCheck:
    """Validate a typed fødselsnummer, D-number or H-number (spaces and dots are ignored)."""
    digits = "".join(c for c in text if c not in " .-")
    if not digits:
        return FnrCheck(problem="type the 11 digits")
    if not digits.isdigit():
        return FnrCheck(problem="only digits, please: a fødselsnummer is 11 digits")
    if len(digits) != 11:
        return FnrCheck(problem=f"a fødselsnummer has 11 digits; this has {len(digits)}")
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    kind = NumberKind.FODSELSNUMMER
    if day > 40:
        kind, day = NumberKind.D_NUMBER, day - 40
    if month > 80:
        return FnrCheck(digits, problem="a synthetic test number (month + 80), not a real person")
    if month > 40:
        if kind is NumberKind.D_NUMBER:
            return FnrCheck(digits, problem="day and month both shifted: not a valid number")
        kind, month = NumberKind.H_NUMBER, month - 40
    r1 = _remainder(digits[:10], K1_WEIGHTS)
    if r1 != 0 and r1 not in NEW_RULE_REMAINDERS:
        return FnrCheck(digits, kind, problem="first check digit (10th) is wrong: ask again")
    if _remainder(digits, K2_WEIGHTS) != 0:
        return FnrCheck(digits, kind, problem="second check digit (11th) is wrong: ask again")
    born = _birth_date(day, month, yy, int(digits[6:9]), r1 != 0)
    if born is None:
        return FnrCheck(digits, kind, problem=f"{digits[:6]} is not a date of birth")
    return FnrCheck(digits, kind, born, rule_2032=r1 != 0)


def is_placeholder(personal_number: str, placeholders: frozenset[str]) -> bool:
    """Whether a *registered* number carries a placeholder personnummer (e.g. …00100)."""
    digits = "".join(c for c in personal_number if c.isdigit())
    return len(digits) != 11 or digits[6:] in placeholders


def with_check_digits(first_nine: str, k1_remainder: int = 0) -> str | None:
    """The 11-digit number for a date and individual number (None: no valid check digits).

    `k1_remainder` 1-3 gives the numbers issued from 2032. Used for invented sample members.
    """
    k1 = (11 + k1_remainder - _remainder(first_nine + "0", K1_WEIGHTS)) % 11
    if k1 == 10:
        return None
    k2 = (11 - _remainder(first_nine + str(k1) + "0", K2_WEIGHTS)) % 11
    return None if k2 == 10 else f"{first_nine}{k1}{k2}"
