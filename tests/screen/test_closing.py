"""The closing line the card ends with, in the call's language (seed 001)."""

from switchboard.screen.closing import Closings


def test_the_closing_asks_for_anything_else_then_wishes_a_good_day() -> None:
    closings = Closings()
    assert "noe mer" in closings.say("no")
    assert closings.say("no").endswith("fin dag!»")
    assert closings.say("en") == (
        "«Is there anything else I can help you with? … Then have a good day!»"
    )


def test_a_language_without_a_closing_gets_the_norwegian_one() -> None:
    closings = Closings({"no": "Ha det bra!"})
    assert closings.say("en") == "Ha det bra!"
    assert closings.say("pl") == "Ha det bra!"
