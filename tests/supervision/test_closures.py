"""The supervisor's switch: who may close what, what AstDB holds, the holiday notice."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.client import AmiClient
from switchboard.ami.events import DbEntry
from switchboard.config import Settings, parse_config
from switchboard.supervision.closures import (
    ClosureRefused,
    check_request,
    notice_until,
    read_closures,
)
from switchboard.supervision.switch import SupervisorSwitch
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")
CONFIG = """
ami: {username: router, secret_env: S}
default_loop: loop1
supervisor: {holiday_notice_days: 2}
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne]}
  - {id: loop.x, queue: loopx, title: Other, digit: "2", suffix: "-112", agents: [anne]}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
  - {id: sue, name: Sue Pervisor, interface: PJSIP/202, roles: [supervisor]}
"""


def settings() -> Settings:
    return parse_config(CONFIG, "sup.yaml")


def test_only_a_supervisor_may_close_and_only_what_exists() -> None:
    roster = settings().roster
    check_request(roster, "supervisor", "sue", "loop1", "event", ("event",))
    check_request(roster, "supervisor", "sue", "ALL", None, ())
    with pytest.raises(ClosureRefused, match="only a supervisor"):
        check_request(roster, "supervisor", "anne", "loop1", "event", ("event",))
    with pytest.raises(ClosureRefused, match="no loop"):
        check_request(roster, "supervisor", "sue", "loop9", "event", ("event",))
    with pytest.raises(ClosureRefused, match="no closure message"):
        check_request(roster, "supervisor", "sue", "loop1", "party", ("event",))


def test_closures_are_read_back_from_astdb_by_the_keys_we_write() -> None:
    entries = [
        DbEntry("/sb-closure/ALL", "emergency"),
        DbEntry("/sb-closure/loop-loop_x", "event"),  # loop.x: AstDB key without the dot
        DbEntry("/sb-closure/NOTICE", "1790000000"),  # the holiday notice is no closure
        DbEntry("/sb-closure/loop-gone", "event"),  # a loop no longer configured
        DbEntry("/sb-other/ALL", "event"),
    ]
    assert read_closures(entries, ["loop1", "loop.x"]) == {"ALL": "emergency", "loop.x": "event"}


def test_the_holiday_notice_runs_until_the_closed_day_begins() -> None:
    hours = settings().ivr.hours  # type: ignore[union-attr]
    # Tuesday 15 May 2029: Thursday 17 May (Constitution Day) is two days ahead.
    tuesday = datetime(2029, 5, 15, 10, 0, tzinfo=OSLO)
    until = notice_until(hours, tuesday, 2)
    assert until == int(datetime(2029, 5, 17, 0, 0, tzinfo=OSLO).timestamp())
    assert notice_until(hours, tuesday, 1) is None  # one day ahead is a plain Wednesday
    assert notice_until(hours, tuesday, 0) is None  # off
    # A holiday on a Sunday, a day that is closed anyway, needs no notice.
    friday = datetime(2029, 12, 21, 10, 0, tzinfo=OSLO)
    assert notice_until(hours, friday, 2) is None  # 23 Dec is a Sunday, no holiday in NO


async def test_the_switch_writes_closures_and_the_notice_to_astdb_and_reads_them_back() -> None:
    s = settings()
    assert s.ivr is not None
    async with simulator() as sim:
        client = AmiClient(settings_for(sim), lambda _e: None, _nothing)
        task = asyncio.create_task(client.run())
        try:
            await asyncio.wait_for(client.connected.wait(), 5)
            may = datetime(2029, 5, 15, 10, 0, tzinfo=OSLO)
            switch = SupervisorSwitch(s.roster, s.ivr, "supervisor", lambda: client, lambda: may)
            await switch.close("sue", "loop.x", "event")
            assert sim.pbx.astdb["/sb-closure/loop-loop_x"] == "event"
            with pytest.raises(ClosureRefused):
                await switch.close("anne", "ALL", "event")
            await switch.refresh()
            assert sim.pbx.astdb["/sb-closure/NOTICE"] == str(
                int(datetime(2029, 5, 17, tzinfo=OSLO).timestamp())
            )
            # A second engine (or this one after a restart) finds the closure in AstDB.
            other = SupervisorSwitch(s.roster, s.ivr, "supervisor", lambda: client, lambda: may)
            await other.refresh()
            assert other.closures["loop.x"].message == "event"
            await other.reopen("sue", "loop.x")
            await eventually(lambda: "/sb-closure/loop-loop_x" not in sim.pbx.astdb, 2)
            with pytest.raises(ClosureRefused, match="not closed"):
                await other.reopen("sue", "loop.x")
        finally:
            await client.stop()
            await asyncio.gather(task, return_exceptions=True)


async def _nothing() -> None:
    return None
