"""Fødselsnummer, D- and H-numbers: the agent is told exactly what is wrong with a number."""

from datetime import date

import pytest

from switchboard.screen.fnr import NumberKind, check_fnr, is_placeholder, with_check_digits


def _k(first_nine: str) -> str:
    """Check digits straight from the textbook formula (independent of the code under test)."""
    w1, w2 = (3, 7, 6, 1, 8, 9, 4, 5, 2), (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
    k1 = 11 - sum(int(d) * w for d, w in zip(first_nine, w1, strict=True)) % 11
    k1 = 0 if k1 == 11 else k1
    assert k1 < 10, "pick another individual number for the test"
    k2 = 11 - sum(int(d) * w for d, w in zip(first_nine + str(k1), w2, strict=True)) % 11
    k2 = 0 if k2 == 11 else k2
    assert k2 < 10, "pick another individual number for the test"
    return first_nine + str(k1) + str(k2)


# Skatteetaten's published examples of numbers issued from 2032 ("Nytt fødselsnummer fra 2032",
# Folkeregisteret API documentation): the same date and individual number, k1 of several values.
SKATTEETATEN_2032 = [
    ("02013299997", date(2032, 1, 2), False),  # remainder 0: valid under both rules
    ("02013299903", date(2032, 1, 2), True),  # the "next" number on 999
    ("02013299806", date(2032, 1, 2), False),  # or on 998
    ("30108299920", date(1982, 10, 30), False),  # born 1982, number given in 2032
    ("30108299939", date(1982, 10, 30), True),  # the second person: remainder 1
]


@pytest.mark.parametrize(("number", "born", "new_rule"), SKATTEETATEN_2032)
def test_skatteetatens_2032_examples_are_valid(number: str, born: date, new_rule: bool) -> None:
    verdict = check_fnr(number)
    assert verdict.ok, verdict.problem
    assert verdict.rule_2032 is new_rule
    # A 2032 number no longer tells the century; the date itself must still exist.
    assert verdict.birth_date is not None
    assert (verdict.birth_date.month, verdict.birth_date.day) == (born.month, born.day)


@pytest.mark.parametrize(
    ("number", "kind", "born"),
    [
        ("31129956715", NumberKind.FODSELSNUMMER, date(1899, 12, 31)),  # 500-749 and yy >= 54
        (_k("010190002"), NumberKind.FODSELSNUMMER, date(1990, 1, 1)),
        (_k("150805502"), NumberKind.FODSELSNUMMER, date(2005, 8, 15)),  # 500-999 and yy < 40
        (_k("551265003"), NumberKind.D_NUMBER, date(1965, 12, 15)),  # day + 40
        (_k("015181002"), NumberKind.H_NUMBER, date(1981, 11, 1)),  # month + 40
        ("311 299 567 15", NumberKind.FODSELSNUMMER, date(1899, 12, 31)),  # spaces as read out
    ],
)
def test_valid_numbers_of_each_kind(number: str, kind: NumberKind, born: date) -> None:
    verdict = check_fnr(number)
    assert verdict.ok, verdict.problem
    assert (verdict.kind, verdict.birth_date, verdict.rule_2032) == (kind, born, False)


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("", "type the 11 digits"),
        ("3112995671", "has 11 digits; this has 10"),
        ("311299567155", "this has 12"),
        ("3112995671x", "only digits"),
        ("31129956755", "first check digit (10th) is wrong"),  # remainder 4: no rule allows it
        ("31129956716", "second check digit (11th) is wrong"),
        (_k("310290002"), "310290 is not a date of birth"),  # 31 February
        (_k("290201502")[:9] + "00", "check digit"),
        (_k("010190002")[:2] + "91" + _k("010190002")[4:], "synthetic test number"),
        (_k("414190002"), "day and month both shifted"),
    ],
)
def test_invalid_numbers_say_what_is_wrong(number: str, problem: str) -> None:
    verdict = check_fnr(number)
    assert not verdict.ok
    assert problem in verdict.problem


def test_the_first_check_digit_takes_four_values_from_2032_but_never_more() -> None:
    first_nine = "301082999"
    valid = [k1 for k1 in range(10) for k2 in range(10) if check_fnr(f"{first_nine}{k1}{k2}").ok]
    assert len(valid) == 4  # remainders 0, 1, 2 and 3, each with its one k2


def test_a_first_check_digit_that_would_be_10_is_never_valid() -> None:
    # 020132999 has remainder 2 before k1: remainder 1 would need k1 = 10, so three values.
    valid = [k for k in range(100) if check_fnr(f"020132999{k:02d}").ok]
    assert len(valid) == 3


@pytest.mark.parametrize("remainder", [0, 1, 2, 3])
def test_generated_numbers_pass_the_check(remainder: int) -> None:
    number = with_check_digits("301082999", remainder)
    assert number is not None
    assert check_fnr(number).ok
    assert check_fnr(number).rule_2032 is (remainder != 0)


@pytest.mark.parametrize(
    ("registered", "placeholder"),
    [("01017000100", True), ("0101700010", True), (_k("010190002"), False)],
)
def test_a_placeholder_personal_number_is_recognised(registered: str, placeholder: bool) -> None:
    assert is_placeholder(registered, frozenset({"00100"})) is placeholder
