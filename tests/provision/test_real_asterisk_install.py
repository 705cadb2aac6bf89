"""The admin guide's steps onto a real Asterisk 22 that has the stock sample configuration.

Runs against Asterisk's own `make samples` files (kept pristine beside a local build,
tests/support/real_asterisk.py) and the `switchboard` command as an admin types it: install
beside the stock files, make the changes it names, speak the prompts, check over AMI, run the
engine; then a caller pressing 1 is answered in loop1, and on a closed day a caller's callback
request is stored (which needs the prompts: Read() returns at once without them).
Skipped without a local Asterisk build; CI covers the same path with the simulator.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from redis.asyncio import Redis

from switchboard.ami.actions import Action
from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.data_key import generate
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from tests.support.real_asterisk import (
    TEST_CONTEXTS,
    asterisk_binary,
    cli,
    free_port,
    running,
    stock_etc,
    stock_samples,
)
from tests.support.redis_server import RedisServer

pytestmark = [
    pytest.mark.asterisk,
    pytest.mark.skipif(
        stock_samples() is None, reason="no local Asterisk build with its stock samples"
    ),
]

OSLO = ZoneInfo("Europe/Oslo")
SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))
CONFIG = """
ami: {{host: 127.0.0.1, port: {port}, username: switchboard, secret_env: SWITCHBOARD_AMI_SECRET}}
redis: {{url: "unix://{redis}"}}
web: {{port: 0}}
screen: {{directory: "sqlite:members.db"}}
hours: {{mon: ["00:00-23:59"], tue: ["00:00-23:59"], wed: ["00:00-23:59"], thu: ["00:00-23:59"],
        fri: ["00:00-23:59"], sat: ["00:00-23:59"], sun: ["00:00-23:59"], holidays: null,
        closed_dates: [{closed}]}}
ivr: {{response_timeout_s: 3}}
default_loop: loop3
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [one]}}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [three]}}
agents:
  - {{id: one, name: Agent One, interface: Local/agent1@agents/n}}
  - {{id: three, name: Agent Three, interface: Local/agent3@agents/n}}
