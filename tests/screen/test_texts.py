"""The screen's words in Norwegian: every message the engine shows has a translation."""

import pytest

from switchboard.screen.fnr import check_fnr
from switchboard.screen.identity import INSTRUCTIONS, Step
from switchboard.screen.kid import KidLayout, check_kid
from switchboard.screen.member import Member
from switchboard.screen.record_checks import record_flags
from switchboard.screen.texts import say


@pytest.mark.parametrize(
    ("english", "norwegian"),
    [
        ("verified: fødselsnummer and member number", "bekreftet: fødselsnummer og medlemsnummer"),
        (
            "not verified: give no details; agreed: we call the member",
            "ikke bekreftet: gi ingen opplysninger; avtalt: vi ringer medlemmet",
        ),
        (
            "the fødselsnummer is not that member's (try 2 of 3)",
            "fødselsnummeret tilhører ikke det medlemmet (forsøk 2 av 3)",
        ),
        ("a fødselsnummer has 11 digits; this has 10",
         "et fødselsnummer har 11 sifre; dette har 10"),
        ("until 11:30", "til 11:30"),
        ("by hand: Coaching", "satt på telefonen: Coaching"),
        ("Mon 23 Nov 10:02", "man 23. nov 10:02"),
        (
            "all-day event on Sun 22 Nov is ignored: write it with clock times (e.g. 08:00-15:30) "
            "to be taken out of the queue",
            "heldagsavtalen søn 22. nov teller ikke som opptatt: skriv den med klokkeslett "
            "(f.eks. 08:00-15:30) for å bli tatt ut av køen",
        ),
        ("member directory: member directory unreachable: ConnectError",
         "medlemsregisteret: får ikke kontakt med medlemsregisteret: ConnectError"),
    ],
)  # fmt: skip
def test_messages_with_values_are_translated_around_the_values(
    english: str, norwegian: str
) -> None:
    assert say(english, "no") == norwegian
    assert say(english, "en") == english


def test_every_instruction_validator_message_and_flag_has_norwegian() -> None:
    member = Member("m", "1", "K", "", "", "", returned_magazine=True, placeholder_fnr=True)
    texts = [INSTRUCTIONS[step] for step in Step if INSTRUCTIONS[step]]
    texts += [check_fnr(n).problem for n in ("", "x", "123", "31129956716", "31129956755")]
    texts += [
        check_kid(k, KidLayout(min_length=9)).problem for k in ("", "1a2", "12", "1234567890")
    ]
    texts += [f.text for f in record_flags(member, "41234567")]
    untranslated = [t for t in texts if say(t, "no") == t]
    assert untranslated == []
