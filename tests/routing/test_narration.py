"""What the log says of changes done: one line per person for the loops of one moment."""

from __future__ import annotations

from switchboard.routing.narration import grouped


def test_one_person_in_three_loops_is_one_line_naming_the_loops() -> None:
    done = [
        ("pause Anne Aas in loop1: calendar says busy until 11:00:00 +0100", "loop1"),
        ("pause Bo Berg in loop1: calendar says busy until 12:00:00 +0100", "loop1"),
        ("pause Anne Aas in loop2: calendar says busy until 11:00:00 +0100", "loop2"),
        ("log in Cari Dahl to switchboard", "switchboard"),
        ("pause Anne Aas in loop3: calendar says busy until 11:00:00 +0100", "loop3"),
    ]
    assert grouped(done) == [
        "pause Anne Aas in loop1, loop2, loop3: calendar says busy until 11:00:00 +0100",
        "pause Bo Berg in loop1: calendar says busy until 12:00:00 +0100",
        "log in Cari Dahl to switchboard",
    ]


def test_different_words_stay_different_lines() -> None:
    done = [
        ("pause Anne Aas in loop1: calendar says busy until 11:00:00 +0100", "loop1"),
        ("pause Anne Aas in loop2: paused themself on the screen (lunch)", "loop2"),
        ("log in Loop1 Lund to loop1, paused (calendar says busy)", "loop1"),
    ]
    assert grouped(done) == [done[0][0], done[1][0], done[2][0]]
