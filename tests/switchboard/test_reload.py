"""`switchboard run` re-reads its config on SIGHUP: a good file applies, a bad one is refused."""

import asyncio
import logging
import os
import signal
from pathlib import Path

import pytest

from switchboard.config import load_config
from switchboard.engine import Engine
from switchboard.presence.source import InMemoryPresence
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

CONFIG = """
ami: {{username: router, secret_env: SB_TEST_SECRET}}
default_loop: loop3
loops:
  - {{id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [{loop1}]}}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [{loop3}]}}
agents:
  - {{id: anne, name: Anne Aas, interface: PJSIP/201, status: {anne}}}
  - {{id: cari, name: Cari Dahl, interface: PJSIP/203}}
"""


def write(path: Path, loop1: str = "anne", loop3: str = "cari", anne: str = "available") -> None:
    path.write_text(CONFIG.format(loop1=loop1, loop3=loop3, anne=anne))


async def test_sighup_applies_a_good_config_and_keeps_running_on_a_bad_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    path = tmp_path / "switchboard.yaml"
    write(path)
    async with simulator() as sim:
        queues = sim.pbx.queues
        engine = Engine(
            load_config(path), settings_for(sim), InMemoryPresence(), reload_on_sighup=True
        )
        running = asyncio.create_task(engine.run())
        try:
            await eventually(lambda: "PJSIP/201" in queues["loop1"].members)
            write(path, loop1="cari", loop3="anne")  # Anne moves to loop3
            os.kill(os.getpid(), signal.SIGHUP)
            await eventually(lambda: "PJSIP/201" in queues["loop3"].members)
            await eventually(lambda: "PJSIP/201" not in queues["loop1"].members)
            assert "reloaded: 2 agents in 2 loops" in caplog.text

            path.write_text("ami: [this is not a mapping\n")
            os.kill(os.getpid(), signal.SIGHUP)
            await eventually(lambda: "not reloaded, the running one stays" in caplog.text)
            assert "not valid YAML" in caplog.text
            assert engine.router.roster.loops[1].agents == ("anne",)

            write(path, loop1="cari", loop3="anne", anne="leave")  # status: leave in the file
            os.kill(os.getpid(), signal.SIGHUP)
            await eventually(lambda: "PJSIP/201" not in queues["loop3"].members)
        finally:
            engine.stop()
            await running
