"""The identity check before anything about membership, personal data or a case (pure).

The steps are the switchboard procedure's (seed 003):
- a member calling who is not recognised gives fødselsnummer *and* member number;
- someone calling on a member's behalf about an invoice reads the KID (its leading digits
  are the member number), the name they give must match, then the fødselsnummer;
- someone calling about a member's case learns nothing without the member's oral consent:
  the agent speaks with the member (identified like a caller), or agrees who calls whom back.

`advance(check, answer)` is a pure state machine. The shell validates what was typed, looks
the member up and passes only the verdicts in: no typed number ever enters the state.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

from switchboard.screen.fnr import FnrCheck
from switchboard.screen.kid import KidCheck

MAX_TRIES = 3
PLACEHOLDER_PROBLEM = (
    "the record holds a placeholder personal number, so there is nothing to check against: "
    "save the real fødselsnummer in the record (after checking it on their papers), then check"
)


class Situation(StrEnum):
    OWN_RECOGNISED = "own-recognised"  # the member calls and the agent knows them
    OWN = "own"  # the member calls, not recognised
    BEHALF_INVOICE = "behalf-invoice"  # someone else calls about the member's invoice
    BEHALF_CASE = "behalf-case"  # someone else calls about the member's case


class Step(StrEnum):
    SITUATION = "situation"
    FNR_AND_MEMBER_NUMBER = "fnr-and-member-number"
    KID = "kid"
    NAME = "name"
    FNR = "fnr"
    CONSENT = "consent"
    MEMBER_ON_PHONE = "member-on-phone"  # consent path: the member identifies themself
    AGREEMENT = "agreement"
    DONE = "done"


class Method(StrEnum):
    RECOGNISED = "recognised by the agent"
    FNR_AND_MEMBER_NUMBER = "fødselsnummer and member number"
    KID_NAME_FNR = "invoice KID, name and fødselsnummer"
    ORAL_CONSENT = "the member's oral consent"


class Agreement(StrEnum):
    CALLER_CALLS_BACK = "the caller calls back"
    WE_CALL_MEMBER = "we call the member"
    WE_CALL_CALLER = "we call the caller back"


# --- answers the shell passes in (verdicts only) -------------------------------------


@dataclass(frozen=True, slots=True)
class Choose:
    situation: Situation


@dataclass(frozen=True, slots=True)
class MemberIdentity:
    """Fødselsnummer and member number (or, on the consent path, mobile) as checked."""

    fnr: FnrCheck
    member_id: str | None  # the member the number given points to, if any
    fnr_matches: bool  # the fødselsnummer is that member's
    record_placeholder: bool = False  # the record holds a stand-in number: nothing to compare


@dataclass(frozen=True, slots=True)
class KidGiven:
    kid: KidCheck
    member_id: str | None  # the member whose number leads the KID, if any


@dataclass(frozen=True, slots=True)
class NameMatches:
    matches: bool


@dataclass(frozen=True, slots=True)
class FnrGiven:
    fnr: FnrCheck
    matches: bool  # the fødselsnummer is the member's (from the KID)
    record_placeholder: bool = False


@dataclass(frozen=True, slots=True)
class Consent:
    given: bool


@dataclass(frozen=True, slots=True)
class Agree:
    agreement: Agreement


@dataclass(frozen=True, slots=True)
class Restart:
    pass


Answer = Choose | MemberIdentity | KidGiven | NameMatches | FnrGiven | Consent | Agree | Restart


@dataclass(frozen=True, slots=True)
class IdentityCheck:
    """Where one call's identity check stands."""

    step: Step = Step.SITUATION
    situation: Situation | None = None
    member_id: str | None = None
    tries: int = 0
    verified: bool = False
    method: Method | None = None
    agreement: Agreement | None = None
    problem: str = ""  # what was wrong with the last answer

    @property
    def done(self) -> bool:
        return self.step is Step.DONE


_FIRST_STEP = {
    Situation.OWN: Step.FNR_AND_MEMBER_NUMBER,
    Situation.BEHALF_INVOICE: Step.KID,
    Situation.BEHALF_CASE: Step.CONSENT,
}
_EXPECTS: dict[Step, type] = {
    Step.SITUATION: Choose,
    Step.FNR_AND_MEMBER_NUMBER: MemberIdentity,
    Step.MEMBER_ON_PHONE: MemberIdentity,
    Step.KID: KidGiven,
    Step.NAME: NameMatches,
    Step.FNR: FnrGiven,
    Step.CONSENT: Consent,
    Step.AGREEMENT: Agree,
}


