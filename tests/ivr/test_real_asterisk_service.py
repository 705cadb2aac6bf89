"""The contact-centre craft in a real Asterisk 22: wrap-up, autopause, keeping place in
line, the phone codes (docs/craft.md). Local-channel agents, as in test_real_asterisk.

Skipped when no Asterisk binary is found (CI has none; see tests/support/real_asterisk.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.actions import Action
from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.ami.events import (
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    Event,
    QueueCallerJoin,
    QueueMemberPause,
)
from switchboard.cli import settings_files
from switchboard.config import Settings, parse_config
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.intake import CallbackIntake
from switchboard.promises.store import MemoryPromiseStore
from switchboard.routing.policy import ManualStatus
from switchboard.routing.router import Router
from tests.ivr.test_real_asterisk import SECRET, originate
from tests.support.engine import running
from tests.support.real_asterisk import asterisk_binary, real_asterisk
from tests.support.waiting import eventually

pytestmark = [
    pytest.mark.asterisk,
    pytest.mark.skipif(asterisk_binary() is None, reason="no asterisk binary found"),
]
OSLO = ZoneInfo("Europe/Oslo")
E = TypeVar("E")
ALWAYS = ", ".join(
    f'{d}: ["00:00-23:59"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
CONFIG = """
ami: {username: router, secret_env: SB_TEST_SECRET}
hours: {ALWAYS, holidays: null}
ivr: {response_timeout_s: 3}
default_loop: loop3
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [ONE],
     overflow_to: loop3, unstaffed_after_s: null, LOOP1}
  - {id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [THREE],
     unstaffed_after_s: null, wait_s: 300}
agents:
  - {id: one, name: Agent One, interface: Local/agent1@agents/n, status: ONE_STATUS}
  - {id: three, name: Agent Three, interface: Local/agent3@agents/n, status: THREE_STATUS}
  - {id: deaf, name: Agent Deaf, interface: Local/deaf1@deaf/n}
  - {id: long, name: Agent Long, interface: Local/long1@longtalk/n}
""".replace("ALWAYS", ALWAYS)
# An agent whose phone rings and is never picked up.
DEAF = """
[deaf]
exten => _deaf.,1,Ringing()
 same => n,Wait(120)

[longtalk]
exten => long1,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(14)
 same => n,Hangup()
