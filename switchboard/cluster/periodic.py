"""Periodic work, most of it the acting engine's alone (escalation, reports, AstDB statuses).

One loop for all of it: each round runs when `may_act()` says this engine acts, a failure is
logged and the next round tries again (what the work talks to, Redis, a database, mail or
Asterisk, may be away for a while), and cancelling the task ends it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import NoReturn

log = logging.getLogger("switchboard.periodic")


def always() -> bool:
    return True


async def every(
    seconds: float,
    work: Callable[[], Awaitable[object]],
    *,
    failed: str,
    may_act: Callable[[], bool] = always,
    logger: logging.Logger = log,
) -> NoReturn:
    """Run `work` every `seconds` while `may_act()`; a failure is logged as `failed: why`."""
    while True:
        if may_act():
            try:
                await work()
            except Exception as exc:  # an adapter failed: the next round tries again
                logger.warning("%s: %s", failed, exc)
        await asyncio.sleep(seconds)
