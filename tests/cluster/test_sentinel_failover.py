"""Redis Sentinel: the Redis primary dies while two engines run (real redis-server, a replica
and three redis-sentinel processes from Debian; the engines are `switchboard run` processes).

What must hold: the engines follow the promoted replica, exactly one of them acts again, no
action is sent twice, a meeting that starts mid-failover is acted on late by no more than
the failover took (plus one lease renewal), and each engine logs the outage twice: once
when it starts, once when it ends, with its length.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from redis import Redis as SyncRedis

from switchboard.demo import outlook_ics
from switchboard.presence.busy import BusyInterval
from tests.ops.test_failover import leader_flag, pauses, start_engine, wait_for_flag
from tests.support.real_asterisk import free_port
from tests.support.redis_sentinel import SERVICE, SentinelRig, redis_with_sentinels
from tests.support.sim import simulator
from tests.support.waiting import eventually

SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")
LEASE_S = 3.0

CONFIG = """
ami: {{host: 127.0.0.1, port: {ami_port}, username: router, secret_env: SB_TEST_AMI_SECRET,
      ping_interval_s: 1, backoff_max_s: 1}}
presence: {{poll_interval_s: 1}}
redis: {{url: "redis://127.0.0.1:1/0", sentinels: [{sentinels}], sentinel_service: {service},
        lease_s: {lease}}}
default_loop: loop1
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne, bo]}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201, calendar: "ics:{calendar}"}}
  - {{id: bo, name: Bo Berg, interface: PJSIP/202}}
"""


def primary_port(rig: SentinelRig) -> int | None:
    """The primary's port as the first sentinel that answers names it."""
    for port in rig.sentinel_ports:
        client = SyncRedis(port=port, socket_timeout=0.5)
        try:
            addr = client.sentinel_get_master_addr_by_name(SERVICE)
        except Exception:
            continue
        finally:
            client.close()
        if isinstance(addr, tuple):
            return int(addr[1])
    return None


async def test_the_primary_fails_over_while_two_engines_run(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    with redis_with_sentinels() as rig:
        async with simulator(ring_s=0.05) as sim, httpx.AsyncClient() as http:
            calendar = tmp_path / "anne.ics"
            calendar.write_text(outlook_ics([]))  # the meeting is written once both run
            config = tmp_path / "sb.yaml"
            config.write_text(
                CONFIG.format(
                    ami_port=sim.port,
                    sentinels=", ".join(f'"{s}"' for s in rig.sentinels),
                    service=SERVICE,
                    lease=LEASE_S,
                    calendar=calendar,
                )
            )
            ports = free_port(), free_port()
            logs = tmp_path / "a.log", tmp_path / "b.log"
            engines = [start_engine(config, ports[0], key, logs[0])]
            try:
                await wait_for_flag(http, ports[0], 1, within=45)
                engines.append(start_engine(config, ports[1], key, logs[1]))
                await wait_for_flag(http, ports[1], 0, within=45)
                await eventually(lambda: len(sim.pbx.queues["loop1"].members) == 2, within=10)
                # The meeting starts 2.5 s after the primary dies: after the leader's trust in
                # its last renewal (0.8 x 3 s) has run out, before the failover is done.
                # Written 4 s ahead: both engines read the calendar every second.
                kill_at = datetime.now(UTC) + timedelta(seconds=4)
                meeting_at = kill_at + timedelta(seconds=2.5)
                calendar.write_text(
                    outlook_ics([BusyInterval(meeting_at, meeting_at + timedelta(minutes=30))])
                )
                await asyncio.sleep(max(0.0, (kill_at - datetime.now(UTC)).total_seconds()))
                assert not pauses(sim, "PJSIP/201")

                old = rig.primary_port
                rig.kill_primary()
                killed = time.monotonic()
                failover_s = paused_late_s = None
                while time.monotonic() - killed < 30 and (failover_s is None or not paused_late_s):
                    if failover_s is None and primary_port(rig) not in (None, old):
                        failover_s = time.monotonic() - killed
                    if paused_late_s is None and pauses(sim, "PJSIP/201"):
                        paused_late_s = (datetime.now(UTC) - meeting_at).total_seconds()
                    await asyncio.sleep(0.05)
                assert failover_s is not None, "the sentinels did not promote the replica"
                assert paused_late_s is not None, "the meeting was never acted on"
                await asyncio.sleep(3.0)
                flags = [await leader_flag(http, port) for port in ports]
                log_texts = [log.read_text() for log in logs]
            finally:
                for engine in engines:
                    engine.terminate()
                    try:
                        engine.wait(10)
                    except subprocess.TimeoutExpired:
                        engine.kill()
    # Exactly one pause for the meeting, though leadership may have moved.
    assert len(pauses(sim, "PJSIP/201")) == 1
    assert sorted(f or 0.0 for f in flags) == [0, 1], flags
    adds = [x for x in sim.actions_received if x.get("Action") == "QueueAdd"]
    assert len(adds) == 2
    # Missed only for the failover (the meeting began 2.5 s into it), plus one renewal.
    assert paused_late_s <= max(0.0, failover_s - 2.5) + LEASE_S / 3 + 1.5, (
        f"failover {failover_s:.1f} s, meeting acted on {paused_late_s:.1f} s late"
    )
    for text in log_texts:
        assert text.count("Redis unreachable") == 1, text
        assert text.count("Redis back after") == 1, text
    print(f"\nfailover {failover_s:.1f} s; meeting acted on {paused_late_s:.1f} s late")
