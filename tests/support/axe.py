"""axe-core, Deque's accessibility engine, run inside a page in Chromium.

The script comes from the npm registry at the version tests/browser/package-lock.json pins
(`./dev test` runs `npm ci` there). It is evaluated through the DevTools protocol, which the
page's Content-Security-Policy does not govern, so the page is checked as agents get it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Page

AXE = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 levels A and AA: what the issue asks of the screen and the wallboard.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


async def violations(page: Page) -> list[dict[str, Any]]:
    """Every WCAG 2.1 AA rule the page breaks now: rule id, impact and the offending elements."""
    if not AXE.exists():
        pytest.fail(f"axe-core missing at {AXE}: run ./dev test (it runs npm ci in tests/browser)")
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    found: list[dict[str, Any]] = await page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                nodes: v.nodes.map((n) => n.target.join(" ") + ": " + n.failureSummary),
            }));
        }""",
        WCAG_21_AA,
    )
    return found


def described(found: list[dict[str, Any]]) -> str:
    """A readable list for an assertion message."""
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}), {len(v['nodes'])} element(s):")
        lines += [f"    {node}" for node in v["nodes"][:8]]
    return "\n".join(lines)
