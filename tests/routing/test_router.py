"""The router against the simulated PBX over real AMI: calendars steer the queue."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.policy import ManualStatus, PauseReason
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, BJORN, CARI, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OURS = PauseReason.MEETING.wire


def now() -> datetime:
    return datetime.now(UTC)


def soon(seconds: float) -> datetime:
    return now() + timedelta(seconds=seconds)


@dataclass
class Rig:
    sim: AmiServer
    router: Router
    client: AmiClient
    presence: InMemoryPresence

    def member(self, queue: str, interface: str):  # type: ignore[no-untyped-def]
        return self.sim.pbx.queues[queue].members.get(interface)

    def actions(self, name: str) -> list[dict[str, str]]:
        return [a for a in self.sim.actions_received if a.get("Action") == name]


@contextlib.asynccontextmanager
async def rig(
    presence: InMemoryPresence | None = None, before: Callable[[AmiServer], None] | None = None
) -> AsyncIterator[Rig]:
    async with simulator() as sim:
        if before:
            before(sim)
        presence = presence or InMemoryPresence()
        router = Router(ROSTER, presence, now)
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        async with running(router, client):
            yield Rig(sim, router, client, presence)


async def test_everyone_in_the_roster_is_logged_in_to_their_loops() -> None:
    async with rig() as r:
        await eventually(lambda: len(r.actions("QueueAdd")) == 3)
        await eventually(lambda: r.member("loop2", CARI.interface) is not None)
        # The simulator has the member before the router has read Asterisk's answer: ask for
        # the idempotence check only once the router's own model holds all three, or that
        # check would send a QueueAdd of its own ("Already there") under load.
        await eventually(lambda: len(r.router.state.members()) == 3)
        assert r.member("loop1", ANNE.interface).name == "Anne Aas"
        assert r.member("loop2", BJORN.interface).membership == "dynamic"
        await eventually(lambda: len(r.router.owned or {}) == 3)  # each add is recorded
        assert (await r.router.reconcile()).changes == ()  # idempotent: nothing more to send


async def test_a_meeting_pauses_at_its_start_and_unpauses_at_its_end() -> None:
    start, end = soon(0.6), soon(1.2)
    presence = InMemoryPresence({"anne": [BusyInterval(start, end)]})
    async with rig(presence) as r:
        await eventually(lambda: r.member("loop1", ANNE.interface) is not None)
        assert not r.member("loop1", ANNE.interface).paused
        await eventually(lambda: r.member("loop1", ANNE.interface).paused)
        paused_at = now()
        assert paused_at >= start
        assert r.member("loop1", ANNE.interface).paused_reason == OURS
        await eventually(lambda: not r.member("loop1", ANNE.interface).paused)
        assert now() >= end
        pauses = r.actions("QueuePause")
        assert [p["Paused"] for p in pauses] == ["true", "false"]


async def test_a_meeting_added_a_moment_ahead_still_pauses_on_time() -> None:
    async with rig() as r:
        await eventually(lambda: r.member("loop1", ANNE.interface) is not None)
        start = soon(0.4)
        r.presence.add("anne", BusyInterval(start, soon(5)))
        await eventually(lambda: r.member("loop1", ANNE.interface).paused)
        assert now() >= start


async def test_someone_who_paused_themself_is_never_unpaused_by_the_engine() -> None:
    async with rig() as r:
        await eventually(lambda: r.member("loop1", ANNE.interface) is not None)
        r.sim.pbx.pause_member("loop1", ANNE.interface, True, "Lunch")
        r.presence.add("anne", BusyInterval(soon(0.1), soon(0.3)))
        await asyncio.sleep(0.6)  # the meeting came and went
        member = r.member("loop1", ANNE.interface)
        assert (member.paused, member.paused_reason) == (True, "Lunch")
        assert r.actions("QueuePause") == []


async def test_an_agent_going_on_leave_is_logged_out_of_every_loop() -> None:
    async with rig() as r:
        await eventually(lambda: r.member("loop2", CARI.interface) is not None)
        r.router.set_manual_status("cari", ManualStatus.LEAVE)
        await eventually(lambda: r.member("loop2", CARI.interface) is None)
        assert [a["Interface"] for a in r.actions("QueueRemove")] == [CARI.interface]


async def test_a_pause_left_by_an_earlier_run_is_lifted_when_the_calendar_is_free() -> None:
    def leftover(sim: AmiServer) -> None:
        sim.pbx.add_member("loop1", ANNE.interface, ANNE.name, paused=True, reason=OURS)

    async with rig(before=leftover) as r:
        await eventually(lambda: not r.member("loop1", ANNE.interface).paused)

        def added() -> list[str]:
            return [a["Interface"] for a in r.actions("QueueAdd")]

        # The unpause and the others' QueueAdds go out in one pass, in no promised order.
        await eventually(lambda: {BJORN.interface, CARI.interface} <= set(added()))
        assert ANNE.interface not in added()  # ... but Anne was already there


async def test_after_asterisk_restarts_the_engine_reads_the_truth_and_rebuilds() -> None:
    presence = InMemoryPresence({"bjorn": [BusyInterval(soon(-60), soon(60))]})
    async with rig(presence) as r:
        # Asterisk restarts once the first round is done, not with a QueueAdd in flight.
        await eventually(lambda: len(r.router.state.members()) == 3)
        assert len(r.actions("QueueAdd")) == 3
        assert r.member("loop2", BJORN.interface).paused
        for queue in r.sim.pbx.queues.values():  # a restart forgets dynamic members
            queue.members.clear()
        r.sim.drop_all()
        await eventually(lambda: len(r.actions("QueueAdd")) == 6)
        await eventually(lambda: r.member("loop2", BJORN.interface) is not None)
        bjorn = r.member("loop2", BJORN.interface)
        assert (bjorn.paused, bjorn.paused_reason) == (True, OURS)  # added paused, one action
        assert r.actions("QueuePause") == []
        assert len(r.actions("QueueStatus")) >= 2  # a fresh snapshot after the reconnect
