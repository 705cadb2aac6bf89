"""The screen's shell: what happens when the directory is down, and what it never keeps."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.events import AgentCalled, AgentComplete, AgentConnect, Hangup
from switchboard.ivr.hours import OpeningHours, Span
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.keeper import PromiseKeeper
from switchboard.promises.promise import Promise
from switchboard.promises.store import MemoryPromiseStore
from switchboard.routing.router import Router
from switchboard.screen.answers import Refused
from switchboard.screen.desk import Desk
from switchboard.screen.directory import DirectoryError, SqliteDirectory
from switchboard.screen.member import Correction, IdentityRecord, Member
from tests.routing.builders import ROSTER
from tests.support.waiting import eventually

FNR = "31129956715"
KARI = Member("m1", "1000001", "Kari Nordmann", "90595313", "", "Storgata 1")


class DownDirectory:
    """A CRM that cannot be reached."""

    async def by_phone(self, number: str) -> list[Member]:
        raise DirectoryError("member directory unreachable: ConnectError")

    async def by_member_number(self, member_number: str) -> Member | None:
        raise DirectoryError("member directory unreachable: ConnectError")

    async def get(self, member_id: str) -> Member | None:
        raise DirectoryError("member directory unreachable: ConnectError")

    async def fnr_matches(self, member_id: str, fnr: str) -> bool:
        raise DirectoryError("member directory unreachable: ConnectError")

    async def correct(self, correction: Correction) -> Member:
        raise DirectoryError("member directory unreachable: ConnectError")

    async def record_identity(self, record: IdentityRecord) -> None:
        raise DirectoryError("member directory unreachable: ConnectError")


DAY = (Span(time(8, 30), time(16, 0)),)
OSLO = ZoneInfo("Europe/Oslo")


def _router() -> Router:
    return Router(ROSTER, InMemoryPresence(), lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


def _ring(desk: Desk, interface: str = "PJSIP/201", call: str = "c1") -> None:
    desk.on_event(
        AgentCalled("loop1", "PJSIP/t-1", call, call, "90595313-111", "Kari", interface, "A", "x")
    )


def _connect(desk: Desk, call: str = "c1") -> None:
    desk.on_event(
        AgentConnect(
            "loop1", "PJSIP/t-1", call, call, "90595313-111", "Kari", "PJSIP/201", "A", "x", 4, 1.0
        )
    )


@pytest.fixture
def directory() -> SqliteDirectory:
    d = SqliteDirectory(":memory:", key=b"k")
    d.add(KARI, FNR)
    return d


async def test_a_directory_that_is_down_is_said_on_the_card_and_the_call_still_shows(
    caplog: pytest.LogCaptureFixture,
) -> None:
    desk = Desk(_router(), DownDirectory())
    _ring(desk)
    await eventually(lambda: desk.notes["c1"].looked_up)
    card = desk.view("anne")["call"]
    assert isinstance(card, dict)
    assert card["number"] == "90595313-111"
    assert card["lookup_problem"] == "member directory unreachable: ConnectError"
    await desk.answer_identity("anne", "c1", {"situation": "own"})
    with pytest.raises(Refused, match="member directory: member directory unreachable"):
        await desk.answer_identity("anne", "c1", {"fnr": FNR, "member_number": "1000001"})
    assert "90595313" not in caplog.text  # logs carry a masked number only
    assert "…313-111" in caplog.text


async def test_another_agents_call_cannot_be_touched(directory: SqliteDirectory) -> None:
    desk = Desk(_router(), directory)
    _ring(desk)
    assert desk.view("bjorn")["call"] is None
    with pytest.raises(Refused, match="not on your screen"):
        await desk.answer_identity("bjorn", "c1", {"situation": "own-recognised"})
    with pytest.raises(Refused, match="not on your screen"):
        await desk.correct("bjorn", "c1", "m1", "email", "x@example.org")


async def test_only_members_on_the_call_can_be_corrected_and_values_are_checked(
    directory: SqliteDirectory,
) -> None:
    desk = Desk(_router(), directory)
    _ring(desk)
    await eventually(lambda: desk.notes["c1"].looked_up)
    with pytest.raises(Refused, match="not on your call"):
        await desk.correct("anne", "c1", "m2", "email", "x@example.org")
    with pytest.raises(Refused, match="not an e-mail address"):
        await desk.correct("anne", "c1", "m1", "email", "kari at example")
    with pytest.raises(Refused, match="second check digit"):
        await desk.correct("anne", "c1", "m1", "fnr", "31129956716")
    with pytest.raises(Refused, match="cannot be corrected here"):
        await desk.correct("anne", "c1", "m1", "name", "Mallory")
    # The attack run stored a 1 MB address; the record takes what a real one needs.
    with pytest.raises(Refused, match="address is longer than 200 characters"):
        await desk.correct("anne", "c1", "m1", "address", "Storgata 1, " * 20)
    with pytest.raises(Refused, match="line break or control character"):
        await desk.correct("anne", "c1", "m1", "address", "Storgata 1\nINJECTED: yes")
    with pytest.raises(Refused, match="phone is longer than 24 characters"):
        await desk.correct("anne", "c1", "m1", "phone", "9" * 5000)
    with pytest.raises(Refused, match="not 8-15 digits"):
        await desk.correct("anne", "c1", "m1", "phone", "+47 1234")
    with pytest.raises(Refused, match="not an e-mail address"):
        await desk.correct("anne", "c1", "m1", "email", "a" * 65 + "@example.org")
    kari = await directory.get("m1")
    assert kari is not None
    assert kari.address == "Storgata 1"  # nothing was written
    await desk.correct("anne", "c1", "m1", "phone", "+47 905 95 314")


async def test_what_was_learnt_about_a_call_is_forgotten_when_no_screen_shows_it(
    directory: SqliteDirectory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    desk = Desk(_router(), directory)
    _ring(desk)
    _connect(desk)
    await eventually(lambda: desk.notes["c1"].looked_up)
    await desk.answer_identity("anne", "c1", {"situation": "own"})
    await desk.answer_identity("anne", "c1", {"fnr": FNR, "member_number": "1000001"})
    assert directory.identity_checks("c1")[0][1] is True
    desk.on_event(
        AgentComplete("loop1", "x", "c1", "c1", "1", "", "PJSIP/201", "A", "y", 4, 9, "agent")
    )
    desk.on_event(Hangup("PJSIP/t-1", "c1", "c1", 16))
    assert "c1" in desk.notes  # the card stays for wrap-up
    desk.dismiss("anne", "c1")
    _ring(desk, call="c2")
    assert "c1" not in desk.notes
    assert FNR not in caplog.text
    assert "identity check on call …313-111 by anne: verified" in caplog.text


async def test_an_unknown_status_is_refused_with_the_choices(directory: SqliteDirectory) -> None:
    desk = Desk(_router(), directory)
    with pytest.raises(Refused, match="available, lunch, break, follow-up, training, leave"):
        await desk.set_status("anne", "napping")


async def test_callbacks_are_taken_within_ones_own_loops_and_finished_by_the_taker(
    directory: SqliteDirectory,
) -> None:
    router = _router()
    store = MemoryPromiseStore()
    forgotten: list[str] = []

    async def forget(ref: str) -> None:
        forgotten.append(ref)

    promises = PromiseKeeper(store, OpeningHours((DAY,) * 5 + ((), ()), OSLO), router.clock)
    desk = Desk(router, directory, promises=promises, forget_callback=forget)
    at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    await store.add(Promise("111", "+4790595313", "loop1", at, at, "c9"))
    with pytest.raises(Refused, match="no such callback or inquiry in your loops"):
        await desk.promise_work.take("bjorn", "111")  # Bjørn answers loop 2 only
    with pytest.raises(Refused, match="take the callback before marking it done"):
        await desk.promise_work.finish("anne", "111")
    await desk.promise_work.take("anne", "111")
    rows = desk.view("anne")["callbacks"]
    assert isinstance(rows, list)
    assert rows[0]["number"] == "+4790595313"
    assert rows[0]["overdue"] is False
    with pytest.raises(Refused, match="someone else has taken"):
        await desk.promise_work.take("anne", "111")
    await desk.promise_work.finish("anne", "111")
    assert forgotten == ["111"]
    assert desk.view("anne")["callbacks"] == []


async def test_an_agent_paused_at_their_phone_is_told_to_unpause_there(
    directory: SqliteDirectory,
) -> None:
    router = _router()
    for agent in ROSTER.agents.values():
        router.state.note_added("loop1", agent.interface, agent.name, agent.state_interface, "")
    router.state.note_paused("loop1", "PJSIP/201", True, "Coaching")
    desk = Desk(router, directory)
    hints = desk.view("anne")["hints"]
    assert hints == [
        "You are paused at your phone (Coaching): unpause there to take queue calls again; "
        "the screen never lifts a pause it did not make"
    ]
    assert desk.view("bjorn")["hints"] == []


async def test_ring_in_meetings_is_offered_only_in_loops_that_honour_it_and_toggled_by_the_agent(
    directory: SqliteDirectory,
) -> None:
    router = _router()
    desk = Desk(router, directory)
    assert desk.view("cari")["me"]["ring_in_meetings"] is None  # type: ignore[index]
    router._ring_opted_in = {"loop2"}  # as `when_all_in_meetings: ring_opted_in` gives it
    assert desk.view("cari")["me"]["ring_in_meetings"] == {"on": False}  # type: ignore[index]
    await desk.set_ring_in_meetings("cari", "on")
    assert router.opted_in == {"cari"}
    assert desk.view("cari")["me"]["ring_in_meetings"] == {"on": True}  # type: ignore[index]
    assert desk.view("anne")["me"]["ring_in_meetings"] is None  # type: ignore[index]
    with pytest.raises(Refused, match="choose on or off"):
        await desk.set_ring_in_meetings("cari", "maybe")
    await desk.set_ring_in_meetings("cari", "off")
    assert router.opted_in == set()
