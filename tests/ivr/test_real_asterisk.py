"""The generated configuration in a real Asterisk 22: it loads, and calls go where we say.

Skipped when no Asterisk binary is found (CI has none; see tests/support/real_asterisk.py).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.actions import Action
from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.ami.errors import ActionFailed
from switchboard.ami.events import AgentConnect, Event, IvrStep, QueueCallerJoin
from switchboard.cli import settings_files
from switchboard.config import Settings, parse_config
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.intake import CallbackIntake
from switchboard.promises.store import MemoryPromiseStore
from switchboard.routing.router import Router
from tests.support.engine import running
from tests.support.real_asterisk import needs_asterisk, real_asterisk
from tests.support.waiting import eventually

pytestmark = needs_asterisk

OSLO = ZoneInfo("Europe/Oslo")
SECRET = "test-secret"
CONFIG = """
ami: {{username: router, secret_env: SB_TEST_SECRET}}
hours: {{mon: ["00:00-24:00"], tue: ["00:00-24:00"], wed: ["00:00-24:00"], thu: ["00:00-24:00"],
        fri: ["00:00-24:00"], sat: ["00:00-24:00"], sun: ["00:00-24:00"], holidays: null,
        closed_dates: [{closed}]}}
# Read() returns at once when its prompt file is missing, so the callback prompts are
# mapped to core sounds the lab has (production records its own, see the README).
ivr:
  response_timeout_s: 3
  prompts: {{callback_confirm: if-correct-press, callback_enter: vm-enter-num-to-call,
            callback_number: you-entered, callback_reference: auth-thankyou}}
default_loop: loop3
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [one]}}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [three]}}
  - {{id: english, queue: switchboard, title: English, digit: "9", language: en,
     suffix: "-119", agents: [three], strategy: ringall}}
agents:
  - {{id: one, name: Agent One, interface: Local/agent1@agents/n}}
  - {{id: three, name: Agent Three, interface: Local/agent3@agents/n}}
"""


def originate(d1: str, w2: float, d2: str, hold: float) -> Action:
    """A simulated caller (the lab's [caller-sim]) dialling into the menu."""
    return Action(
        "Originate",
        (
            ("Channel", "Local/s@sb-ivr"),
            ("Context", "caller-sim"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("CallerID", '"Kari Nordmann" <+4790595313>'),
            ("Variable", "PRE=1"),
            ("Variable", f"D1={d1}"),
            ("Variable", f"W2={w2}"),
            ("Variable", f"D2={d2}"),
            ("Variable", f"HOLD={hold}"),
            ("Async", "true"),
        ),
    )


@dataclass
class Lab:
    router: Router
    client: AmiClient
    phones: AmiClient  # the lab user that places calls
    events: list[Event]
    callbacks: MemoryPromiseStore

    async def call(self, d1: str = "", w2: float = 0, d2: str = "", hold: float = 15) -> None:
        await self.phones.send(originate(d1, w2, d2, hold))

    def steps(self) -> list[tuple[str, str]]:
        return [(e.step, e.loop) for e in self.events if isinstance(e, IvrStep)]


def settings(closed: str = "") -> Settings:
    return parse_config(CONFIG.format(closed=closed), "lab.yaml")


@contextlib.asynccontextmanager
async def lab(config: Settings) -> AsyncIterator[Lab]:
    with real_asterisk(settings_files(config), SECRET) as port:
        store = MemoryPromiseStore()
        now = lambda: datetime.now(OSLO)  # noqa: E731
        router = Router(
            config.roster, InMemoryPresence(), now, ivr=config.ivr, intake=CallbackIntake(store)
        )
        events: list[Event] = []

        def on_event(event: Event) -> None:
            events.append(event)
            router.on_event(event)

        ami = AmiSettings("127.0.0.1", port, "router", SECRET, action_timeout_s=5)
        client = AmiClient(ami, on_event, router.on_connected)
        phones = AmiClient(AmiSettings("127.0.0.1", port, "lab", SECRET), lambda _e: None, _nothing)
        async with running(router, client, phones):
            await eventually(lambda: len(router.state.members()) == 3, within=20)
            await asyncio.wait_for(phones.connected.wait(), 20)
            yield Lab(router, client, phones, events, store)


async def _nothing() -> None:
    return None


async def test_in_real_asterisk_the_router_may_not_place_calls() -> None:
    async with lab(settings()) as r:
        with pytest.raises(ActionFailed, match="Permission denied"):
            await r.client.send(originate("1", 0, "", 1))


async def test_in_real_asterisk_keys_route_calls_and_agents_see_the_suffix() -> None:
    async with lab(settings()) as r:
        await r.call(d1="1")
        await eventually(lambda: any(isinstance(e, AgentConnect) for e in r.events), within=20)
        [join] = [e for e in r.events if isinstance(e, QueueCallerJoin)]
        assert (join.queue, join.caller_num) == ("loop1", "+4790595313-111")
        assert ("choice", "loop1") in r.steps()
        # A wrong key; "invalid" plays (about 2 s), the menu again, then English.
        await r.call(d1="7", w2=4, d2="9")
        await eventually(lambda: ("choice", "english") in r.steps(), within=20)
        assert ("invalid", "") in r.steps()
        await eventually(
            lambda: any(
                isinstance(e, QueueCallerJoin) and e.queue == "switchboard" for e in r.events
            ),
            within=20,
        )


async def test_in_real_asterisk_silence_leads_to_the_default_loop() -> None:
    async with lab(settings()) as r:
        await r.call()
        await eventually(lambda: ("timeout", "loop3") in r.steps(), within=20)
        await eventually(
            lambda: any(isinstance(e, QueueCallerJoin) and e.queue == "loop3" for e in r.events),
            within=20,
        )


async def test_in_real_asterisk_a_closed_day_offers_a_callback_that_is_stored() -> None:
    today = datetime.now(OSLO).date().isoformat()
    async with lab(settings(closed=today)) as r:
        # 5 at the offer; 1 to confirm, pressed until the read-out number lets it through.
        await r.call(d1="5", w2=2, d2="1", hold=20)
        await eventually(lambda: ("closed", "") in r.steps(), within=20)
        await eventually(lambda: bool(r.callbacks.promises), within=40)
        [request] = r.callbacks.promises.values()
        assert request.number == "+4790595313"
        # The entry's fifth field is SB_FIRST, set when the call began, seconds before.
        assert request.first_called_at is not None
        assert request.called_at < request.requested_at
        assert len(request.ref) == 6
