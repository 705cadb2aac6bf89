"""Fuzzing the CSV import (hypothesis): any bytes give members or reasons, never a crash, and
never echo a fødselsnummer; good rows survive whatever bad rows surround them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.screen.member_import import COLUMNS, ExportError, decode_export, read_members

pytestmark = pytest.mark.fuzz

HEADER = ",".join(COLUMNS) + "\n"
GOOD = "m1,1000001,Kari Nordmann,+47 905 95 313,,Storgata 1,yes,31129956715\n"


@given(st.binary(max_size=3000))
def test_any_bytes_are_read_or_refused_in_one_line(raw: bytes) -> None:
    try:
        text, _encoding = decode_export(raw)
    except ExportError as bad:
        problem = str(bad)
        assert "\n" not in problem
        return
    _members, problems = read_members(text, "export.csv", frozenset({"00100"}))
    assert all(p.startswith("export.csv:") for p in problems)


@given(st.lists(st.text(max_size=80), max_size=15), st.sampled_from([",", ";", "\t"]))
def test_bad_rows_around_a_good_one_never_lose_it_or_leak_numbers(
    junk: list[str], delimiter: str
) -> None:
    rows = [line.replace("\n", " ").replace("\r", " ") + "\n" for line in junk]
    body = "".join(rows[: len(rows) // 2]) + GOOD + "".join(rows[len(rows) // 2 :])
    text = (HEADER + body).replace(",", delimiter)
    members, problems = read_members(text, "export.csv", frozenset())
    if not any('"' in line for line in junk):  # a stray quote may swallow the lines after it
        assert "m1" in [m.id for m, _ in members] or any("appears twice" in p for p in problems)
    assert not any("31129956715" in p for p in problems)
