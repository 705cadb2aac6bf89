"""The action pipeline: many outstanding, a bounded window, per-member order, deadlines."""

import asyncio

import pytest

from switchboard.ami import actions
from switchboard.ami.actions import Action
from switchboard.ami.client import AmiClient
from switchboard.ami.connection import Reply
from switchboard.ami.errors import ActionFailed, ActionTimeout
from switchboard.ami.pipeline import ActionPipeline, Outcome
from tests.support.sim import settings_for, simulator


class SlowPeer:
    """Answers each action after `delay_s`, recording what was on the wire at once."""

    def __init__(self, delay_s: float = 0.01) -> None:
        self.delay_s = delay_s
        self.on_wire: list[str] = []
        self.order: list[str] = []
        self.most = 0

    async def send(self, action: Action, left: float) -> Reply:
        name = dict(action.fields).get("Interface", action.name)
        self.on_wire.append(name)
        self.order.append(name + ":" + dict(action.fields).get("Paused", "add"))
        self.most = max(self.most, len(self.on_wire))
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.on_wire.remove(name)
        if "refuse" in name:
            raise ActionFailed(action.name, "Interface not found")
        return Reply({"Response": "Success"})


async def test_many_actions_are_outstanding_at_once_but_never_more_than_the_window() -> None:
    peer = SlowPeer(0.02)
    pipeline = ActionPipeline(peer.send, window=8)
    outcomes: list[Outcome] = []
    for i in range(40):
        pipeline.submit(
            ("loop1", f"PJSIP/{i}"),
            actions.queue_pause("loop1", f"PJSIP/{i}", True, "x"),
            outcomes.append,
        )
    await pipeline.drain()
    assert len(outcomes) == 40
    assert all(isinstance(o, Reply) for o in outcomes)
    assert peer.most == 8
    assert pipeline.most_outstanding == 8


async def test_actions_for_one_member_go_in_the_order_given() -> None:
    peer = SlowPeer(0.005)
    pipeline = ActionPipeline(peer.send, window=16)
    member = ("loop1", "PJSIP/7")
    pipeline.submit(member, actions.queue_add("loop1", "PJSIP/7", "Seven", "PJSIP/7"), _ignore)
    pipeline.submit(member, actions.queue_pause("loop1", "PJSIP/7", True, "x"), _ignore)
    pipeline.submit(member, actions.queue_pause("loop1", "PJSIP/7", False, "y"), _ignore)
    assert pipeline.busy(member)
    await pipeline.drain()
    assert not pipeline.busy(member)
    assert peer.order == ["PJSIP/7:false", "PJSIP/7:true", "PJSIP/7:false"]
    assert peer.most == 1  # never two of the same member on the wire


async def test_a_refusal_reaches_its_own_caller_and_the_rest_go_on() -> None:
    pipeline = ActionPipeline(SlowPeer(0.001).send, window=4)
    outcomes: dict[str, Outcome] = {}
    for iface in ("PJSIP/1", "PJSIP/refuse", "PJSIP/3"):
        pipeline.submit(
            iface,
            actions.queue_pause("loop1", iface, True, "x"),
            lambda o, iface=iface: outcomes.__setitem__(iface, o),  # type: ignore[misc]
        )
    await pipeline.drain()
    assert isinstance(outcomes["PJSIP/refuse"], ActionFailed)
    assert isinstance(outcomes["PJSIP/1"], Reply)
    assert isinstance(outcomes["PJSIP/3"], Reply)


async def test_an_action_whose_deadline_passes_in_the_queue_is_never_sent() -> None:
    peer = SlowPeer(0.2)
    pipeline = ActionPipeline(peer.send, window=1, deadline_s=0.1)
    first: list[Outcome] = []
    second: list[Outcome] = []
    pipeline.submit("a", actions.queue_pause("loop1", "PJSIP/1", True, "x"), first.append)
    pipeline.submit("b", actions.queue_pause("loop1", "PJSIP/2", True, "x"), second.append)
    await pipeline.drain()
    assert peer.order == ["PJSIP/1:true"]  # the second waited past its deadline
    assert isinstance(first[0], Reply)
    assert isinstance(second[0], ActionTimeout)
    assert "deadline passed" in str(second[0])
    assert pipeline.expired == 1


async def test_a_window_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        ActionPipeline(SlowPeer().send, window=0)


async def test_pipelined_actions_against_the_simulator_are_correlated_by_action_id() -> None:
    async with simulator() as sim:
        client = AmiClient(settings_for(sim), lambda e: None, _nothing)
        runner = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 5)
        pipeline = ActionPipeline(lambda a, left: client.send(a, timeout=left), window=32)
        outcomes: list[Outcome] = []
        for i in range(200):
            iface = f"PJSIP/{1000 + i}"
            member = ("loop1", iface)
            pipeline.submit(member, actions.queue_add("loop1", iface, f"A{i}", iface), _ignore)
            pipeline.submit(member, actions.queue_pause("loop1", iface, True, "x"), outcomes.append)
        await pipeline.drain()
        await client.stop()
        await runner
        assert all(isinstance(o, Reply) for o in outcomes), outcomes[:3]
        members = sim.pbx.queues["loop1"].members
        assert len(members) == 200
        assert all(m.paused for m in members.values())


def _ignore(_outcome: Outcome) -> None:
    pass


async def _nothing() -> None:
    pass
