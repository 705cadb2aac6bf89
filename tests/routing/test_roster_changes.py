"""Roster edits against the simulated PBX: the engine removes what it added, and only that."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.ownership import OWNED_FAMILY
from switchboard.routing.policy import ManualStatus
from switchboard.routing.roster import Loop, Roster
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, BJORN, CARI
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

AGENTS = {a.id: a for a in (ANNE, BJORN, CARI)}


def roster(loop1: tuple[str, ...], loop3: tuple[str, ...], agents: tuple[str, ...] = ()) -> Roster:
    return Roster(
        {a: AGENTS[a] for a in (agents or tuple(AGENTS))},
        (
            Loop("loop1", "loop1", "Invoices", "-111", agents=loop1),
            Loop("loop3", "loop3", "Other", "-113", agents=loop3),
        ),
    )


START = roster(("anne", "bjorn"), ("cari",))


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Rig:
    sim: AmiServer
    router: Router

    def queue(self, name: str) -> set[str]:
        return set(self.sim.pbx.queues[name].members)

    def records(self) -> dict[str, str]:
        prefix = f"/{OWNED_FAMILY}/"
        return {k.removeprefix(prefix): v for k, v in self.sim.pbx.astdb.items()
                if k.startswith(prefix)}  # fmt: skip


@contextlib.asynccontextmanager
async def engine(sim: AmiServer, start: Roster = START) -> AsyncIterator[Router]:
    router = Router(start, InMemoryPresence(), now)
    client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
    async with running(router, client):
        await eventually(lambda: router.owned is not None and not router._needs_snapshot)
        yield router


@contextlib.asynccontextmanager
async def rig(start: Roster = START) -> AsyncIterator[Rig]:
    async with simulator() as sim, engine(sim, start) as router:
        r = Rig(sim, router)
        await eventually(lambda: CARI.interface in r.queue("loop3"))
        yield r


async def test_every_membership_the_engine_adds_is_recorded_in_astdb() -> None:
    async with rig() as r:
        await eventually(lambda: len(r.records()) == 3)
        assert r.records() == {
            f"loop1/{ANNE.interface}": "anne",
            f"loop1/{BJORN.interface}": "bjorn",
            f"loop3/{CARI.interface}": "cari",
        }


async def test_an_agent_moved_to_another_loop_leaves_the_old_one() -> None:
    async with rig() as r:
        r.router.use_roster(roster(("bjorn",), ("cari", "anne")))
        await eventually(lambda: r.queue("loop3") == {CARI.interface, ANNE.interface})
        await eventually(lambda: r.queue("loop1") == {BJORN.interface})
        # The record follows the add's reply: it may still be on the wire.
        await eventually(lambda: r.records().get(f"loop3/{ANNE.interface}") == "anne")
        assert f"loop1/{ANNE.interface}" not in r.records()


async def test_an_agent_deleted_from_the_roster_is_logged_out_everywhere() -> None:
    async with rig() as r:
        r.router.use_roster(roster(("bjorn",), ("cari",), agents=("bjorn", "cari")))
        await eventually(lambda: ANNE.interface not in r.queue("loop1"))
        await eventually(lambda: not any(ANNE.interface in k for k in r.records()))


async def test_leave_logs_out_of_every_loop_the_engine_put_them_in() -> None:
    async with rig(roster(("anne", "bjorn"), ("cari", "anne"))) as r:
        await eventually(lambda: ANNE.interface in r.queue("loop1") & r.queue("loop3"))
        r.router.set_manual_status("anne", ManualStatus.LEAVE)
        await eventually(lambda: ANNE.interface not in r.queue("loop1") | r.queue("loop3"))
        await eventually(lambda: not any(ANNE.interface in k for k in r.records()))


async def test_a_member_someone_else_added_is_reported_once_and_left(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "switchboard.router")
    async with rig() as r:
        r.sim.pbx.add_member("loop1", "PJSIP/999", "Temp Helper")
        await eventually(lambda: "Temp Helper" in caplog.text)
        for _ in range(3):
            r.router.wake()
            await asyncio.sleep(0.05)
        assert "PJSIP/999" in r.queue("loop1")
        assert caplog.text.count("Temp Helper") == 1


async def test_a_restarted_engine_with_a_new_roster_removes_what_the_old_one_added() -> None:
    async with simulator() as sim:
        async with engine(sim) as first:
            await eventually(lambda: len(sim.pbx.queues["loop1"].members) == 2)
            # Stopped only once the record of what it added is in AstDB (it follows each
            # add): stopped sooner, the next engine rightly leaves an unrecorded member.
            await eventually(lambda: len(first.owned or {}) == 3)  # anne, bjorn and cari
        # persistentmembers: the memberships and their record outlive the engine.
        async with engine(sim, roster(("bjorn",), ("cari", "anne"))):
            await eventually(lambda: set(sim.pbx.queues["loop1"].members) == {BJORN.interface})
            await eventually(lambda: ANNE.interface in sim.pbx.queues["loop3"].members)


async def test_after_an_asterisk_restart_the_record_still_steers_removal() -> None:
    async with rig() as r:
        await eventually(lambda: len(r.records()) == 3)
        r.sim.drop_all()  # Asterisk restarts; persistent members and AstDB come back with it
        r.router.use_roster(roster(("bjorn",), ("cari",)))
        await eventually(lambda: r.queue("loop1") == {BJORN.interface})


async def test_after_a_restart_that_lost_members_the_records_astdb_kept_are_not_rewritten() -> None:
    async with rig() as r:
        await eventually(lambda: len(r.records()) == 3)
        r.sim.restart(keep_members=False)  # AstDB (and the records in it) outlives a restart
        sent = len(r.sim.actions_received)
        await eventually(lambda: r.queue("loop1") == {ANNE.interface, BJORN.interface})
        await eventually(lambda: r.queue("loop3") == {CARI.interface})
        await asyncio.sleep(0.2)
        after = [a.get("Action") for a in r.sim.actions_received[sent:]]
        assert after.count("QueueAdd") == 3
        assert "DBPut" not in after
        assert len(r.records()) == 3
