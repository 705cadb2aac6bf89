"""The collector waits while the engine catches up after a snapshot, and always runs again.

After an Asterisk restart 30,000 new member objects are read and compared; full
collections meanwhile delayed the pauses due. The collector is held from the connect
until the first pass's actions are answered, then the heap is settled.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.catch_up import CatchUp
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


class Heap:
    """Records when it is held and settled, and how many pauses Asterisk had by then."""

    def __init__(self, sim: AmiServer | None = None) -> None:
        self.sim = sim
        self.calls: list[tuple[str, int]] = []

    def pauses(self) -> int:
        if self.sim is None:
            return 0
        return sum(a.get("Action") == "QueuePause" for a in self.sim.actions_received)

    def hold(self) -> None:
        self.calls.append(("hold", self.pauses()))

    def settle(self) -> int:
        self.calls.append(("settle", self.pauses()))
        return 0


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


@contextlib.asynccontextmanager
async def engine(
    heap: Heap, presence: InMemoryPresence, *, may_act: bool = True
) -> AsyncIterator[tuple[AmiServer, Router]]:
    async with simulator() as sim:
        heap.sim = sim
        router = Router(
            ROSTER, presence, lambda: datetime.now(UTC), heap=heap, may_act=lambda: may_act
        )
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        async with running(router, client):
            yield sim, router


async def test_after_a_restart_the_collector_waits_until_the_pauses_due_are_answered() -> None:
    heap, presence = Heap(), InMemoryPresence()
    async with engine(heap, presence) as (sim, router):
        await eventually(lambda: len(router.state.members()) == 3 and heap.calls)
        await eventually(lambda: len(heap.calls) == 2)
        assert [what for what, _ in heap.calls] == ["hold", "settle"]  # start-up
        sim.restart()
        presence.add("anne", BusyInterval(soon(-1), soon(60)))
        await eventually(lambda: len(heap.calls) == 4)
        (held, before), (settled, after) = heap.calls[2:]
        assert (held, settled) == ("hold", "settle")
        assert after > before  # Anne's pause went out, and was answered, while it was held
        member = sim.pbx.queues["loop1"].members[ANNE.interface]
        assert member.paused
    assert not router.catch_up.held


async def test_a_standby_engine_never_holds_the_collector() -> None:
    heap = Heap()
    async with engine(heap, InMemoryPresence(), may_act=False) as (_sim, router):
        await eventually(lambda: router._client is not None and router._client.connected.is_set())
        await asyncio.sleep(0.2)
        assert heap.calls == []


async def test_the_hold_ends_within_its_cap_even_if_answers_never_come() -> None:
    heap = Heap()
    catch_up = CatchUp(heap, longest_hold_s=0.05)
    catch_up.begin()
    never = asyncio.Event()
    catch_up.passed(never.wait)
    await eventually(lambda: not catch_up.held, 2)
    assert [what for what, _ in heap.calls] == ["hold", "settle"]


async def test_the_hold_ends_within_its_cap_when_no_pass_comes() -> None:
    # Connected, then Asterisk went away again before a pass: the hold must not wait for it.
    heap = Heap()
    catch_up = CatchUp(heap, longest_hold_s=0.05)
    catch_up.begin()
    await eventually(lambda: not catch_up.held, 2)
    assert [what for what, _ in heap.calls] == ["hold", "settle"]


async def test_stopping_the_router_lets_the_collector_run_again() -> None:
    heap = Heap()
    catch_up = CatchUp(heap)
    catch_up.begin()
    catch_up.begin()  # a second connect while held: still one hold
    await catch_up.close()
    assert [what for what, _ in heap.calls] == ["hold", "settle"]
    assert not catch_up.held
