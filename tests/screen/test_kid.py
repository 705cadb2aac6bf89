"""KID numbers read from an invoice: check digit (MOD10 or MOD11) and the member number."""

import pytest

from switchboard.screen.kid import KidLayout, check_kid, mod10_digit, mod11_digit


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("7992739871", "3"),  # the textbook Luhn example 79927398713
        ("1234567", "4"),  # Nets' MOD10 example KID 12345674
        ("0000000", "0"),
    ],
)
def test_mod10_check_digit(body: str, digit: str) -> None:
    assert mod10_digit(body) == digit


@pytest.mark.parametrize(
    ("body", "digit"),
    [
        ("1234567", "4"),  # weights 2-7 from the right: 106 % 11 = 7, 11 - 7 = 4
        ("0000001", "9"),  # 1 * 2 = 2, 11 - 2 = 9
        ("0000000", "0"),  # remainder 0 gives 0, not 11
    ],
)
def test_mod11_check_digit(body: str, digit: str) -> None:
    assert mod11_digit(body) == digit


def test_mod11_uses_a_dash_where_ten_would_be_needed() -> None:
    bodies = [f"{n:08d}" for n in range(1000, 2000)]
    dashes = [b for b in bodies if mod11_digit(b) == "-"]
    assert dashes  # some bodies need '-'
    assert check_kid(dashes[0] + "-", KidLayout(min_length=9)).ok


LAYOUT = KidLayout(member_digits=7, min_length=10, max_length=15)


@pytest.mark.parametrize("algorithm", ["mod10", "mod11"])
def test_a_valid_kid_gives_the_member_number_from_its_leading_digits(algorithm: str) -> None:
    body = "0123456" + "202611"  # member 123456, then the invoice run
    digit = mod10_digit(body) if algorithm == "mod10" else mod11_digit(body)
    verdict = check_kid(body + digit, LAYOUT)
    assert verdict.ok, verdict.problem
    assert (verdict.member_number, verdict.algorithm) == ("123456", algorithm)


@pytest.mark.parametrize(
    ("kid", "problem"),
    [
        ("", "type the KID"),
        ("12345a67890", "digits only"),
        ("123456789", "10-15 digits; this has 9"),
        ("1234567890123456", "this has 16"),
    ],
)
def test_malformed_kids_are_refused_with_the_reason(kid: str, problem: str) -> None:
    verdict = check_kid(kid, LAYOUT)
    assert problem in verdict.problem


def test_a_misread_digit_is_caught_by_the_check_digit() -> None:
    body = "0123456202611"
    good = body + mod10_digit(body)
    misread = good[:3] + str((int(good[3]) + 1) % 10) + good[4:]
    verdict = check_kid(misread, KidLayout(member_digits=7, algorithms=("mod10",)))
    assert "check digit does not fit (MOD10)" in verdict.problem


def test_spaces_read_out_in_groups_are_ignored() -> None:
    body = "0123456202611"
    kid = body + mod10_digit(body)
    assert check_kid(" ".join([kid[:4], kid[4:8], kid[8:]]), LAYOUT).ok
