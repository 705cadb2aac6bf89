"""The agent tally counts what walking every member counts, after any changes."""

import random

from switchboard.ami.events import DeviceStatus
from switchboard.ops.metrics import agents_by_state
from switchboard.ops.tally import AgentTally
from switchboard.routing.attention import Touched
from switchboard.routing.policy import ManualStatus, PauseReason
from switchboard.routing.queue_state import MemberState, QueueState
from tests.routing.builders import ROSTER


def test_the_tally_follows_touched_members_and_agents_exactly() -> None:
    rng = random.Random(3)
    state = QueueState()
    manual: dict[str, ManualStatus] = {}
    touched = Touched()
    tally = AgentTally()
    keys = sorted({(loop.queue, agent.interface) for loop, agent in ROSTER.memberships()})
    for _ in range(300):
        queue, interface = rng.choice(keys)
        roll = rng.random()
        members = state.loop(queue).members
        if roll < 0.15:
            members.pop(interface, None)
        elif roll < 0.75:
            paused = rng.random() < 0.4
            reason = rng.choice([PauseReason.MEETING.wire, "Coaching", ""]) if paused else ""
            members[interface] = MemberState(
                queue, interface, "x", interface, "dynamic", paused, reason,
                rng.choice(list(DeviceStatus)), rng.random() < 0.3,
            )  # fmt: skip
        else:
            agent = rng.choice(sorted(ROSTER.agents))
            manual[agent] = rng.choice(list(ManualStatus))
            touched.agents.add(agent)
        touched.keys.add((queue, interface))
        assert tally.read(ROSTER, state, manual, touched) == agents_by_state(ROSTER, state, manual)
