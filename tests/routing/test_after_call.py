"""After a call: the loop's follow-up pause returns by itself or is ended early; calls rung
out in a row pause the agent, and only the agent lifts that (simulator over AMI)."""

from __future__ import annotations

import asyncio

from switchboard.ami.events import AgentConnect, AgentRingNoAnswer, DeviceStatus
from switchboard.config import Settings, parse_config
from switchboard.pbxsim.ivr import CallerScript
from switchboard.pbxsim.pbx import AgentBehaviour
from switchboard.routing.after_call import autopause_changes, ring_outs
from switchboard.routing.policy import ManualStatus
from switchboard.routing.queue_state import MemberState
from tests.routing.test_router_ivr import Rig, members_logged_in, rig
from tests.support.waiting import eventually

CONFIG = """
ami: {username: router, secret_env: SB_TEST_SECRET}
default_loop: loop1
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne],
     wait_s: 60, unstaffed_after_s: null, LOOP1}
  - {id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [anne],
     unstaffed_after_s: null}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
"""


def settings(loop1: str) -> Settings:
    return parse_config(CONFIG.replace("LOOP1", loop1), "after.yaml")


def member(r: Rig, queue: str = "loop1") -> tuple[bool, str]:
    m = r.sim.pbx.queues[queue].members["PJSIP/201"]
    return m.paused, m.paused_reason


async def test_the_follow_up_pause_after_a_call_returns_by_itself() -> None:
    async with rig(settings("follow_up_s: 2")) as r:
        assert r.router is not None
        await members_logged_in(r, "loop1")
        record = await r.call(CallerScript(keys=("1",), talk_s=0.05))
        assert record.outcome == "answered"
        await eventually(lambda: member(r) == (True, "switchboard:follow-up"), 2)
        assert r.router.manual["anne"].value == "follow-up"
        assert "anne" in r.router.follow_ups  # the screen counts down to this
        await eventually(lambda: not member(r)[0], 4)
        assert r.router.manual["anne"].value == "available"


async def test_the_agent_ends_the_follow_up_early() -> None:
    async with rig(settings("follow_up_s: 600")) as r:
        assert r.router is not None
        await members_logged_in(r, "loop1")
        await r.call(CallerScript(keys=("1",), talk_s=0.05))
        await eventually(lambda: member(r)[0], 2)
        r.router.set_manual_status("anne", ManualStatus.AVAILABLE, by_person=True)
        await eventually(lambda: not member(r)[0], 2)
        assert r.router.follow_ups == {}


async def test_two_calls_rung_out_pause_the_agent_until_they_say_they_are_back() -> None:
    async with rig(settings("autopause_after: 2")) as r:
        assert r.router is not None
        await members_logged_in(r, "loop1", "loop3")
        r.sim.pbx._behaviour = lambda _iface: AgentBehaviour(answers=False)
        r.sim.pbx.ring_timeout_s = 0.3
        caller = asyncio.create_task(r.player.call("+4790000001", "A", CallerScript(("1",))))
        try:
            await eventually(
                lambda: member(r) == member(r, "loop3") == (True, "Auto-Pause"), 5
            )  # in every loop
            rang_out = [e for e in r.events if isinstance(e, AgentRingNoAnswer)]
            assert len(rang_out) >= 2  # one more may ring while the pause is on its way
            r.router.wake()
            await asyncio.sleep(0.5)  # passes go by: the engine does not lift it
            assert member(r) == (True, "Auto-Pause")
            r.router.set_manual_status("anne", ManualStatus.AVAILABLE, by_person=True)
            await eventually(lambda: not member(r)[0] and not member(r, "loop3")[0], 2)
        finally:
            caller.cancel()


def test_answering_a_call_starts_the_count_again() -> None:
    roster = settings("autopause_after: 3").roster
    no = AgentRingNoAnswer("loop1", "c", "u", "l", "", "", "PJSIP/201", "Anne", "", 15.0)
    yes = AgentConnect("loop1", "c", "u", "l", "", "", "PJSIP/201", "Anne", "", 3, 1.0)
    counts = ring_outs(ring_outs({}, no, roster), no, roster)
    assert counts == {"anne": 2}
    assert ring_outs(counts, yes, roster) == {"anne": 0}


def standing(queue: str, paused: bool, reason: str) -> MemberState:
    return MemberState(
        queue, "PJSIP/201", "Anne Aas", "", "dynamic", paused, reason, DeviceStatus(1), False
    )


def test_back_from_an_autopause_lifts_only_the_autopause() -> None:
    roster = settings("autopause_after: 2").roster
    members = {
        ("loop1", "PJSIP/201"): standing("loop1", True, "Auto-Pause"),
        ("loop3", "PJSIP/201"): standing("loop3", True, "toilet"),  # her own, by hand
    }
    lifted = autopause_changes((), ("anne",), roster, members, {})
    assert [(c.queue, c.paused) for c in lifted] == [("loop1", False)]


def test_an_autopause_pauses_the_agent_in_every_loop_they_are_free_in() -> None:
    roster = settings("autopause_after: 2").roster
    members = {
        ("loop1", "PJSIP/201"): standing("loop1", False, ""),
        ("loop3", "PJSIP/201"): standing("loop3", True, "switchboard:meeting"),
    }
    paused = autopause_changes(("anne",), (), roster, members, {"anne": 2})
    assert [(c.queue, c.paused) for c in paused] == [("loop1", True)]
    assert "2 calls rang out in a row" in paused[0].why