"""


def settings(
    loop1: str = "wait_s: 120",
    one: str = "one",
    three: str = "three",
    one_status: str = "available",
    three_status: str = "available",
) -> Settings:
    text = CONFIG
    for key, value in (
        ("LOOP1", loop1),
        ("ONE_STATUS", one_status),
        ("THREE_STATUS", three_status),
        ("ONE", one),
        ("THREE", three),
    ):
        text = text.replace(key, value)
    return parse_config(text, "lab.yaml")


@dataclass
class Lab:
    router: Router
    phones: AmiClient
    events: list[Event]
    stamps: list[tuple[float, Event]]

    async def call(self, d1: str = "", hold: float = 30) -> None:
        await self.phones.send(originate(d1, 0, "", hold))

    async def dial(self, code: str, interface: str) -> None:
        """A person dials a feature code at their phone (SB_PHONE: a Local channel's name
        does not start with the member interface, as a PJSIP phone's does)."""
        await self.phones.send(
            Action(
                "Originate",
                (
                    ("Channel", f"Local/{code}@sb-features"),
                    ("Application", "Wait"),
                    ("Data", "5"),
                    ("Variable", f"SB_PHONE={interface}"),
                    ("Async", "true"),
                ),
            )
        )

    def of(self, kind: type[E]) -> list[tuple[float, E]]:
        return [(t, e) for t, e in self.stamps if isinstance(e, kind)]

    def joins(self, queue: str) -> list[tuple[float, QueueCallerJoin]]:
        return [(t, e) for t, e in self.of(QueueCallerJoin) if e.queue == queue]


@contextlib.asynccontextmanager
async def lab(
    config: Settings,
    members: int,
    presence: InMemoryPresence | None = None,
    leads: dict[str, timedelta] | None = None,  # heads-up in seconds, not the config's minutes
) -> AsyncIterator[Lab]:
    files = dict(settings_files(config))
    files["extensions.conf"] += DEAF
    with real_asterisk(files, SECRET) as port:
        now = lambda: datetime.now(OSLO)  # noqa: E731
        router = Router(
            config.roster,
            presence or InMemoryPresence(),
            now,
            ivr=config.ivr,
            intake=CallbackIntake(MemoryPromiseStore()),
            leads=leads,
        )
        for agent_id, status in config.manual.items():
            router.set_manual_status(agent_id, status)
        events: list[Event] = []
        stamps: list[tuple[float, Event]] = []

        def on_event(event: Event) -> None:
            events.append(event)
            stamps.append((time.monotonic(), event))
            router.on_event(event)

        ami = AmiSettings("127.0.0.1", port, "router", SECRET, action_timeout_s=5)
        client = AmiClient(ami, on_event, router.on_connected)
        phones = AmiClient(AmiSettings("127.0.0.1", port, "lab", SECRET), lambda _e: None, _none)
        async with running(router, client, phones):
            await eventually(lambda: len(router.state.members()) == members, within=20)
            await asyncio.wait_for(phones.connected.wait(), 20)
            yield Lab(router, phones, events, stamps)


async def _none() -> None:
    return None


async def test_in_real_asterisk_wrap_up_rests_the_agent_before_the_next_call() -> None:
    async with lab(settings(loop1="wrapup_s: 8"), members=2) as r:
        await r.call(d1="1")
        await eventually(lambda: r.of(AgentComplete), within=30)
        [(done_at, _)] = r.of(AgentComplete)
        await r.call(d1="1")
        await eventually(lambda: len(r.of(AgentConnect)) == 2, within=40)
        second_join = r.joins("loop1")[1][0]
        second_answer = r.of(AgentConnect)[1][0]
        assert second_join < done_at + 8  # the caller waited ...
        assert second_answer >= done_at + 7.5  # ... until the wrap-up was over


async def test_in_real_asterisk_a_rung_out_call_autopauses_and_the_engine_leaves_it() -> None:
    config = settings(loop1="wait_s: 120, autopause_after: 1", one="deaf")
    async with lab(config, members=2) as r:
        await r.call(d1="1", hold=40)
        await eventually(lambda: r.of(AgentRingNoAnswer), within=40)
        await eventually(
            lambda: any(
                e.paused
                and e.paused_reason == "Auto-Pause"
                and e.interface.startswith("Local/deaf")
                for _, e in r.of(QueueMemberPause)
            ),
            within=10,
        )
        await asyncio.sleep(3)  # time enough for a reconcile pass to (wrongly) lift it
        member = r.router.state.members()[("loop1", "Local/deaf1@deaf/n")]
        assert member.paused
        assert member.paused_reason == "Auto-Pause"
        # The person says they are back (the screen's "available"): lifted in Asterisk.
        r.router.set_manual_status("deaf", ManualStatus.AVAILABLE, by_person=True)
        await eventually(
            lambda: any(
                not e.paused and e.interface.startswith("Local/deaf")
                for _, e in r.of(QueueMemberPause)
            ),
            within=10,
        )


async def test_in_real_asterisk_a_moved_caller_enters_ahead_of_later_callers() -> None:
    # Nobody is logged in to answer; the early caller times out of loop1 (10 s) into loop3,
    # where a caller who dialled 3 s later already waits.
    config = settings(loop1="wait_s: 10", one_status="leave", three_status="leave")
    async with lab(config, members=0) as r:
        await r.call(d1="1", hold=40)
        await asyncio.sleep(3)
        await r.call(d1="3", hold=40)
        await eventually(
            lambda: len(r.joins("loop3")) == 2,
            within=30,
        )
        joins = [e for _, e in r.joins("loop3")]
        late, moved = joins
        assert late.position == 1
        assert moved.position == 1  # entered ahead of the caller who dialled later
        assert moved.count == 2


async def test_in_real_asterisk_phone_codes_pause_and_resume_and_the_engine_never_lifts() -> None:
    async with lab(settings(three="one"), members=2) as r:
        await r.dial("*45", "Local/agent1@agents/n")
        await eventually(
            lambda: all(m.paused for m in r.router.state.members().values()), within=10
        )
        assert {m.paused_reason for m in r.router.state.members().values()} == {"phone"}
        await asyncio.sleep(3)  # the engine has had its passes: the person's pause stays
        assert all(m.paused for m in r.router.state.members().values())
        await r.dial("*46", "Local/agent1@agents/n")
        await eventually(
            lambda: not any(m.paused for m in r.router.state.members().values()), within=10
        )
        # An interface in no loop is told so, and nothing changes.
        await r.dial("*45", "Local/nobody@agents/n")
        await asyncio.sleep(2)
        assert not any(m.paused for m in r.router.state.members().values())


async def test_in_real_asterisk_the_follow_up_pause_returns_by_itself() -> None:
    async with lab(settings(loop1="follow_up_s: 6"), members=2) as r:
        await r.call(d1="1")
        await eventually(lambda: r.of(AgentComplete), within=30)
        [(done_at, _)] = r.of(AgentComplete)

        def pauses(paused: bool) -> list[float]:
            return [
                t
                for t, e in r.of(QueueMemberPause)
                if e.queue == "loop1" and e.paused == paused and "follow-up" in e.paused_reason
            ]

        await eventually(lambda: pauses(True), within=5)
        await eventually(
            lambda: any(not e.paused for _, e in r.of(QueueMemberPause) if e.queue == "loop1"),
            within=15,
        )
        lifted = next(t for t, e in r.of(QueueMemberPause) if e.queue == "loop1" and not e.paused)
        assert pauses(True)[0] - done_at < 2  # paused as the call ended
        assert 5.5 <= lifted - done_at <= 9  # and back when the follow-up time was over


async def test_in_real_asterisk_the_heads_up_stops_new_calls_not_the_call_in_progress() -> None:
    # Agent Long answers and talks 14 s; the meeting starts 20 s after the first call (which
    # reaches the queue in about 5 s), with a heads-up 8 s before it: the pause comes
    # mid-call, and the call goes on to its own end.
    presence = InMemoryPresence()
    config = settings(loop1="wait_s: 120, heads_up_min: 1", one="long")
    assert config.ivr is not None
    assert config.ivr.routes["loop1"].service.heads_up_s == 60  # the config's own lead
    leads = {"loop1": timedelta(seconds=8)}  # the same rule, in seconds for a short test
    async with lab(config, members=2, presence=presence, leads=leads) as r:
        start = datetime.now(OSLO) + timedelta(seconds=20)  # once Asterisk is up
        presence.set("long", [BusyInterval(start, start + timedelta(seconds=8))])
        await r.call(d1="1", hold=30)
        await eventually(lambda: r.of(AgentConnect), within=12)

        def pauses(reason: str) -> list[tuple[float, QueueMemberPause]]:
            return [
                (t, e)
                for t, e in r.of(QueueMemberPause)
                if e.queue == "loop1" and e.paused and e.paused_reason == reason
            ]

        await eventually(lambda: pauses("switchboard:heads-up"), within=15)
        wall = datetime.now(OSLO)
        assert timedelta(seconds=6) <= start - wall <= timedelta(seconds=9)
        assert not r.of(AgentComplete)  # mid-call: the call in progress is not touched
        # A caller arriving in the heads-up is not offered to Agent Long.
        await r.call(d1="1", hold=30)
        await eventually(lambda: len(r.joins("loop1")) == 2, within=15)
        await eventually(lambda: r.of(AgentComplete), within=15)
        [(_, done)] = r.of(AgentComplete)
        assert done.talk_time_s >= 13  # the whole call, to its own end
        await eventually(lambda: pauses("switchboard:meeting"), within=15)
        assert datetime.now(OSLO) >= start
        assert len(r.of(AgentConnect)) == 1  # the second caller still waits
        await eventually(
            lambda: any(not e.paused for _, e in r.of(QueueMemberPause) if e.queue == "loop1"),
            within=15,
        )
        await eventually(lambda: len(r.of(AgentConnect)) == 2, within=20)  # after the meeting
