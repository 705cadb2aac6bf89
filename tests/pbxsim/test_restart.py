"""The simulator restarts as Asterisk does: members kept in AstDB come back, others do not."""

import asyncio

from switchboard.ami import actions
from switchboard.ami.client import AmiClient
from switchboard.ami.events import DbEntry
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually


async def _nothing() -> None:
    pass


async def test_every_member_added_is_kept_in_astdb_as_app_queue_writes_it() -> None:
    async with simulator() as sim:
        client = AmiClient(settings_for(sim), lambda e: None, _nothing)
        runner = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 5)
        for i in range(300):
            iface = f"PJSIP/{1000 + i}"
            await client.send(actions.queue_add("loop1", iface, f"Agent {i}", iface))
        await client.send(actions.queue_pause("loop1", "PJSIP/1007", True, "sb:meeting"))
        reply = await client.send(actions.db_get_tree("Queue/PersistentMembers"))
        await client.stop()
        await runner
    (entry,) = [i for i in reply.items if isinstance(i, DbEntry)]
    assert entry.key == "/Queue/PersistentMembers/loop1"
    kept = entry.value.split("|")
    assert len(kept) == 300
    # dump_queue_members: interface;penalty;paused;membername;state_interface;reason;wrapuptime
    assert "PJSIP/1007;0;1;Agent 7;PJSIP/1007;sb:meeting;0" in kept
    assert kept[0] == "PJSIP/1000;0;0;Agent 0;PJSIP/1000;;0"


async def test_a_restart_drops_every_connection_and_reloads_the_kept_members() -> None:
    async with simulator() as sim:
        sim.pbx.add_member("loop2", "PJSIP/1", "One", paused=True, reason="Lunch")
        sim.pbx.add_member("loop2", "PJSIP/2", "Two")
        sim.pbx.add_member("loop3", "PJSIP/3", "Three", membership="static")
        sim.persist_now()  # (QueueAdd over AMI persists by itself)
        client = AmiClient(settings_for(sim), lambda e: None, _nothing)
        runner = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 5)
        reconnects = client.reconnects
        sim.restart()
        await eventually(lambda: client.reconnects > reconnects and client.connected.is_set())
        await client.stop()
        await runner
        loop2 = sim.pbx.queues["loop2"].members
        assert set(loop2) == {"PJSIP/1", "PJSIP/2"}
        assert loop2["PJSIP/1"].paused
        assert loop2["PJSIP/1"].paused_reason == "Lunch"
        assert loop2["PJSIP/1"].name == "One"
        assert not loop2["PJSIP/2"].paused
        assert set(sim.pbx.queues["loop3"].members) == {"PJSIP/3"}  # from queues.conf


async def test_without_persistent_members_a_restart_loses_the_dynamic_ones() -> None:
    async with simulator() as sim:
        sim.pbx.add_member("loop2", "PJSIP/1", "One")
        sim.pbx.add_member("loop3", "PJSIP/3", "Three", membership="static")
        sim.persist_now()  # (QueueAdd over AMI persists by itself)
        sim.restart(keep_members=False)
        assert not sim.pbx.queues["loop2"].members
        assert set(sim.pbx.queues["loop3"].members) == {"PJSIP/3"}
