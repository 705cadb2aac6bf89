"""/metrics during simulated traffic with known answers: offered, answered, abandoned, states."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
from prometheus_client.parser import text_string_to_metric_families

from switchboard.config import Settings, WebConfig, parse_config
from switchboard.engine import Engine
from switchboard.pbxsim.server import AmiServer
from switchboard.pbxsim.traffic import Traffic
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.callbacks import from_astdb
from switchboard.promises.store import MemoryPromiseStore
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

CONFIG = """
ami: {username: router, secret_env: SB_TEST_SECRET}
ivr: {service_level_s: 20}
default_loop: loop1
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [anne, bo]}
  - {id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [cari]}
agents:
  - {id: anne, name: Anne Aas, interface: PJSIP/201}
  - {id: bo, name: Bo Berg, interface: PJSIP/202, status: leave}
  - {id: cari, name: Cari Dahl, interface: PJSIP/203}
"""


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


@contextlib.asynccontextmanager
async def engine_with_web(
    settings: Settings, presence: InMemoryPresence | None = None
) -> AsyncIterator[tuple[AmiServer, Engine, str]]:
    async with simulator(ring_s=0.02) as sim:
        store = MemoryPromiseStore()
        engine = Engine(
            settings,
            settings_for(sim),
            presence or InMemoryPresence(),
            promise_store=store,
            web=WebConfig(port=0),
        )
        task = asyncio.create_task(engine.run())
        try:
            assert engine.web is not None
            await eventually(lambda: engine.web is not None and engine.web.server.started, 5)
            yield sim, engine, f"http://127.0.0.1:{engine.web.port}"
        finally:
            engine.stop()
            await asyncio.wait_for(task, 10)


async def test_metrics_count_ten_offered_seven_answered_three_abandoned() -> None:
    settings = parse_config(CONFIG, "metrics.yaml")
    async with engine_with_web(settings) as (sim, engine, base):
        await eventually(lambda: "PJSIP/201" in sim.pbx.queues["loop1"].members)
        traffic = Traffic(sim.pbx, {"1": "loop1"}, "loop1")
        sim.pbx.pause_member("loop1", "PJSIP/201", True, "Lunch")  # nobody free: 3 give up
        await asyncio.gather(*(traffic.one_call("1", patience_s=0.2) for _ in range(3)))
        sim.pbx.pause_member("loop1", "PJSIP/201", False, "")
        for _ in range(7):
            assert await traffic.one_call("1", talk_s=0.01) == "answered"
        await engine.promise_store.add(  # type: ignore[union-attr]
            from_astdb("/sb-callback/123456", "+4790000001|loop1|1000000000|1.1",
                       settings.ivr.hours, 2)  # type: ignore[union-attr]
        )  # fmt: skip
        async with httpx.AsyncClient() as http:
            reply = await http.get(f"{base}/metrics", follow_redirects=False)
        assert reply.status_code == 200
        assert reply.headers["content-type"].startswith("text/plain")
        m = samples(reply.text)
        loop1 = (("loop", "loop1"),)
        assert m[("switchboard_loop_calls_offered_total", loop1)] == 10
        assert m[("switchboard_loop_calls_answered_total", loop1)] == 7
        assert m[("switchboard_loop_calls_abandoned_total", loop1)] == 3
        assert m[("switchboard_loop_calls_answered_within_target_total", loop1)] == 7
        # Of the ten who left loop1, seven were answered within the target.
        assert m[("switchboard_loop_service_level_ratio", loop1)] == 0.7
        assert m[("switchboard_loop_wait_before_answer_seconds_count", loop1)] == 7
        assert m[("switchboard_loop_callers_waiting", loop1)] == 0
        assert m[("switchboard_loop_agents", (("loop", "loop1"), ("state", "available")))] == 1
        assert m[("switchboard_loop_agents", (("loop", "loop1"), ("state", "logged_out")))] == 1
        assert m[("switchboard_ami_connected", ())] == 1
        assert m[("switchboard_ami_actions_total", (("action", "QueueAdd"),))] == 2
        assert m[("switchboard_callbacks_open", ())] == 1
        assert m[("switchboard_callbacks_overdue", ())] == 1  # requested in 2001
        assert m[("switchboard_reconcile_duration_seconds_count", ())] >= 1
        # Decoded versus ignored AMI events (the simulator sends both kinds).
        assert m[("switchboard_ami_events_total", (("outcome", "decoded"),))] > 10
        assert ("switchboard_ami_events_total", (("outcome", "ignored"),)) in m
        assert m[("switchboard_ami_events_total", (("outcome", "undecodable"),))] == 0


async def test_a_hand_pause_and_a_meeting_count_as_different_states() -> None:
    settings = parse_config(CONFIG, "metrics.yaml")
    now = datetime.now(UTC)
    meeting = BusyInterval(now - timedelta(minutes=5), now + timedelta(hours=1))
    async with engine_with_web(settings, InMemoryPresence({"anne": [meeting]})) as (sim, _e, base):
        await eventually(lambda: "PJSIP/203" in sim.pbx.queues["loop3"].members)
        sim.pbx.pause_member("loop3", "PJSIP/203", True, "Lunch")
        await eventually(lambda: sim.pbx.queues["loop1"].members["PJSIP/201"].paused)
        async with httpx.AsyncClient() as http:
            m = samples((await http.get(f"{base}/metrics")).text)
        assert m[("switchboard_loop_agents", (("loop", "loop3"), ("state", "paused_by_hand")))] == 1
        assert (
            m[("switchboard_loop_agents", (("loop", "loop1"), ("state", "paused_calendar")))] == 1
        )


async def test_metrics_answer_at_exactly_slash_metrics_without_a_redirect() -> None:
    settings = parse_config(CONFIG, "metrics.yaml")
    async with engine_with_web(settings) as (_sim, _engine, base), httpx.AsyncClient() as http:
        reply = await http.get(f"{base}/metrics", follow_redirects=False)
        assert reply.status_code == 200
        assert "# TYPE switchboard_loop_calls_offered_total counter" in reply.text
        assert "agent=" not in reply.text  # no personal names as labels by default


async def test_label_values_are_bounded_by_the_config() -> None:
    settings = parse_config(CONFIG, "metrics.yaml")
    async with engine_with_web(settings) as (sim, _engine, base), httpx.AsyncClient() as http:
        await eventually(lambda: bool(sim.pbx.queues["loop1"].members))
        m = samples((await http.get(f"{base}/metrics")).text)
    loops = {dict(labels).get("loop") for _name, labels in m} - {None}
    states = {dict(labels).get("state") for _name, labels in m} - {None}
    assert loops == {"loop1", "loop3"}
    assert states == {"available", "in_call", "paused_calendar", "paused_by_hand", "logged_out"}


async def test_the_loop_label_is_the_loop_id_on_every_metric_not_the_queue_name() -> None:
    # The example config's English loop is `english`, its Asterisk queue `switchboard`; the IVR
    # steps already carried the id, so every metric must, or one loop shows as two in Grafana.
    config = CONFIG.replace("{id: loop3, queue: loop3,", "{id: english, queue: loop3,")
    settings = parse_config(config, "m.yaml")
    async with engine_with_web(settings) as (sim, _engine, base), httpx.AsyncClient() as http:
        await eventually(lambda: bool(sim.pbx.queues["loop3"].members))
        m = samples((await http.get(f"{base}/metrics")).text)
    by_family: dict[str, set[str]] = {}
    for name, labels in m:
        if "loop" in dict(labels):
            by_family.setdefault(name, set()).add(dict(labels)["loop"])
    assert len(by_family) >= 10
    for name, loops in by_family.items():
        assert loops == {"loop1", "english"}, name


async def test_metric_names_follow_prometheus_conventions() -> None:
    settings = parse_config(CONFIG, "metrics.yaml")
    async with engine_with_web(settings) as (_sim, _engine, base), httpx.AsyncClient() as http:
        text = (await http.get(f"{base}/metrics")).text
    families = list(text_string_to_metric_families(text))
    assert len(families) > 15
    for family in families:
        assert family.name.startswith("switchboard_")
        assert "_ms" not in family.name
        assert "millis" not in family.name  # base units: seconds
        if family.type == "counter":
            assert all(s.name.endswith(("_total", "_created")) for s in family.samples)
        if family.name.endswith(("_wait", "_duration", "_age")) or "wait_before" in family.name:
            assert family.name.endswith("_seconds")
