"""Times in log lines are the office's (presence.timezone), with the offset, whatever the
host's own time zone is."""

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from switchboard.ami.client import AmiClient
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.router import Router
from tests.routing.builders import ROSTER
from tests.routing.test_router_ivr import config, rig
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def host_in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def oslo_offset(moment: datetime) -> str:
    return f"{moment.astimezone(OSLO):%z}"


async def test_busy_until_is_said_in_the_office_zone(
    host_in_new_york: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "switchboard.router")
    end = datetime.now(UTC) + timedelta(minutes=30)
    presence = InMemoryPresence({"anne": [BusyInterval(end - timedelta(hours=1), end)]})
    async with simulator() as sim:
        router = Router(ROSTER, presence, lambda: datetime.now(UTC), zone=OSLO)
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        async with running(router, client):
            await eventually(lambda: "calendar says busy until" in caplog.text)
    said = f"until {end.astimezone(OSLO):%H:%M:%S} {oslo_offset(end)}"
    assert said in caplog.text


async def test_open_until_is_said_in_the_office_zone(
    host_in_new_york: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "switchboard.router")
    async with rig(config()) as r:
        assert r.router is not None
        await eventually(lambda: "phones are open until" in caplog.text)
    # Monday 10:00 in Oslo (the rig's clock): open until 12:30 that day.
    assert "phones are open until Mon 23 Nov 12:30 +0100" in caplog.text