def advance(check: IdentityCheck, answer: Answer) -> IdentityCheck:
    """The check after one answer; an answer that does not fit the step changes nothing."""
    if isinstance(answer, Restart):
        return IdentityCheck()
    if check.done or not isinstance(answer, _EXPECTS[check.step]):
        return dataclasses.replace(check, problem=f"not expected now (step: {check.step})")
    ok = dataclasses.replace(check, problem="")
    if isinstance(answer, Choose):
        if answer.situation is Situation.OWN_RECOGNISED:
            return _verified(ok, answer.situation, Method.RECOGNISED)
        return dataclasses.replace(
            ok, situation=answer.situation, step=_FIRST_STEP[answer.situation]
        )
    if isinstance(answer, MemberIdentity):
        if not answer.fnr.ok:
            return _retry(check, answer.fnr.problem)
        if answer.member_id is None:
            return _failed(check, "no member with that number: ask them to read it again")
        if answer.record_placeholder:
            return _retry(check, PLACEHOLDER_PROBLEM)
        if not answer.fnr_matches:
            return _failed(check, "the fødselsnummer is not that member's")
        method = (
            Method.ORAL_CONSENT if check.step is Step.MEMBER_ON_PHONE
            else Method.FNR_AND_MEMBER_NUMBER
        )  # fmt: skip
        done = _verified(ok, check.situation, method)
        if method is Method.ORAL_CONSENT:  # the member agreed: now settle who calls whom
            return dataclasses.replace(done, step=Step.AGREEMENT, member_id=answer.member_id)
        return dataclasses.replace(done, member_id=answer.member_id)
    if isinstance(answer, KidGiven):
        if not answer.kid.ok:
            return _retry(check, answer.kid.problem)
        if answer.member_id is None:
            return _failed(check, f"no member number {answer.kid.member_number} behind that KID")
        return dataclasses.replace(ok, member_id=answer.member_id, step=Step.NAME)
    if isinstance(answer, NameMatches):
        if not answer.matches:
            return _not_verified(check, "the name does not match the invoice's member")
        return dataclasses.replace(ok, step=Step.FNR)
    if isinstance(answer, FnrGiven):
        if not answer.fnr.ok:
            return _retry(check, answer.fnr.problem)
        if answer.record_placeholder:
            return _retry(check, PLACEHOLDER_PROBLEM)
        if not answer.matches:
            return _failed(check, "the fødselsnummer is not the invoice's member's")
        return _verified(ok, check.situation, Method.KID_NAME_FNR)
    if isinstance(answer, Consent):
        if answer.given:
            return dataclasses.replace(ok, step=Step.MEMBER_ON_PHONE)
        return dataclasses.replace(ok, step=Step.AGREEMENT)
    assert isinstance(answer, Agree)
    return dataclasses.replace(ok, agreement=answer.agreement, step=Step.DONE)


def _verified(check: IdentityCheck, situation: Situation | None, method: Method) -> IdentityCheck:
    return dataclasses.replace(
        check, situation=situation, verified=True, method=method, step=Step.DONE
    )


def _retry(check: IdentityCheck, problem: str) -> IdentityCheck:
    """A typing mistake: say what is wrong; it does not count as a failed try."""
    return dataclasses.replace(check, problem=problem)


def _failed(check: IdentityCheck, problem: str) -> IdentityCheck:
    tries = check.tries + 1
    if tries >= MAX_TRIES:
        return _not_verified(
            dataclasses.replace(check, tries=tries), f"{problem}; {tries} tries, not verified"
        )
    return dataclasses.replace(
        check, tries=tries, problem=f"{problem} (try {tries} of {MAX_TRIES})"
    )


def _not_verified(check: IdentityCheck, problem: str) -> IdentityCheck:
    # On the case path a failed identity still needs a callback agreement.
    step = Step.AGREEMENT if check.situation is Situation.BEHALF_CASE else Step.DONE
    return dataclasses.replace(check, verified=False, problem=problem, step=step)


INSTRUCTIONS: dict[Step, str] = {
    Step.SITUATION: "Before anything about membership, personal data or a case: who is calling?",
    Step.FNR_AND_MEMBER_NUMBER: "Ask for both the fødselsnummer and the member number.",
    Step.KID: "Ask the caller to read the KID number from the invoice.",
    Step.NAME: "Ask for the member's name. Does it match the name shown?",
    Step.FNR: "Now ask for the member's fødselsnummer.",
    Step.CONSENT: (
        "We need the member's oral consent to discuss a case with anyone else. Speak with "
        "the member: do they agree that the caller may know about membership and case?"
    ),
    Step.MEMBER_ON_PHONE: (
        "With the member on the phone: ask for fødselsnummer and member number (or mobile)."
    ),
    Step.AGREEMENT: "Agree with the caller who calls whom back.",
    Step.DONE: "",
}


def outcome_text(check: IdentityCheck) -> str:
    """One line for the screen and the record: verified how, or not, and what was agreed."""
    if not check.done and check.step is not Step.AGREEMENT:
        return ""
    head = f"verified: {check.method}" if check.verified else "not verified: give no details"
    return head + (f"; agreed: {check.agreement}" if check.agreement else "")
