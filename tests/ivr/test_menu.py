"""The menu sends each key to its loop; silence and wrong keys go to the default."""

import pytest

from switchboard.ivr.menu import Choice, Menu

MENU = Menu(
    (
        Choice("1", "loop1", "Insurance and invoices", "no"),
        Choice("2", "loop2", "Pay and work questions", "no"),
        Choice("3", "loop3", "Everything else", "no"),
        Choice("9", "switchboard", "English", "en"),
    ),
    "loop3",
)


@pytest.mark.parametrize(
    ("digit", "queue"),
    [
        ("1", "loop1"),
        ("2", "loop2"),
        ("3", "loop3"),
        ("9", "switchboard"),
        ("7", "loop3"),
        ("", "loop3"),
    ],
)
def test_each_key_leads_to_its_loop(digit: str, queue: str) -> None:
    assert MENU.route(digit) == queue
