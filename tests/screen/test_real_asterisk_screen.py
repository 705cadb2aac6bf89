"""The caller card from a real Asterisk 22: AgentCalled as Asterisk sends it, through the
generated dialplan (loop suffix on the number, language from the menu choice).

Skipped when no Asterisk binary is found (CI has none; see tests/support/real_asterisk.py).
"""

from __future__ import annotations

import asyncio

import pytest

from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.cli import settings_files
from switchboard.engine import Engine
from switchboard.presence.source import InMemoryPresence
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.member import Member
from tests.ivr.test_real_asterisk import SECRET, _nothing, originate, settings
from tests.support.real_asterisk import needs_asterisk, real_asterisk
from tests.support.waiting import eventually

pytestmark = needs_asterisk

KARI = Member("m1", "1000001", "Kari Nordmann", "+47 905 95 313", "", "Storgata 1", True)


@pytest.mark.parametrize(
    ("digit", "agent", "number", "greeting"),
    [
        ("1", "one", "+4790595313-111", "«Arbeidsmandsforbundet, du snakker med Agent One»"),
        ("9", "three", "+4790595313-119", "«General Workers Union, may I help you?»"),
    ],
)
async def test_a_real_queue_call_puts_the_caller_on_the_answering_agents_card(
    digit: str, agent: str, number: str, greeting: str
) -> None:
    config = settings()
    directory = SqliteDirectory(":memory:", key=b"k")
    directory.add(KARI, "31129956715")
    with real_asterisk(settings_files(config), SECRET) as port:
        ami = AmiSettings("127.0.0.1", port, "router", SECRET, action_timeout_s=5)
        engine = Engine(config, ami, InMemoryPresence(), directory=directory)
        assert engine.desk is not None
        phones = AmiClient(AmiSettings("127.0.0.1", port, "lab", SECRET), lambda _e: None, _nothing)
        tasks = [asyncio.create_task(engine.run()), asyncio.create_task(phones.run())]
        try:
            await eventually(lambda: len(engine.router.state.members()) == 3, within=20)
            await asyncio.wait_for(phones.connected.wait(), 20)
            await phones.send(originate(digit, 0, "", 20))
            desk = engine.desk
            await eventually(lambda: desk.view(agent)["call"] is not None, within=20)
            await eventually(lambda: desk.notes[desk.calls.by_agent[agent].call_id].looked_up, 5)
            card = desk.view(agent)["call"]
            assert isinstance(card, dict)
            assert card["number"] == number
            assert card["caller_name"] == "Kari Nordmann"
            assert card["greeting"] == greeting
            assert card["digit"] == digit
            members = card["members"]
            assert isinstance(members, list)
            assert [m["name"] for m in members] == ["Kari Nordmann"]
            others = {"one", "three"} - {agent}
            assert all(desk.view(other)["call"] is None for other in others)
            await eventually(lambda: desk.view(agent)["call"]["phase"] == "connected", 10)  # type: ignore[index]
        finally:
            await phones.stop()
            engine.stop()
            await asyncio.gather(*tasks, return_exceptions=True)
