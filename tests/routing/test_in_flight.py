"""Actions in flight: the running router does not wait for replies, and never acts twice.

At a meeting start in a large office thousands of pauses go out at once. The running
loop hands a pass's actions to one pipeline and goes on to the next boundary; the events
of its own actions ask for no second decision; a membership whose action is unanswered is
decided again only once it is answered; after a reconnect the pauses go out before the
record of what the engine created (30,000 entries in a large office) is read.
"""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from switchboard.ami.client import AmiClient
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.ownership import OWNED_FAMILY
from switchboard.routing.router import Router
from tests.routing.builders import ANNE, BJORN, ROSTER
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


def soon(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


@dataclass
class Rig:
    sim: AmiServer
    router: Router
    presence: InMemoryPresence

    def paused(self, queue: str, interface: str) -> bool:
        member = self.sim.pbx.queues[queue].members.get(interface)
        return member is not None and member.paused

    def pauses(self, interface: str) -> list[str]:
        return [
            a["Paused"]
            for a in self.sim.actions_received
            if a.get("Action") == "QueuePause" and a.get("Interface") == interface
        ]


@contextlib.asynccontextmanager
async def rig() -> AsyncIterator[Rig]:
    async with simulator() as sim:
        presence = InMemoryPresence()
        router = Router(ROSTER, presence, lambda: datetime.now(UTC))
        # Slow keepalive: a stalled simulator must not look like a dead link here.
        settings = settings_for(sim, ping_interval_s=10, ping_deadline_s=10, action_timeout_s=10)
        client = AmiClient(settings, router.on_event, router.on_connected)
        async with running(router, client):
            await eventually(lambda: len(router.state.members()) == 3 and router.owned)
            yield Rig(sim, router, presence)


async def test_the_engines_own_pause_asks_for_no_second_decision() -> None:
    async with rig() as r:
        decided = r.router.decided
        r.presence.add("anne", BusyInterval(soon(0.3), soon(5)))
        await eventually(lambda: r.paused("loop1", ANNE.interface))
        await asyncio.sleep(0.3)  # Asterisk's QueueMemberPause for it has come in
        # Anne has one membership: decided when her calendar changed and at the start.
        # Her pause's own event used to be a third decision (at a meeting start in a large
        # office, thousands of passes that found nothing to do).
        assert r.router.decided - decided == 2


async def test_a_boundary_is_acted_on_while_earlier_actions_wait_for_replies() -> None:
    async with rig() as r:
        r.sim.stall()  # Asterisk reads nothing for now
        r.presence.add("anne", BusyInterval(soon(0.2), soon(5)))
        r.presence.add("bjorn", BusyInterval(soon(0.5), soon(5)))
        # Both pauses are handed over though the first is unanswered: the running loop
        # did not wait for its reply before acting at Bjørn's start.
        await eventually(lambda: r.router.actions_sent.get("QueuePause", 0) == 2)
        r.sim.resume()
        await eventually(lambda: r.paused("loop1", ANNE.interface))
        await eventually(lambda: r.paused("loop2", BJORN.interface))


async def test_a_membership_whose_action_is_unanswered_is_not_sent_it_twice() -> None:
    async with rig() as r:
        r.sim.stall()
        meeting = BusyInterval(soon(0.2), soon(5))
        r.presence.add("anne", meeting)
        await eventually(lambda: r.router.actions_sent.get("QueuePause", 0) == 1)
        # Her calendar changes again while the pause is unanswered: Asterisk still shows
        # her free, yet the engine must not send the same pause a second time.
        r.presence.set("anne", [meeting, BusyInterval(soon(10), soon(11))])
        await asyncio.sleep(0.3)
        r.sim.resume()
        await eventually(lambda: r.paused("loop1", ANNE.interface))
        await asyncio.sleep(0.3)  # decided again once answered: nothing left to send
        assert r.pauses(ANNE.interface) == ["true"]


async def test_after_a_reconnect_pauses_go_out_before_the_ownership_record_is_read() -> None:
    async with rig() as r:
        before = len(r.sim.actions_received)
        r.sim.restart()  # members come back from AstDB; Anne's meeting began meanwhile
        r.presence.add("anne", BusyInterval(soon(-1), soon(60)))

        def after() -> list[tuple[str, str]]:
            return [
                (a["Action"], a.get("Family", a.get("Interface", "")))
                for a in r.sim.actions_received[before:]
            ]

        await eventually(lambda: r.paused("loop1", ANNE.interface))
        await eventually(lambda: ("DBGetTree", OWNED_FAMILY) in after())
        await eventually(lambda: not r.router._ownership_due)  # read afresh
        assert len(r.router.owned or {}) == 3
        sent = after()
        # (the last pause: one may have gone into the connection Asterisk dropped)
        pause = len(sent) - 1 - sent[::-1].index(("QueuePause", ANNE.interface))
        assert sent.index(("QueueStatus", "")) < pause < sent.index(("DBGetTree", OWNED_FAMILY))
