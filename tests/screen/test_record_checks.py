"""Record checks and the greeting an agent sees when a call rings."""

import dataclasses

import pytest

from switchboard.screen.greeting import Greetings
from switchboard.screen.member import Member
from switchboard.screen.record_checks import Flag, national_number, record_flags, strip_suffix

TIDY = Member("m1", "1000001", "Kari Nordmann", "+47 905 95 313", "kari@example.org", "Storgata 1")


def flags(member: Member, number: str = "90595313-111") -> list[Flag]:
    return [f.flag for f in record_flags(member, number)]


@pytest.mark.parametrize(
    ("changes", "number", "expected"),
    [
        ({}, "90595313-111", []),
        ({}, "+4790595313", []),
        ({}, "004790595313-222", []),
        ({}, "41234567-111", [Flag.PHONE_DIFFERS]),
        ({"phone": ""}, "90595313-111", [Flag.PHONE_DIFFERS]),
        ({"email": ""}, "90595313-111", [Flag.NO_EMAIL]),
        ({"returned_magazine": True}, "90595313-111", [Flag.RETURNED_MAGAZINE]),
        ({"placeholder_fnr": True}, "90595313-111", [Flag.PLACEHOLDER_FNR]),
        (
            {"email": "", "returned_magazine": True, "placeholder_fnr": True},
            "41234567",
            [Flag.PHONE_DIFFERS, Flag.NO_EMAIL, Flag.RETURNED_MAGAZINE, Flag.PLACEHOLDER_FNR],
        ),
        ({}, "", []),  # a withheld number: nothing to compare with
    ],
)
def test_each_record_problem_is_flagged(
    changes: dict[str, object], number: str, expected: list[Flag]
) -> None:
    member = dataclasses.replace(TIDY, **changes)  # type: ignore[arg-type]
    assert flags(member, number) == expected


def test_each_flag_tells_the_agent_what_to_do() -> None:
    member = Member("m1", "1", "K", "", "", "", returned_magazine=True, placeholder_fnr=True)
    texts = {f.flag: f.text for f in record_flags(member, "41234567")}
    assert "offer to add one" in texts[Flag.NO_EMAIL]
    assert "clears the mark" in texts[Flag.RETURNED_MAGAZINE]
    assert "00100" in texts[Flag.PLACEHOLDER_FNR]


@pytest.mark.parametrize(
    ("number", "own"),
    [("90595313-111", "90595313"), ("90595313", "90595313"), ("+47 905-95-313", "+47 905-95-313")],
)
def test_the_loop_suffix_is_not_part_of_the_callers_number(number: str, own: str) -> None:
    assert strip_suffix(number) == own
    assert national_number(strip_suffix("+4790595313-111")) == "90595313"


def test_the_greeting_carries_the_agents_name_and_the_english_alternative() -> None:
    g = Greetings()
    assert g.say("no", "Mette Kvam") == "«Arbeidsmandsforbundet, du snakker med Mette Kvam»"
    assert g.alternative("no", "Mette Kvam") == "«General Workers Union, may I help you?»"
    assert g.say("en", "Mette Kvam") == "«General Workers Union, may I help you?»"
    assert g.alternative("en", "Mette Kvam") is None
    assert g.say("pl", "Mette Kvam").startswith("«Arbeidsmandsforbundet")
