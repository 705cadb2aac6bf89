"""The newcomer's first command shows calls routed and a member paused by a meeting."""

import asyncio
import logging
import re
import socket

import httpx
import pytest
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.demo import run_demo
from tests.support.waiting import eventually


async def test_the_demo_routes_calls_and_pauses_a_member_for_a_meeting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # 40 s of the README's "first two minutes": the busy spell starts at +15 s.
    caplog.set_level(logging.INFO)
    await run_demo(duration_s=40, call_gap_s=3.0, seed=7, web_port=0)
    lines = [r.getMessage() for r in caplog.records]
    # Callers queue behind each other, and one asks to be called back: stored with its reference.
    positions = [int(m[1]) for line in lines if (m := re.search(r" at position (\d+)$", line))]
    assert max(positions) >= 3, positions
    stored = [line for line in lines if re.match(r"callback \d{6} stored for …\d{3}, due ", line)]
    assert stored, "no callback stored in the demo's first 40 s"
    ref = stored[0].split()[1]
    assert any(line.startswith(f"callback {ref} open, due ") for line in lines)
    assert any(line.startswith("log in Marit Haugen to loop1") for line in lines)
    assert not any("Liv Tangen to" in line for line in lines)  # on leave: never logged in
    assert any(  # one line for her loops: "in loop3, switchboard: calendar says ..."
        line.startswith("pause Mette Kvam in loop3") and ": calendar says busy until" in line
        for line in lines
    )
    assert any(" entered loop" in line for line in lines)
    assert any(" answered by " in line for line in lines)
    assert not any("+47" in line for line in lines)  # caller numbers are masked in logs


async def test_the_demo_serves_the_agent_screen_at_the_printed_url_with_the_printed_login(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    demo = asyncio.create_task(run_demo(duration_s=20, call_gap_s=0.5, seed=3, web_port=0))
    try:
        await eventually(
            lambda: any("agent screen: " in r.getMessage() for r in caplog.records), 10
        )
        line = next(r.getMessage() for r in caplog.records if "agent screen: " in r.getMessage())
        match = re.search(r"(http://\S+)/screen .*e\.g\. ([a-z.]+), .* password '(\w+)'", line)
        assert match, line
        base, agent, password = match.groups()
        async with httpx.AsyncClient(base_url=base) as http:
            assert (await http.get("/screen")).status_code == 200
            login = await http.post(
                "/api/screen/login", json={"agent": agent, "password": password}
            )
            assert login.status_code == 200
            view = (await http.get("/api/screen/view")).json()
            assert view["me"]["id"] == agent
            assert len(view["board"]) > 10
            # Rose wrote a course as an all-day event: her screen says it is ignored, and why.
            rose = {"agent": "rose.tran", "password": password}
            assert (await http.post("/api/screen/login", json=rose)).status_code == 200
            for _ in range(50):  # the first calendar poll may still be under way
                hints = (await http.get("/api/screen/view")).json()["hints"]
                if hints:
                    break
                await asyncio.sleep(0.2)
            # The example config speaks Norwegian on the screen.
            assert any("heldagsavtalen" in h and "08:00-15:30" in h for h in hints), hints
            # Most demo callers are invented members: some screen soon shows one on its card.
            agents = [row["id"] for row in view["board"]]
            assert await _someone_is_shown_a_member(base, agents, within_s=15)
    finally:
        await demo


async def _someone_is_shown_a_member(base: str, agents: list[str], within_s: float) -> bool:
    screens = [httpx.AsyncClient(base_url=base) for _ in agents]
    try:
        for agent, http in zip(agents, screens, strict=True):
            login = {"agent": agent, "password": "switchboard"}
            assert (await http.post("/api/screen/login", json=login)).status_code == 200
        deadline = asyncio.get_running_loop().time() + within_s
        while asyncio.get_running_loop().time() < deadline:
            for http in screens:
                call = (await http.get("/api/screen/view")).json()["call"]
                if call and call["members"]:
                    return True
            await asyncio.sleep(0.2)
        return False
    finally:
        for http in screens:
            await http.aclose()


def test_a_taken_web_port_is_said_plainly() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(app, ["demo", "--duration", "1", "--web-port", str(port)])
    assert result.exit_code == 2
    assert f"port {port} is already in use" in result.output
