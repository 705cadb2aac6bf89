"""The PBX simulator as a test peer."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from switchboard.ami.client import AmiSettings
from switchboard.pbxsim.pbx import AgentBehaviour
from switchboard.pbxsim.server import AmiServer

USER, SECRET = "router", "router-secret"
QUEUES = {"loop1": "rrmemory", "loop2": "rrmemory", "loop3": "rrmemory", "switchboard": "ringall"}


@contextlib.asynccontextmanager
async def simulator(auth_delay_s: float = 0.05, ring_s: float = 1.0) -> AsyncIterator[AmiServer]:
    server = AmiServer(
        dict(QUEUES),
        username=USER,
        secret=SECRET,
        auth_delay_s=auth_delay_s,
        behaviour=lambda _iface: AgentBehaviour(ring_s=ring_s),
    )
    await server.start()
    try:
        yield server
    finally:
        await server.close()


def settings_for(server: AmiServer, **overrides: float | str) -> AmiSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": server.port,
        "username": USER,
        "secret": SECRET,
        "ping_interval_s": 0.2,
        "ping_deadline_s": 0.3,
        "backoff_initial_s": 0.05,
        "backoff_max_s": 0.2,
        "action_timeout_s": 1.0,
    }
    values.update(overrides)
    return AmiSettings(**values)  # type: ignore[arg-type]
