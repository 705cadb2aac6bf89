"""Screen pop: from the AgentCalled frame on the AMI socket to the caller card drawn in Chromium.

The PBX simulator writes AgentCalled (and then AgentConnect) for a member's number onto the
AMI socket; the engine folds it, looks the member up in the SQLite directory, and pushes the
agent's view over server-sent events; the page draws the card. A MutationObserver in the page
stamps the moment the card shows the new call (Date.now(), the same clock as the frame's).

Two designs in the same run:
  push     - the shipped page: server-sent events, sent the moment the view changes
  poll 1 s - the same page data fetched from /api/screen/view once a second (the baseline:
             how a screen that polls its server would do)
Meanwhile 40 other agents' screens (--screens) hold their event streams open, so every
change is computed and sent for all of them, as in a switchboard room.

    ./dev bench    (or: .venv/bin/python bench/screen_pop.py --calls 200)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from playwright.async_api import Page  # noqa: E402

from pbxsim import frames  # noqa: E402
from pbxsim.pbx import AGENT  # noqa: E402
from pbxsim.server import AmiServer  # noqa: E402
from tests.support.screen import (  # noqa: E402
    COLLEAGUE_PASSWORD,
    PASSWORDS,
    ScreenRig,
    chromium,
    screen_engine,
)

WATCH_PUSH = """() => {
  window.__pops = {};
  const card = document.getElementById("card");
  const phase = document.getElementById("card-phase");
  const stamp = () => {
    const id = card.dataset.callId;
    if (!id || card.hidden) return;
    const key = id + "|" + phase.textContent;
    if (!(key in window.__pops)) window.__pops[key] = Date.now();
    if (card.querySelector("[data-member]") && !((id + "|member") in window.__pops)) {
      window.__pops[id + "|member"] = Date.now();
    }
  };
  new MutationObserver(stamp).observe(card, {attributes: true, childList: true, subtree: true});
}"""

WATCH_POLL = """() => {
  window.__pops = {};
  const poll = async () => {
    const view = await (await fetch("/api/screen/view", {credentials: "same-origin"})).json();
    if (view.call) {
      const labels = {ringing: "Ringing", connected: "In call", ended: "Call ended"};
      const label = labels[view.call.phase];
      const key = view.call.call_id + "|" + label;
      if (!(key in window.__pops)) window.__pops[key] = Date.now();
      const member = view.call.call_id + "|member";
      if (view.call.members.length && !(member in window.__pops)) {
        window.__pops[member] = Date.now();
      }
    }
  };
  setInterval(poll, 1000);
}"""


def _frame(name: str, call: int, extra: list[tuple[str, str]]) -> bytes:
    caller = [
        ("Channel", f"PJSIP/trunk-{call:08x}"),
        ("ChannelState", "6"),
        ("ChannelStateDesc", "Up"),
        ("CallerIDNum", "90595313-111"),
        ("CallerIDName", "Kari Nordmann"),
        ("ConnectedLineNum", "<unknown>"),
        ("ConnectedLineName", "<unknown>"),
        ("Language", "en"),
        ("AccountCode", ""),
        ("Context", "sb-loop-loop1"),
        ("Exten", "s"),
        ("Priority", "4"),
        ("Uniqueid", f"bench.{call}"),
        ("Linkedid", f"bench.{call}"),
    ]
    dest = [("Dest" + k, v) for k, v in caller]
    dest[0] = ("DestChannel", f"PJSIP/201-{call:08x}")
    member = [("Queue", "loop1"), ("Interface", "PJSIP/201"), ("MemberName", "Anne Aas")]
    return frames.event(name, AGENT, [*caller, *dest, *member, *extra])


async def _stamp(page: Page, key: str) -> float:
    await page.wait_for_function(f"() => '{key}' in window.__pops", timeout=10_000)
    return float(await page.evaluate(f"() => window.__pops['{key}']"))


async def _measure(
    sim: AmiServer, page: Page, calls: int, first: int, jitter_s: float
) -> dict[str, list[float]]:
    """Per call: frame -> card ringing, -> member shown, AgentConnect frame -> card in call."""
    out: dict[str, list[float]] = {"AgentCalled": [], "member shown": [], "AgentConnect": []}
    rng = random.Random(first)
    for n in range(first, first + calls):
        # Calls arrive at random moments, not in step with a poll.
        await asyncio.sleep(rng.uniform(0, jitter_s))
        sent = time.time() * 1000
        sim.pbx.emit(_frame("AgentCalled", n, []))
        out["AgentCalled"].append(await _stamp(page, f"bench.{n}|Ringing") - sent)
        out["member shown"].append(await _stamp(page, f"bench.{n}|member") - sent)
        await asyncio.sleep(rng.uniform(0, jitter_s))
        sent = time.time() * 1000
        sim.pbx.emit(_frame("AgentConnect", n, [("HoldTime", "3"), ("RingTime", "1")]))
        out["AgentConnect"].append(await _stamp(page, f"bench.{n}|In call") - sent)
        sim.pbx.emit(
            _frame("AgentComplete", n, [("HoldTime", "3"), ("TalkTime", "1"), ("Reason", "agent")])
        )
    return out


def _p(values: list[float], q: int) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


async def _colleague_screens(base: str, n: int) -> list[asyncio.Task[None]]:
    """`n` other agents' screens, each holding its event stream open and reading every push."""

    async def one(agent: str) -> None:
        async with httpx.AsyncClient(base_url=base, timeout=None) as http:
            login = {"agent": agent, "password": COLLEAGUE_PASSWORD}
            (await http.post("/api/screen/login", json=login)).raise_for_status()
            async with http.stream("GET", "/api/screen/events") as stream:
                async for _line in stream.aiter_lines():
                    pass

    return [asyncio.create_task(one(f"colleague{i:03d}")) for i in range(1, n + 1)]


