"""Per-loop staff (who can answer, who is in a meeting) kept from what changed, as walked."""

import random
from datetime import UTC, datetime

from switchboard.ami.events import DeviceStatus, QueueMemberPause, QueueMemberStatus
from switchboard.routing.attention import Touched
from switchboard.routing.policy import PauseReason
from switchboard.routing.queue_state import MemberState, QueueState
from switchboard.routing.staffing import LoopStaff, StaffIndex, staff_of

QUEUES = ("loop1", "loop2", "loop3")
INTERFACES = tuple(f"PJSIP/{200 + i}" for i in range(12))


def event(
    kind: type[QueueMemberStatus | QueueMemberPause],
    interface: str,
    *,
    paused: bool = False,
    reason: str = "",
) -> QueueMemberStatus | QueueMemberPause:
    return kind(
        "loop1", interface, "A", interface, "dynamic", 0, 0, 0, 0, False,
        DeviceStatus.NOT_INUSE, paused, reason,
    )  # fmt: skip


def test_the_index_follows_touched_memberships_exactly() -> None:
    rng = random.Random(5)
    state = QueueState()
    touched = Touched()
    index = StaffIndex()
    for step in range(400):
        queue, interface = rng.choice(QUEUES), rng.choice(INTERFACES)
        members = state.loop(queue).members
        if rng.random() < 0.15:
            members.pop(interface, None)
        else:
            paused = rng.random() < 0.4
            reason = rng.choice([PauseReason.MEETING.wire, "Lunch", ""]) if paused else ""
            in_call = rng.random() < 0.2
            status = rng.choice(list(DeviceStatus))
            members[interface] = MemberState(
                queue, interface, "A", interface, "dynamic", paused, reason, status, in_call
            )
        touched.keys.add((queue, interface))
        if step % 7 == 0:
            assert index.read(state, touched) == staff_of(state), step


def test_the_router_counts_a_loop_all_in_meetings_from_the_events_it_sees() -> None:
    state = QueueState()
    touched = Touched()
    index = StaffIndex()
    now = datetime(2026, 11, 23, 9, tzinfo=UTC).timestamp()
    for interface in INTERFACES[:3]:
        state.apply(event(QueueMemberStatus, interface), now)
        touched.keys.add(("loop1", interface))
    assert index.read(state, touched)["loop1"] == LoopStaff(members=3, answering=3)
    for interface in INTERFACES[:3]:
        pause = event(QueueMemberPause, interface, paused=True, reason=PauseReason.MEETING.wire)
        state.apply(pause, now)
        touched.keys.add(("loop1", interface))
    staff = index.read(state, touched)["loop1"]
    assert staff == LoopStaff(members=3, answering=0, in_meetings=3)
    assert staff.all_in_meetings
    assert not staff.staffed
