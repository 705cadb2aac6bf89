"""The acting engine's periodic duties: a failing round is logged and the next one runs; an
engine that does not act runs none."""

import asyncio
import contextlib
import logging

import pytest

from switchboard.cluster.periodic import every


async def test_a_failing_round_is_logged_and_the_next_round_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    rounds: list[int] = []

    async def work() -> None:
        rounds.append(len(rounds))
        if len(rounds) == 1:
            raise ConnectionError("Redis went away")

    task = asyncio.create_task(every(0.01, work, failed="promise pass failed"))
    while len(rounds) < 3:
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert "promise pass failed: Redis went away" in caplog.text
    assert caplog.records[0].levelno == logging.WARNING


async def test_an_engine_that_does_not_act_runs_no_round() -> None:
    rounds: list[int] = []
    acting = False

    async def work() -> None:
        rounds.append(1)

    task = asyncio.create_task(every(0.01, work, failed="x", may_act=lambda: acting))
    await asyncio.sleep(0.1)
    assert rounds == []
    acting = True
    while not rounds:
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
