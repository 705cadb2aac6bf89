"""The identity check walks the switchboard procedure's paths, and refuses to skip a step."""

import pytest

from switchboard.screen.fnr import check_fnr
from switchboard.screen.identity import (
    MAX_TRIES,
    Agree,
    Agreement,
    Answer,
    Choose,
    Consent,
    FnrGiven,
    IdentityCheck,
    KidGiven,
    MemberIdentity,
    Method,
    NameMatches,
    Restart,
    Situation,
    Step,
    advance,
    outcome_text,
)
from switchboard.screen.kid import KidCheck, check_kid

GOOD_FNR = check_fnr("31129956715")
BAD_FNR = check_fnr("31129956716")
GOOD_KID = KidCheck("012345612", "123456", "mod10")
BAD_KID = check_kid("12x")


def walk(*answers: Answer) -> IdentityCheck:
    check = IdentityCheck()
    for answer in answers:
        check = advance(check, answer)
    return check


PATHS = [
    # (answers, verified, method, agreement, member)
    ([Choose(Situation.OWN_RECOGNISED)], True, Method.RECOGNISED, None, None),
    (
        [Choose(Situation.OWN), MemberIdentity(GOOD_FNR, "m1", fnr_matches=True)],
        True, Method.FNR_AND_MEMBER_NUMBER, None, "m1",
    ),
    (
        [Choose(Situation.BEHALF_INVOICE), KidGiven(GOOD_KID, "m2"), NameMatches(True),
         FnrGiven(GOOD_FNR, matches=True)],
        True, Method.KID_NAME_FNR, None, "m2",
    ),
    (
        [Choose(Situation.BEHALF_INVOICE), KidGiven(GOOD_KID, "m2"), NameMatches(False)],
        False, None, None, "m2",
    ),
    (
        [Choose(Situation.BEHALF_CASE), Consent(True),
         MemberIdentity(GOOD_FNR, "m3", fnr_matches=True), Agree(Agreement.WE_CALL_CALLER)],
        True, Method.ORAL_CONSENT, Agreement.WE_CALL_CALLER, "m3",
    ),
    (
        [Choose(Situation.BEHALF_CASE), Consent(False), Agree(Agreement.CALLER_CALLS_BACK)],
        False, None, Agreement.CALLER_CALLS_BACK, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize(("answers", "verified", "method", "agreement", "member"), PATHS)
def test_each_path_of_the_procedure(
    answers: list[Answer],
    verified: bool,
    method: Method | None,
    agreement: Agreement | None,
    member: str | None,
) -> None:
    check = walk(*answers)
    assert check.done
    assert (check.verified, check.method, check.agreement, check.member_id) == (
        verified,
        method,
        agreement,
        member,
    )


@pytest.mark.parametrize(
    ("answers", "step"),
    [
        ([Choose(Situation.OWN)], Step.FNR_AND_MEMBER_NUMBER),
        ([Choose(Situation.BEHALF_INVOICE)], Step.KID),
        ([Choose(Situation.BEHALF_INVOICE), KidGiven(GOOD_KID, "m2")], Step.NAME),
        ([Choose(Situation.BEHALF_INVOICE), KidGiven(GOOD_KID, "m2"), NameMatches(True)], Step.FNR),
        ([Choose(Situation.BEHALF_CASE)], Step.CONSENT),
        ([Choose(Situation.BEHALF_CASE), Consent(True)], Step.MEMBER_ON_PHONE),
        ([Choose(Situation.BEHALF_CASE), Consent(False)], Step.AGREEMENT),
    ],
)
def test_the_next_step_after_each_answer(answers: list[Answer], step: Step) -> None:
    assert walk(*answers).step is step


def test_on_behalf_about_an_invoice_the_name_comes_before_the_fodselsnummer() -> None:
    check = walk(Choose(Situation.BEHALF_INVOICE), KidGiven(GOOD_KID, "m2"))
    skipped = advance(check, FnrGiven(GOOD_FNR, matches=True))
    assert skipped.step is Step.NAME
    assert not skipped.verified
    assert "not expected now" in skipped.problem


def test_a_typing_mistake_is_explained_and_does_not_use_up_a_try() -> None:
    check = walk(Choose(Situation.OWN), MemberIdentity(BAD_FNR, None, fnr_matches=False))
    assert (check.step, check.tries) == (Step.FNR_AND_MEMBER_NUMBER, 0)
    assert "second check digit" in check.problem
    bad_kid = walk(Choose(Situation.BEHALF_INVOICE), KidGiven(BAD_KID, None))
    assert (bad_kid.step, bad_kid.tries, bad_kid.problem) == (Step.KID, 0, BAD_KID.problem)


def test_wrong_answers_end_the_check_unverified_after_the_last_try() -> None:
    check = walk(Choose(Situation.OWN))
    for n in range(1, MAX_TRIES):
        check = advance(check, MemberIdentity(GOOD_FNR, "m1", fnr_matches=False))
        assert (check.step, check.tries) == (Step.FNR_AND_MEMBER_NUMBER, n)
        assert f"try {n} of {MAX_TRIES}" in check.problem
    check = advance(check, MemberIdentity(GOOD_FNR, "m1", fnr_matches=False))
    assert check.done
    assert not check.verified
    assert outcome_text(check) == "not verified: give no details"


def test_an_unknown_member_number_counts_as_a_failed_try() -> None:
    check = walk(Choose(Situation.OWN), MemberIdentity(GOOD_FNR, None, fnr_matches=False))
    assert check.tries == 1
    assert "no member with that number" in check.problem


def test_a_failed_identity_on_the_case_path_still_ends_with_an_agreement() -> None:
    check = walk(Choose(Situation.BEHALF_CASE), Consent(True))
    for _ in range(MAX_TRIES):
        check = advance(check, MemberIdentity(GOOD_FNR, "m3", fnr_matches=False))
    assert (check.step, check.verified) == (Step.AGREEMENT, False)
    check = advance(check, Agree(Agreement.WE_CALL_MEMBER))
    assert outcome_text(check) == "not verified: give no details; agreed: we call the member"


def test_the_check_can_start_over() -> None:
    assert walk(Choose(Situation.OWN_RECOGNISED), Restart()) == IdentityCheck()


def test_the_state_never_holds_a_typed_number() -> None:
    check = walk(Choose(Situation.OWN), MemberIdentity(GOOD_FNR, "m1", fnr_matches=True))
    assert GOOD_FNR.digits not in repr(check)


def test_a_finished_check_ignores_further_answers() -> None:
    check = walk(Choose(Situation.OWN_RECOGNISED))
    assert advance(check, Consent(True)).verified
    assert advance(check, Consent(True)).method is Method.RECOGNISED
