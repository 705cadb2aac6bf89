"""Small hand-written rosters and members for the pure routing tests."""

from datetime import UTC, datetime, timedelta

from switchboard.ami.events import DeviceStatus
from switchboard.presence.busy import BusyInterval
from switchboard.routing.policy import DesiredMember, PauseReason
from switchboard.routing.queue_state import MemberState
from switchboard.routing.roster import Agent, Loop, Roster

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def at(hhmm: str) -> datetime:
    h, m = hhmm.split(":")
    return T0.replace(hour=int(h), minute=int(m))


def meeting(start: str, end: str) -> BusyInterval:
    return BusyInterval(at(start), at(end))


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


ANNE = Agent("anne", "Anne Aas", "PJSIP/201", "PJSIP/201", frozenset({"finance"}))
BJORN = Agent("bjorn", "Bjørn Berg", "PJSIP/202", "PJSIP/202", frozenset({"organiser"}))
CARI = Agent(
    "cari", "Cari Dahl", "PJSIP/203", "PJSIP/203", frozenset({"case_handler", "organiser"})
)

ROSTER = Roster(
    {a.id: a for a in (ANNE, BJORN, CARI)},
    (
        Loop("loop1", "loop1", "Insurance and invoices", "-111", agents=("anne",)),
        Loop("loop2", "loop2", "Pay and work", "-112", roles=("organiser", "case_handler")),
    ),
)


def want(
    agent: Agent, queue: str, *, logged_in: bool = True, paused: bool = False
) -> DesiredMember:
    return DesiredMember(
        agent.id,
        queue,
        agent.interface,
        agent.name,
        agent.state_interface,
        logged_in,
        PauseReason.MEETING if paused else None,
    )


def have(
    agent: Agent, queue: str, *, paused: bool = False, reason: str = "", membership: str = "dynamic"
) -> MemberState:
    return MemberState(
        queue,
        agent.interface,
        agent.name,
        agent.state_interface,
        membership,
        paused,
        reason,
        DeviceStatus.NOT_INUSE,
        False,
    )
