"""Draw docs/agent-screen.png: a ringing-then-answered call on an agent's screen, in Chromium.

.venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.screen import PASSWORDS, chromium, screen_engine  # noqa: E402


async def main(path: Path) -> None:
    async with screen_engine(ring_s=1.0, ui_language="no") as rig, chromium() as browser:
        page = await (await browser.new_context(viewport={"width": 1100, "height": 800})).new_page()
        await page.goto(f"{rig.base}/screen")
        await page.fill("#login-agent", "anne")
        await page.fill("#login-password", PASSWORDS["anne"])
        await page.click("#login-submit")
        channel = rig.sim.pbx.new_caller("90595313-111", "KARI NORDMANN")
        call = asyncio.create_task(
            rig.sim.pbx.queue_call(channel, "loop1", "1", patience_s=60, talk_s=60)
        )
        await page.wait_for_selector("#card.connected")
        await page.get_by_test_id("situation-behalf-invoice").click()
        await page.wait_for_selector("[data-testid=form-kid]")
        await page.screenshot(path=str(path), full_page=True)
        call.cancel()
    print(f"wrote {path}")


if __name__ == "__main__":
    asyncio.run(main(REPO / "docs" / "agent-screen.png"))
