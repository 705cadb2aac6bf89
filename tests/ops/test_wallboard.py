"""The wallboard on a wall screen, in real headless Chromium: the office's language, a clock,
open or closed, each loop's title once, figures big enough to read across the room, and no
WCAG 2.1 AA violation."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Browser, Page, expect

from tests.support import axe
from tests.support.screen import ScreenRig, screen_engine

CALLER = "90595313-111"


async def wallboard(browser: Browser, rig: ScreenRig) -> Page:
    page = await (await browser.new_context(viewport={"width": 1920, "height": 1080})).new_page()
    await page.goto(f"{rig.base}/wallboard")
    await expect(page.locator("section.loop")).to_have_count(2)
    return page


async def test_in_norwegian_with_clock_hours_and_each_title_once(browser: Browser) -> None:
    async with screen_engine(ring_s=30.0, ui_language="no") as rig:
        page = await wallboard(browser, rig)
        await expect(page.locator("h1")).to_have_text("Sentralbord")
        await expect(page.locator("html")).to_have_attribute("lang", "nb")
        loop1 = page.locator("[data-loop=loop1]")
        await expect(loop1.locator("h2")).to_have_text("Insurance and invoices")  # not "… (loop1)"
        await expect(loop1).to_contain_text("venter")
        await expect(loop1).to_contain_text("lengst ventet")
        await expect(loop1).to_contain_text("besvart innen 20 s")
        await expect(loop1.locator(".state-available")).to_have_text("1 ledig")
        await expect(page.get_by_test_id("status")).to_have_text("direkte")

        open_now = rig.engine.view().phones_open()
        assert open_now is not None
        await expect(page.get_by_test_id("phones")).to_have_text("Åpent" if open_now else "Stengt")

        clock = page.get_by_test_id("clock")
        await expect(clock).to_have_text(re.compile(r"^\d\d[:.]\d\d[:.]\d\d$"))
        first = await clock.inner_text()
        await expect(clock).not_to_have_text(first, timeout=3000)  # it runs

        # A caller rings in: the waiting figure counts them, in a size read across a room.
        channel = rig.sim.pbx.new_caller(CALLER, "Kari")
        call = asyncio.create_task(
            rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=60, talk_s=60)
        )
        try:
            waiting = loop1.locator(".figure.waiting b")
            await expect(waiting).to_have_text("1")
            size = await waiting.evaluate("b => parseFloat(getComputedStyle(b).fontSize)")
            assert size >= 64, f"the waiting figure is {size}px"
            found = await axe.violations(page)
            assert found == [], axe.described(found)
        finally:
            call.cancel()

        rig.engine.stop()
        await expect(page.get_by_test_id("status")).to_have_text(
            "forbindelsen er brutt \u2013 kobler til igjen …"
        )


async def test_in_english_by_default(browser: Browser) -> None:
    async with screen_engine(ring_s=1.0) as rig:
        page = await wallboard(browser, rig)
        await expect(page.locator("h1")).to_have_text("Switchboard")
        await expect(page.locator("[data-loop=loop2]")).to_contain_text("longest wait")
        await expect(page.locator("[data-loop=loop2] h2")).to_have_text("Pay and work")