"""
# The test's own phones: a user that may originate simulated callers, and their contexts.
LAB_USER = (
    "\n[lab]\nsecret = lab-secret\ndeny = 0.0.0.0/0.0.0.0\n"
    "permit = 127.0.0.1/255.255.255.255\nread = system\nwrite = originate,call\n"
)


def switchboard(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SWITCHBOARD, *args], env={**os.environ, **env}, capture_output=True, text=True, timeout=120
    )


def apply_changes(output: str) -> None:
    """Make each change `asterisk-config --install` names, as an admin would by hand."""
    for file, line, key, value in re.findall(
        r"^  (/\S+?):(\d+): set `(\w+) = ([^`]+)`", output, flags=re.MULTILINE
    ):
        path = Path(file)
        lines = path.read_text().splitlines()
        lines[int(line) - 1] = f"{key} = {value}"
        path.write_text("\n".join(lines) + "\n")


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path, int]:
    etc, conf = stock_etc(tmp_path / "asterisk")
    return etc, conf, free_port()


async def until(condition: Callable[[], object], within: float) -> None:
    """Poll every half second (each poll may start `asterisk -rx`)."""
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.5)


def seconds(sound: Path) -> float:
    with wave.open(str(sound)) as w:
        return float(w.getnframes() / w.getframerate())


def originate(digits: str, wait: float, then: str, hold: float, pre: float = 1) -> Action:
    return Action(
        "Originate",
        (
            ("Channel", "Local/s@from-trunk"),
            ("Context", "caller-sim"),
            ("Exten", "s"),
            ("Priority", "1"),
            ("CallerID", '"Kari Nordmann" <+4790595313>'),
            ("Variable", f"PRE={pre}"),
            ("Variable", f"D1={digits}"),
            ("Variable", f"W2={wait}"),
            ("Variable", f"D2={then}"),
            ("Variable", f"HOLD={hold}"),
            ("Async", "true"),
        ),
    )


async def place_call(port: int, action: Action) -> None:
    phones = AmiClient(
        AmiSettings("127.0.0.1", port, "lab", "lab-secret"), lambda _e: None, _nothing
    )
    task = asyncio.create_task(phones.run())
    try:
        await asyncio.wait_for(phones.connected.wait(), 20)
        await phones.send(action)
    finally:
        await phones.stop()
        await task


async def _nothing() -> None:
    return None


def start_engine(config: Path, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [SWITCHBOARD, "run", "-c", str(config)],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(engine: subprocess.Popen[bytes]) -> None:
    engine.send_signal(signal.SIGINT)
    try:
        engine.wait(timeout=20)
    except subprocess.TimeoutExpired:
        engine.kill()


async def test_the_admin_guide_steps_on_a_stock_asterisk_route_calls_and_store_callbacks(
    site: tuple[Path, Path, int], tmp_path: Path, redis: Redis, redis_process: RedisServer
) -> None:
    etc, conf, port = site
    binary = asterisk_binary()
    assert binary is not None
    config = tmp_path / "sb.yaml"
    config.write_text(CONFIG.format(port=port, redis=redis_process.socket, closed=""))
    env = {
        "SWITCHBOARD_AMI_SECRET": "a-long-ami-secret-9f3",
        "SWITCHBOARD_DATA_KEY": generate(),
    }
    # Step 1: the config is valid.
    checked = switchboard("check-config", "-c", str(config), env=env)
    assert checked.returncode == 0, checked.stderr
    # Step 2: install beside the stock files; it names what to change in the operator's own.
    first = switchboard("asterisk-config", "--install", str(etc), "-c", str(config), env=env)
    assert first.returncode == 1, first.stdout + first.stderr
    todo = first.stderr
    assert f"{etc}/manager.conf:22: set `enabled = yes` under [general] (now: enabled = no)" in todo
    assert f"{etc}/manager.conf:25: set `port = {port}`" in todo
    assert f"{etc}/manager.conf:26: set `bindaddr = 127.0.0.1`" in todo
    apply_changes(todo)
    again = switchboard("asterisk-config", "--install", str(etc), "-c", str(config), env=env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("already includes") == 3  # idempotent
    # The test's own phones: a caller simulator and answering agents; inbound calls to sb-ivr.
    with (etc / "manager.conf").open("a") as f:
        f.write(LAB_USER)
    with (etc / "extensions.conf").open("a") as f:
        f.write("\n[from-trunk]\nexten => s,1,Goto(sb-ivr,s,1)\n" + TEST_CONTEXTS)
    # Step 3: the prompts, into the sounds folder of this Asterisk.
    sounds = tmp_path / "asterisk" / "data" / "sounds"
    spoken = switchboard("prompts", str(sounds), "-c", str(config), env=env)
    assert spoken.returncode == 0, spoken.stderr
    with running(binary, conf, port, tmp_path / "asterisk"):
        # Step 4: the check over AMI finds everything but what only a running engine shows.
        report = switchboard("asterisk-check", "-c", str(config), env=env)
        assert report.returncode == 0, report.stdout + report.stderr
        assert "MISSING" not in report.stdout
        assert "ok      dialplan context sb-callback" in report.stdout
        assert "ok      prompts: all" in report.stdout
        # Step 5: the engine.
        engine = start_engine(config, env, tmp_path / "engine.log")
        try:
            await until(lambda: "Agent Three" in cli(binary, conf, "queue show loop3"), within=30)
            after = switchboard("asterisk-check", "-c", str(config), env=env)
            assert "ok      persistentmembers: members the engine adds survive" in after.stdout
            await place_call(port, originate("1", 0, "", 15))
            await until(
                lambda: "answered by Agent One" in (tmp_path / "engine.log").read_text(),
                within=30,
            )
        finally:
            stop(engine)
        banner = (tmp_path / "engine.log").read_text()
        assert f"AMI      switchboard@127.0.0.1:{port}" in banner
        # A closed day: the YAML changes, the files are made again, Asterisk reloads.
        today = datetime.now(OSLO).date().isoformat()
        config.write_text(CONFIG.format(port=port, redis=redis_process.socket, closed=today))
        regenerated = switchboard(
            "asterisk-config", "--install", str(etc), "-c", str(config), env=env
        )
        assert regenerated.returncode == 0, regenerated.stderr
        cli(binary, conf, "dialplan reload")
        engine = start_engine(config, env, tmp_path / "engine2.log")
        try:
            # Once acting (the first engine's lease may still run), it tells the dialplan.
            await until(
                lambda: "phones are closed" in (tmp_path / "engine2.log").read_text(), within=30
            )
            # 5 at the offer, once the closed message (not interruptible) is over; then 1 to
            # confirm, pressed until the read-out number lets it through.
            closed = seconds(sounds / "no" / "custom" / "sb-closed.wav")
            await place_call(port, originate("5", 2, "1", 30, pre=closed + 1.5))
            store = RedisPromiseStore(redis, Sealer(env["SWITCHBOARD_DATA_KEY"].encode()))
            pending = []
            for _ in range(120):
                pending = await store.pending()
                if pending:
                    break
                await asyncio.sleep(0.5)
            assert pending, (tmp_path / "engine2.log").read_text()[-2000:] + cli(
                binary, conf, "dialplan show globals"
            )
            assert pending[0].number == "+4790595313"
            assert len(pending[0].ref) == 6
        finally:
            stop(engine)
