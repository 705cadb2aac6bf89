"""An engine with its agent screen against the simulator, and Debian's Chromium to look at it."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from switchboard.config import WebConfig, parse_config
from switchboard.engine import Engine
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.keeper import Mailer
from switchboard.promises.store import MemoryPromiseStore
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.logins import hash_password
from switchboard.screen.member import Member
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

CONFIG = """
ami: {username: router, secret_env: SB_TEST_SECRET}
presence: {timezone: Europe/Oslo}
default_loop: loop1
screen:
  kid: {member_digits: 7, min_length: 9, max_length: 25, algorithms: [mod10]}
loops:
  - {id: loop1, queue: loop1, title: Insurance and invoices, digit: "1", suffix: "-111",
     agents: [anne]}
  - {id: loop2, queue: loop2, title: Pay and work, digit: "2", suffix: "-112",
     agents: [bjorn, anne]}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
  - {id: bjorn, name: Bjørn Berg, interface: PJSIP/202, roles: [supervisor]}
"""
PASSWORDS = {"anne": "anne-secret-1", "bjorn": "bjorn-secret-2"}

KARI = Member("m1", "1000001", "Kari Nordmann", "+47 905 95 313", "", "Storgata 1, 0182 Oslo", True)
PER = Member("m3", "1000015", "Per Strand", "+47 412 34 567", "per@example.org", "Elvegata 3")
KARI_FNR = "31129956715"
PER_FNR = "01019000245"  # valid; his record holds 01019000100 (a placeholder) until corrected
MEMBERS = ((KARI, KARI_FNR), (PER, "010190" + "00100"))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class ScreenRig:
    sim: AmiServer
    engine: Engine
    directory: SqliteDirectory
    base: str
    callbacks: MemoryPromiseStore  # callbacks and inquiries: one store
    clock_offset: list[timedelta]  # the engine's clock runs this far ahead of the wall


# A service catalogue for the inquiry tests: Bjørn (loop 2) works in the insurance
# department, so he sees loop 1's insurance inquiries too.
CATALOGUE = """
promises:
  language: en
  departments:
    - {id: insurance, title: Insurance desk, inbox: forsikring@example.org, agents: [bjorn]}
  topics:
    - id: invoice
      title: {no: Fakturaspørsmål, en: Invoice question}
      action: answer the member
      department: insurance
      promise_working_days: 2
      escalation:
        - {name: Finance specialists, inbox: fag@example.org, reaction_working_days: 1}
        - {name: Head of department, inbox: leder@example.org, reaction_working_days: 1}
"""


COLLEAGUE_PASSWORD = "colleague-password"


def _with_colleagues(config: str, n: int) -> str:
    """The test config plus `n` more agents in loop 2 (the benchmark's other open screens)."""
    if n == 0:
        return config
    ids = [f"colleague{i:03d}" for i in range(1, n + 1)]
    config = config.replace("agents: [bjorn, anne]}", f"agents: [bjorn, anne, {', '.join(ids)}]}}")
    return config + "".join(
        f"  - {{id: {a}, name: Colleague {i}, interface: PJSIP/{300 + i}}}\n"
        for i, a in enumerate(ids, 1)
    )


@contextlib.asynccontextmanager
async def screen_engine(
    ring_s: float = 3.0,
    colleagues: int = 0,
    ui_language: str = "en",
    *,
    catalogue: bool = False,
    mailer: Mailer | None = None,
    extra: str = "",  # more top-level YAML (e.g. a reports: section)
    ami: dict[str, float] | None = None,  # AMI settings other than the tests' quick ones
) -> AsyncIterator[ScreenRig]:
    config = CONFIG.replace("screen:\n", f"screen:\n  ui_language: {ui_language}\n")
    if catalogue:
        config += CATALOGUE
    config += extra
    settings = parse_config(_with_colleagues(config, colleagues), "screen.yaml")
    hashes = {agent: hash_password(pw) for agent, pw in PASSWORDS.items()}
    if colleagues:
        shared = hash_password(COLLEAGUE_PASSWORD)
        hashes |= {a: shared for a in settings.roster.agents if a.startswith("colleague")}
    settings = replace(settings, logins=hashes)
    directory = SqliteDirectory(":memory:", key=b"screen-test-key")
    directory.add_all(MEMBERS)
    callbacks = MemoryPromiseStore()
    offset = [timedelta(0)]

    def clock() -> datetime:
        return datetime.now(UTC) + offset[0]

    async with simulator(ring_s=ring_s) as sim:
        engine = Engine(
            settings,
            settings_for(sim, **(ami or {})),
            InMemoryPresence(),
            clock,
            promise_store=callbacks,
            web=WebConfig(port=0),
            directory=directory,
            mailer=mailer,
        )
        task = asyncio.create_task(engine.run())
        try:
            assert engine.web is not None
            await eventually(lambda: engine.web is not None and engine.web.server.started, 5)
            await eventually(lambda: "PJSIP/202" in sim.pbx.queues["loop2"].members, 5)
            base = f"http://127.0.0.1:{engine.web.port}"
            yield ScreenRig(sim, engine, directory, base, callbacks, offset)
        finally:
            engine.stop()
            await asyncio.wait_for(task, 10)


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(
            "Debian's chromium is needed for the agent screen tests (./dev test installs it)"
        )
    # Playwright gives every launch a new, empty profile directory of its own.
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def logged_in(browser: Browser, base: str, agent: str) -> Page:
    """A new browser context (its own cookies) on the screen, logged in as `agent`."""
    page = await (await browser.new_context()).new_page()
    await page.goto(f"{base}/screen")
    await page.fill("#login-agent", agent)
    await page.fill("#login-password", PASSWORDS[agent])
    await page.click("#login-submit")
    await expect(page.get_by_test_id("me-name")).not_to_be_empty()
    return page
