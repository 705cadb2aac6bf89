"""What the agent typed into the identity check, turned into verdicts for the wizard.

The typed numbers are validated and compared here, through the directory, and go no further:
the wizard's state receives only "valid", "matches", "which member".
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from typing import TypeVar

from switchboard.screen import identity as wizard
from switchboard.screen.directory import DirectoryError, MemberDirectory
from switchboard.screen.fnr import FnrCheck, check_fnr
from switchboard.screen.kid import KidLayout, check_kid
from switchboard.screen.member import Member

T = TypeVar("T")


class Refused(Exception):
    """A request the agent may not make, or one that cannot be carried out; says why."""


async def asked(pending: Awaitable[T]) -> T:
    """A directory answer, or a refusal that says the directory failed and how."""
    try:
        return await pending
    except DirectoryError as exc:
        raise Refused(f"member directory: {exc}") from None


async def verdict(
    check: wizard.IdentityCheck,
    answer: Mapping[str, object],
    member: Member | None,
    directory: MemberDirectory,
    kid_layout: KidLayout,
) -> wizard.Answer:
    """The wizard's answer from what the agent typed: numbers checked, then only verdicts."""

    def text(key: str) -> str:
        value = answer.get(key)
        if not isinstance(value, str):
            raise Refused(f"{key!r} must be text")
        return value

    if answer.get("restart") is True:
        return wizard.Restart()
    step = check.step
    if step is wizard.Step.SITUATION:
        try:
            return wizard.Choose(wizard.Situation(text("situation")))
        except ValueError:
            raise Refused("unknown situation") from None
    if step in (wizard.Step.FNR_AND_MEMBER_NUMBER, wizard.Step.MEMBER_ON_PHONE):
        fnr = check_fnr(text("fnr"))
        number = text("member_number").strip()
        found = await asked(directory.by_member_number(number))
        if found is None and step is wizard.Step.MEMBER_ON_PHONE:  # "… evt. mobilnummer"
            by_phone = await asked(directory.by_phone(number))
            found = by_phone[0] if len(by_phone) == 1 else None
        matches = await _is_members_fnr(fnr, found, directory)
        placeholder = found is not None and found.placeholder_fnr
        return wizard.MemberIdentity(fnr, found.id if found else None, matches, placeholder)
    if step is wizard.Step.KID:
        kid = check_kid(text("kid"), kid_layout)
        found = await asked(directory.by_member_number(kid.member_number)) if kid.ok else None
        return wizard.KidGiven(kid, found.id if found else None)
    if step is wizard.Step.NAME:
        return wizard.NameMatches(answer.get("name_matches") is True)
    if step is wizard.Step.FNR:
        fnr = check_fnr(text("fnr"))
        matches = await _is_members_fnr(fnr, member, directory)
        return wizard.FnrGiven(fnr, matches, member is not None and member.placeholder_fnr)
    if step is wizard.Step.CONSENT:
        return wizard.Consent(answer.get("consent") is True)
    if step is wizard.Step.AGREEMENT:
        try:
            return wizard.Agree(wizard.Agreement[text("agreement").upper().replace("-", "_")])
        except KeyError:
            raise Refused("unknown agreement") from None
    raise Refused("the identity check is finished; start over to check again")


async def _is_members_fnr(fnr: FnrCheck, member: Member | None, directory: MemberDirectory) -> bool:
    """Whether a valid typed number is the member's (the directory compares; we keep a yes/no)."""
    if not fnr.ok or member is None:
        return False
    return await asked(directory.fnr_matches(member.id, fnr.digits))
