"""Callbacks are worked in the order people called: a caller moved on from loop to loop
before asking for a callback keeps the time of their first call (issue 17, item 4)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from switchboard.config import parse_config
from switchboard.ivr.dialplan import HOURS_UNTIL_VAR, HOURS_VAR
from switchboard.pbxsim.ivr import CallerScript, IvrPlayer
from switchboard.pbxsim.pbx import Pbx
from switchboard.promises.callbacks import CallbackParseError, from_astdb
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.screen.callback_list import callback_rows
from tests.promises.test_store import HOURS, MONDAY_10

OSLO = ZoneInfo("Europe/Oslo")
SCALE = 60.0
CONFIG = """
ami: {username: router, secret_env: S}
default_loop: loop1
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", wait_s: 60,
     overflow_to: loop3, agents: [anne]}
  - {id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", wait_s: 600,
     agents: [cari]}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
  - {id: cari, name: Cari Dahl, interface: PJSIP/203}
"""


def entry(ref: str, requested: int, first: int | None) -> tuple[str, str]:
    tail = "" if first is None else f"|{first}"
    return f"/sb-callback/{ref}", f"+4790595313|loop1|{requested}|1.{ref}{tail}"


def test_the_first_call_time_is_read_from_the_callback_entry() -> None:
    moved = from_astdb(*entry("482913", MONDAY_10 + 300, MONDAY_10), HOURS, 2)
    assert moved.first_called_at == datetime.fromtimestamp(MONDAY_10, UTC)
    assert moved.called_at < moved.requested_at
    # The promise itself counts from the request, as the caller was told.
    assert moved.due == from_astdb(*entry("482913", MONDAY_10 + 300, None), HOURS, 2).due
    # An entry of the earlier dialplan (four fields), or a first time that is not earlier:
    for first in (None, MONDAY_10 + 300, MONDAY_10 + 900):
        plain = from_astdb(*entry("482913", MONDAY_10 + 300, first), HOURS, 2)
        assert (plain.first_called_at, plain.called_at) == (None, plain.requested_at)
    with pytest.raises(CallbackParseError, match="no valid first call time"):
        from_astdb("/sb-callback/482913", "+4790595313|loop1|1|1.2|soon", HOURS, 2)


async def test_the_store_keeps_it_and_the_list_orders_callbacks_by_it(redis: Redis) -> None:
    store = RedisPromiseStore(redis, Sealer.generated())
    # Kari called at 10:00, waited through loop 1 and asked for a callback at 10:06;
    # Ola called at 10:02 and asked at once. Kari's promise is due later, yet she is first.
    kari = from_astdb(*entry("111111", MONDAY_10 + 360, MONDAY_10), HOURS, 2)
    ola = from_astdb(*entry("222222", MONDAY_10 + 120, MONDAY_10 + 120), HOURS, 2)
    assert ola.due < kari.due
    for p in (ola, kari):
        assert await store.add(p)
    assert await store.get("111111") == replace(kari, version=1)

    rows = callback_rows(
        await store.pending(),
        "anne",
        {"loop1"},
        {"loop1": "Invoices"},
        {},
        datetime.fromtimestamp(MONDAY_10 + 600, UTC),
        OSLO,
    )
    assert [r["ref"] for r in rows] == ["111111", "222222"]
    assert (rows[0]["called"], rows[1]["called"]) == ("Mon 23 Nov 10:00", "")


async def test_the_simulated_dialplan_stores_the_first_call_time_of_a_moved_caller() -> None:
    settings = parse_config(CONFIG, "sim.yaml")
    assert settings.ivr is not None
    t0 = time.monotonic()

    def clock() -> float:
        return MONDAY_10 + (time.monotonic() - t0) * SCALE

    pbx = Pbx({"loop1": "rrmemory", "loop3": "rrmemory"}, lambda _f: None, wall_clock=clock)
    pbx.globals[HOURS_VAR], pbx.globals[HOURS_UNTIL_VAR] = "open", str(MONDAY_10 + 86400)
    player = IvrPlayer(pbx, settings.ivr, pace=1 / SCALE, wall_clock=clock)
    # Nobody is logged in: loop 1's 60 s run out, 90 s into loop 3 the callback key.
    script = CallerScript(keys=("1",), patience_s=10, callback_after_s=90 / SCALE)
    record = await player.call("+4790595313", "Kari Nordmann", script)
    assert record.outcome == "callback"
    assert record.queues == ["loop1", "loop3"]
    [(key, value)] = pbx.astdb.items()
    promise = from_astdb(key, value, settings.ivr.hours, 2)
    assert promise.first_called_at == datetime.fromtimestamp(record.first, UTC)
    assert promise.requested_at - promise.called_at >= timedelta(seconds=140)
