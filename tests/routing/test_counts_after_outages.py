"""Offered, answered and abandoned stay true across AMI outages: after each reconnect the
counts are made whole from Asterisk's own QueueParams totals (simulated PBX, 50 drops)."""

import asyncio
import random
from datetime import UTC, datetime

from switchboard.ami.client import AmiClient
from switchboard.ami.events import Event
from switchboard.pbxsim.traffic import Traffic
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.queue_state import QueueState
from switchboard.routing.router import Router
from tests.routing.builders import ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

DROPS = 50
CALLS = 240


def now() -> datetime:
    return datetime.now(UTC)


async def test_after_50_link_drops_under_load_the_counts_equal_the_pbxs_truth() -> None:
    rng = random.Random(11)
    async with simulator(ring_s=0.05) as sim:
        router = Router(ROSTER, InMemoryPresence(), now)
        events_only = QueueState()  # what the events alone count (the old way)

        def on_event(event: Event) -> None:
            events_only.apply(event, now().timestamp())
            router.on_event(event)

        client = AmiClient(settings_for(sim), on_event, router.on_connected)
        traffic = Traffic(sim.pbx, {"1": "loop1", "2": "loop2"}, "loop2", rng=rng)
        async with running(router, client):
            await eventually(lambda: len(sim.pbx.queues["loop2"].members) == 2)

            async def calls() -> None:
                async with asyncio.TaskGroup() as group:
                    for _ in range(CALLS):
                        await asyncio.sleep(rng.expovariate(1 / 0.04))
                        group.create_task(
                            traffic.one_call(
                                rng.choice("12"),
                                patience_s=rng.uniform(0.1, 1.5),
                                talk_s=rng.uniform(0.05, 0.4),
                            )
                        )

            placing = asyncio.create_task(calls())
            drops = 0
            while drops < DROPS:
                await eventually(client.connected.is_set, within=5)
                await asyncio.sleep(rng.uniform(0.02, 0.2))
                sim.drop_all()
                drops += 1
            await placing
            statuses = sum(a.get("Action") == "QueueStatus" for a in sim.actions_received)
            sim.drop_all()  # one last reconnect after the traffic: its snapshot squares up
            await eventually(
                lambda: (
                    sum(a.get("Action") == "QueueStatus" for a in sim.actions_received) > statuses
                    and client.connected.is_set()
                )
            )
            await asyncio.sleep(0.2)

    figures = []
    for queue in ("loop1", "loop2"):
        truth = sim.pbx.queues[queue]
        ours = router.state.loop(queue).counters
        seen = events_only.loop(queue).counters
        figures.append(
            f"{queue}: truth {truth.offered}/{truth.answered}/{truth.outcomes.get('abandoned', 0)}"
            f", engine {ours.offered}/{ours.answered}/{ours.abandoned}"
            f", events alone {seen.offered}/{seen.answered}/{seen.abandoned}"
        )
    print("\noffered/answered/abandoned after", DROPS, "drops:", "; ".join(figures))
    for queue in ("loop1", "loop2"):
        truth = sim.pbx.queues[queue]
        ours = router.state.loop(queue).counters
        assert (ours.offered, ours.answered, ours.abandoned) == (
            truth.offered,
            truth.answered,
            truth.outcomes.get("abandoned", 0),
        ), figures
        assert (ours.timed_out, ours.moved_on) == (0, 0)
    assert sum(sim.pbx.queues[q].offered for q in ("loop1", "loop2")) == CALLS