async def main(calls: int, baseline_calls: int, screens: int) -> None:
    rig: ScreenRig
    async with screen_engine(ring_s=3600, colleagues=screens) as rig, chromium() as browser:
        others = await _colleague_screens(rig.base, screens)
        await asyncio.sleep(1 + screens * 0.06)  # their logins (scrypt) and first views
        results: dict[str, dict[str, list[float]]] = {}
        for design, watch, count, jitter_s in (
            ("push", WATCH_PUSH, calls, 0.0),
            ("poll 1 s", WATCH_POLL, baseline_calls, 1.0),
        ):
            page = await (await browser.new_context()).new_page()
            await page.goto(f"{rig.base}/screen")
            await page.fill("#login-agent", "anne")
            await page.fill("#login-password", PASSWORDS["anne"])
            await page.click("#login-submit")
            await page.wait_for_selector("#me-name:not(:empty)")
            await page.evaluate(watch)
            await _measure(rig.sim, page, 5, 900_000 + len(results) * 100, jitter_s)  # warm-up
            first = 1_000 + len(results) * 10_000
            results[design] = await _measure(rig.sim, page, count, first, jitter_s)
            await page.context.close()
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
    print(
        f"screen pop, AMI frame -> card drawn in Chromium ({calls} calls push, "
        f"{baseline_calls} calls baseline; {screens} other agents' screens open)"
    )
    print(f"{'design':<10} {'event':<14} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for design, measured in results.items():
        for event, values in measured.items():
            print(
                f"{design:<10} {event:<14} {_p(values, 50):8.1f} {_p(values, 95):8.1f} "
                f"{max(values):8.1f}"
            )
    push_rang = results["push"]["AgentCalled"]
    poll_rang = results["poll 1 s"]["AgentCalled"]
    p95 = _p(push_rang, 95)
    print(
        f"push p95 {p95:.1f} ms (goal <= 150 ms: {'met' if p95 <= 150 else 'NOT met'}); "
        f"baseline/push at p50: {_p(poll_rang, 50) / _p(push_rang, 50):.1f}x, "
        f"at p95: {_p(poll_rang, 95) / p95:.1f}x"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--baseline-calls", type=int, default=40)
    parser.add_argument("--screens", type=int, default=40, help="other agents' open screens")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.calls, args.baseline_calls, args.screens))
