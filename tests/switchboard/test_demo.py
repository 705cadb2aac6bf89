"""The newcomer's first command shows calls routed and a member paused by a meeting."""

import logging

import pytest

from switchboard.demo import run_demo


async def test_the_demo_routes_calls_and_pauses_a_member_for_a_meeting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    await run_demo(duration_s=12.5, call_gap_s=0.7, seed=7)
    lines = [r.getMessage() for r in caplog.records]
    assert any(line.startswith("log in Marit Haugen to loop1") for line in lines)
    assert not any("Liv Tangen to" in line for line in lines)  # on leave: never logged in
    assert any(
        line.startswith("pause Mette Kvam in loop3: calendar says busy until") for line in lines
    )
    assert any(" entered loop" in line for line in lines)
    assert any(" answered by " in line for line in lines)
    assert not any("+47" in line for line in lines)  # caller numbers are masked in logs
