"""The incremental router decides exactly what a full recompute would, over random days.

Each step changes one input (a calendar, a manual status, a hand pause or unpause at the
phone, a member gone, a ring that changes nothing the policy reads, the clock moving past
boundaries) and then runs one pass. Before the pass, the full recompute's plan is worked
out from the same state; the pass must send exactly those changes, and afterwards the
full recompute must find nothing left to do.
"""

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from switchboard.ami.actions import Action
from switchboard.ami.connection import Reply
from switchboard.ami.events import (
    DeviceStatus,
    MemberEvent,
    QueueMemberPause,
    QueueMemberRemoved,
    QueueMemberStatus,
)
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.policy import ManualStatus, desired_members
from switchboard.routing.reconciler import Plan, plan
from switchboard.routing.router import Router
from tests.routing.builders import ROSTER, T0

AGENTS = sorted(ROSTER.agents)
KEYS = sorted({(loop.queue, agent.interface) for loop, agent in ROSTER.memberships()})


@dataclass
class Settings:
    action_timeout_s: float = 5.0


@dataclass
class AcceptingClient:
    """Stands in for the AMI client: every action is accepted at once."""

    sent: list[Action] = field(default_factory=list)
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    settings: Settings = field(default_factory=Settings)

    async def send(self, action: Action, *, timeout: float | None = None) -> Reply:
        self.sent.append(action)
        await asyncio.sleep(0)
        return Reply({"Response": "Success"})


def at(minute: int) -> datetime:
    return T0 + timedelta(minutes=minute)


spans = st.lists(
    st.tuples(st.integers(0, 240), st.integers(1, 90)).map(
        lambda p: BusyInterval(at(p[0]), at(p[0] + p[1]))
    ),
    max_size=3,
)


@dataclass(frozen=True)
class Step:
    kind: str  # calendar, manual, tick, by hand, gone, ring
    agent: str = ""
    spans: tuple[BusyInterval, ...] = ()
    status: ManualStatus = ManualStatus.AVAILABLE
    minutes: int = 0
    key: tuple[str, str] = ("", "")
    paused: bool = False


agents = st.sampled_from(AGENTS)
keys = st.sampled_from(KEYS)
steps = st.one_of(
    st.builds(Step, st.just("calendar"), agents, spans.map(tuple)),
    st.builds(Step, st.just("manual"), agents, status=st.sampled_from(list(ManualStatus))),
    st.builds(Step, st.just("tick"), minutes=st.integers(1, 45)),
    st.builds(Step, st.just("by hand"), key=keys, paused=st.booleans()),
    st.builds(Step, st.just("gone"), key=keys),
    st.builds(Step, st.just("ring"), key=keys),
)


def _member_event(
    cls: type[MemberEvent], router: Router, key: tuple[str, str], **changes: object
) -> MemberEvent:
    queue, interface = key
    have = router.state.loops[queue].members[interface]
    fields: dict[str, object] = {
        "queue": queue,
        "interface": interface,
        "name": have.name,
        "state_interface": have.state_interface,
        "membership": have.membership,
        "penalty": 0,
        "calls_taken": 0,
        "last_pause": 0,
        "login_time": 0,
        "in_call": have.in_call,
        "status": have.status,
        "paused": have.paused,
        "paused_reason": have.paused_reason,
    }
    fields.update(changes)
    return cls(**fields)  # type: ignore[arg-type]


def _router(presence: InMemoryPresence, clock: Callable[[], datetime]) -> Router:
    router = Router(ROSTER, presence, clock)
    client = AcceptingClient()
    client.connected.set()
    router.attach(client)  # type: ignore[arg-type]
    router._needs_snapshot = False
    router._owned = {}
    router.state.load_snapshot([], clock().timestamp())
    return router


def _full_plan(router: Router, presence: InMemoryPresence, now: datetime) -> Plan:
    desired = desired_members(
        ROSTER, router.manual, presence.busy_intervals(), now, router.back_early
    )
    return plan(desired, router.state.members(), router.owned)


async def _day(script: list[Step]) -> None:
    now = [at(0)]
    presence = InMemoryPresence()
    router = _router(presence, lambda: now[0])
    for step in [Step("tick"), *script]:
        queue, interface = step.key
        present = interface in router.state.loop(queue).members if queue else False
        if step.kind == "calendar":
            presence.set(step.agent, step.spans)
        elif step.kind == "manual":
            router.set_manual_status(step.agent, step.status, by_person=True)
        elif step.kind == "tick":
            now[0] += timedelta(minutes=step.minutes)
        elif step.kind == "by hand" and present:
            reason = "Coaching" if step.paused else ""
            pause = _member_event(
                QueueMemberPause, router, step.key, paused=step.paused, paused_reason=reason
            )
            router.on_event(pause)
        elif step.kind == "gone" and present:
            router.on_event(_member_event(QueueMemberRemoved, router, step.key))
        elif step.kind == "ring" and present:
            ring = _member_event(
                QueueMemberStatus, router, step.key, status=DeviceStatus.RINGING, in_call=True
            )
            router.on_event(ring)
        full = _full_plan(router, presence, now[0])
        done = await router.reconcile()
        assert Counter(map(repr, done.changes)) == Counter(map(repr, full.changes)), step
        assert _full_plan(router, presence, now[0]).changes == (), step


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(steps, min_size=1, max_size=25))
def test_the_incremental_router_sends_what_a_full_recompute_would(script: list[Step]) -> None:
    asyncio.run(_day(script))


async def test_a_ring_or_a_hangup_wakes_no_pass() -> None:
    router = _router(InMemoryPresence(), lambda: at(0))
    await router.reconcile()  # everyone logged in
    passes = router.passes
    router._wake.clear()
    ring = _member_event(
        QueueMemberStatus, router, KEYS[0], status=DeviceStatus.RINGING, in_call=True
    )
    router.on_event(ring)
    assert not router._wake.is_set()
    await router.reconcile()
    assert router.passes == passes  # nothing noted: nothing decided
