"""A single Redis goes away for 7 s while a meeting starts (real redis-server, a real
`switchboard run` process, the simulated PBX).

With one Redis there is nothing to fail over to: the engine stops acting 0.8 x lease_s after
its last renewal (so that a standby could never act at the same time), and acts again on its
first renewal once Redis is back. What fell due meanwhile is done then, once: the meeting's
pause comes late by the rest of the outage. The outage is two log lines.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet

from switchboard.demo import outlook_ics
from switchboard.presence.busy import BusyInterval
from tests.ops.test_failover import pauses, start_engine, wait_for_flag
from tests.support.real_asterisk import free_port
from tests.support.redis_server import RedisServer
from tests.support.sim import simulator

LEASE_S = 3.0
OUTAGE_S = 7.0

CONFIG = """
ami: {{host: 127.0.0.1, port: {ami_port}, username: router, secret_env: SB_TEST_AMI_SECRET,
      ping_interval_s: 1, backoff_max_s: 1}}
presence: {{poll_interval_s: 1}}
redis: {{url: "unix://{socket}", lease_s: {lease}}}
default_loop: loop1
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne, bo]}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201, calendar: "ics:{calendar}"}}
  - {{id: bo, name: Bo Berg, interface: PJSIP/202}}
"""


async def test_a_meeting_that_starts_during_a_redis_outage_is_acted_on_when_it_ends(
    tmp_path: Path,
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    calendar = tmp_path / "anne.ics"
    calendar.write_text(outlook_ics([]))  # the meeting is written once the engine acts
    engine: subprocess.Popen[bytes] | None = None
    try:
        async with simulator(ring_s=0.05) as sim, httpx.AsyncClient() as http:
            config = tmp_path / "sb.yaml"
            config.write_text(
                CONFIG.format(
                    ami_port=sim.port, socket=redis.socket, lease=LEASE_S, calendar=calendar
                )
            )
            port, log = free_port(), tmp_path / "engine.log"
            engine = start_engine(config, port, Fernet.generate_key().decode(), log)
            await wait_for_flag(http, port, 1, within=45)
            meeting_at = datetime.now(UTC) + timedelta(seconds=5)  # read within a second
            calendar.write_text(
                outlook_ics([BusyInterval(meeting_at, meeting_at + timedelta(minutes=30))])
            )
            await asyncio.sleep((meeting_at - datetime.now(UTC)).total_seconds() - 3.0)
            redis.stop()  # Redis goes away 3 s before the meeting starts
            await asyncio.sleep(OUTAGE_S)
            redis.start()
            back_at = datetime.now(UTC)
            started = time.monotonic()
            while not pauses(sim, "PJSIP/201") and time.monotonic() - started < 15:
                await asyncio.sleep(0.05)
            late_s = (datetime.now(UTC) - meeting_at).total_seconds()
            assert pauses(sim, "PJSIP/201"), "the meeting was never acted on"
            await asyncio.sleep(2.0)
            assert len(pauses(sim, "PJSIP/201")) == 1
    finally:
        if engine is not None:
            engine.terminate()
            engine.wait(10)
        redis.stop()
    after_back_s = late_s - (back_at - meeting_at).total_seconds()
    assert after_back_s <= LEASE_S / 3 + 1.5, f"acted {after_back_s:.1f} s after Redis was back"
    text = log.read_text()
    assert text.count("Redis unreachable") == 1, text
    assert text.count("Redis back after") == 1, text
    print(f"\nmeeting acted on {late_s:.1f} s late ({after_back_s:.1f} s after Redis was back)")
