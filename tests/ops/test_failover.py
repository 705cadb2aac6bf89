"""Two engine processes, one simulated PBX, one real redis-server: kill the leader.

The standby takes over within 10 s, pauses for a meeting exactly once (no double
pauses), and stores a callback requested while nobody was acting (none lost).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from cryptography.fernet import Fernet
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis

from switchboard.demo import outlook_ics
from switchboard.pbxsim.server import AmiServer
from switchboard.presence.busy import BusyInterval
from tests.support.real_asterisk import free_port
from tests.support.redis_server import RedisServer
from tests.support.sim import SECRET, simulator
from tests.support.waiting import eventually

# One key for the module: the tests share one redis-server, and what one stores sealed the
# next engine must open (a start-up check refuses a key that does not).
DATA_KEY = Fernet.generate_key().decode()
SWITCHBOARD = str(Path(sys.executable).parent / "switchboard")

CONFIG = """
ami: {{host: 127.0.0.1, port: {ami_port}, username: router, secret_env: SB_TEST_AMI_SECRET,
      ping_interval_s: 1, backoff_max_s: 1}}
presence: {{poll_interval_s: 1}}
redis: {{url: "unix://{socket}", lease_s: 3}}
default_loop: loop1
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne, bo]}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201, calendar: "ics:{calendar}"}}
  - {{id: bo, name: Bo Berg, interface: PJSIP/202}}
"""


def start_engine(
    config: Path, web_port: int, key: str, log: Path | None = None
) -> subprocess.Popen[bytes]:
    """`switchboard run` as its own process; its output goes to `log` (default: a file beside
    the config named by the web port), read when a test fails."""
    env = {
        **os.environ,
        "SB_TEST_AMI_SECRET": SECRET,
        "SWITCHBOARD_DATA_KEY": key,
        "SWITCHBOARD_WEB_PORT": str(web_port),
    }
    log = log or config.parent / f"engine-{web_port}.log"
    with log.open("wb") as out:
        return subprocess.Popen(
            [SWITCHBOARD, "run", "--config", str(config)], env=env, stdout=out, stderr=out
        )


async def leader_flag(http: httpx.AsyncClient, port: int) -> float | None:
    try:
        text = (await http.get(f"http://127.0.0.1:{port}/metrics", timeout=1)).text
    except httpx.HTTPError:
        return None
    for family in text_string_to_metric_families(text):
        if family.name == "switchboard_leader":
            return family.samples[0].value
    return None


async def wait_for_flag(http: httpx.AsyncClient, port: int, value: float, within: float) -> None:
    async with asyncio.timeout(within):
        while await leader_flag(http, port) != value:
            await asyncio.sleep(0.1)


def pauses(sim: AmiServer, interface: str) -> list[dict[str, str]]:
    return [
        a
        for a in sim.actions_received
        if a.get("Action") == "QueuePause"
        and a.get("Interface") == interface
        and a.get("Paused") == "true"
    ]


def meeting(calendar: Path, starts_in_s: float) -> None:
    """Anne's calendar gets a 30-minute meeting `starts_in_s` from now (engines poll it every
    second). Set once both engines are up, so a slow start under load cannot move the meeting
    to before the moment the test means it to fall in."""
    at = datetime.now(UTC) + timedelta(seconds=starts_in_s)
    calendar.write_text(outlook_ics([BusyInterval(at, at + timedelta(minutes=30))]))


@contextlib.asynccontextmanager
async def two_engines(
    tmp_path: Path, redis_process: RedisServer, sim: AmiServer, http: httpx.AsyncClient
) -> AsyncIterator[tuple[subprocess.Popen[bytes], int, Path]]:
    """Engine A acting and B standing by, both members logged in once; yields (A, B's web
    port, Anne's calendar, empty so far)."""
    calendar = tmp_path / "anne.ics"
    calendar.write_text(outlook_ics([]))
    config = tmp_path / "sb.yaml"
    config.write_text(
        CONFIG.format(ami_port=sim.port, socket=redis_process.socket, calendar=calendar)
    )
    port_a, port_b = free_port(), free_port()
    a = start_engine(config, port_a, DATA_KEY)
    b: subprocess.Popen[bytes] | None = None
    try:
        await wait_for_flag(http, port_a, 1, within=20)
        b = start_engine(config, port_b, DATA_KEY)
        await wait_for_flag(http, port_b, 0, within=20)
        await eventually(lambda: len(sim.pbx.queues["loop1"].members) == 2, within=10)
        await asyncio.sleep(1.0)
        adds = [x for x in sim.actions_received if x.get("Action") == "QueueAdd"]
        assert len(adds) == 2  # the standby added nobody
        yield a, port_b, calendar
    finally:
        for p in (a, b):
            if p is not None and p.poll() is None:
                p.terminate()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


async def test_the_standby_takes_over_within_ten_seconds_without_double_pauses(
    tmp_path: Path, redis_process: RedisServer, redis: Redis
) -> None:
    async with (
        simulator(ring_s=0.05) as sim,
        httpx.AsyncClient() as http,
        two_engines(tmp_path, redis_process, sim, http) as (a, port_b, calendar),
    ):
        meeting(calendar, starts_in_s=6)  # after the kill, before the lease (3 s) has lapsed
        await asyncio.sleep(2.0)
        a.send_signal(signal.SIGKILL)  # the leader dies without a word
        killed = time.monotonic()
        # A caller asks for a callback while nobody is acting.
        sim.pbx.astdb["/sb-callback/654321"] = f"+4790595313|loop1|{int(time.time())}|9.9"
        await wait_for_flag(http, port_b, 1, within=10)
        took = time.monotonic() - killed
        assert took < 10, f"takeover took {took:.1f} s"

        await eventually(lambda: bool(pauses(sim, "PJSIP/201")), within=40)
        await asyncio.sleep(2.0)
        assert len(pauses(sim, "PJSIP/201")) == 1  # exactly one pause for the meeting
        stored = await redis.hgetall("sb:promise:654321")
        assert stored, "the callback asked for during the takeover was lost"


async def test_a_pause_the_leader_made_before_it_died_is_not_made_again(
    tmp_path: Path, redis_process: RedisServer
) -> None:
    async with (
        simulator(ring_s=0.05) as sim,
        httpx.AsyncClient() as http,
        two_engines(tmp_path, redis_process, sim, http) as (a, port_b, calendar),
    ):
        meeting(calendar, starts_in_s=2)
        await eventually(lambda: bool(pauses(sim, "PJSIP/201")), within=20)
        await asyncio.sleep(1.0)
        a.send_signal(signal.SIGKILL)
        await wait_for_flag(http, port_b, 1, within=10)
        await asyncio.sleep(3.0)  # the new leader has read the truth and decided on it
        assert len(pauses(sim, "PJSIP/201")) == 1
        assert sim.pbx.queues["loop1"].members["PJSIP/201"].paused
