"""deploy/: Prometheus config and alert rules, the Grafana dashboard, compose and systemd,
each validated with the tool that understands it (promtool, systemd-analyze) or parsed and
cross-checked against what the engine really exports."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import yaml
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from switchboard.ami.client import AmiSettings
from switchboard.config import load_config
from switchboard.engine import Engine, calendar_presence, system_clock
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.ops.metrics import EngineCollector, EngineView
from switchboard.ops.web import build_app
from switchboard.presence.source import InMemoryPresence
from switchboard.screen.directory import SqliteDirectory

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def promtool(*args: str, cwd: Path) -> str:
    binary = shutil.which("promtool")
    assert binary, "promtool missing: ./dev test installs Debian's prometheus package"
    done = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def exported_metric_names() -> set[str]:
    """Every sample name the engine exposes, from a real scrape of the example config."""
    settings = load_config(EXAMPLE_CONFIG, {})
    presence = calendar_presence(settings, system_clock)
    engine = Engine(
        settings,
        AmiSettings("127.0.0.1", 1, "u", "s"),
        presence,
        directory=SqliteDirectory(":memory:", key=b"k"),  # the agent screen's metrics too
    )
    registry = CollectorRegistry()
    registry.register(EngineCollector(engine.view()))
    text = generate_latest(registry).decode()
    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count")}
    names = {  # families without samples yet (no traffic) still declare their names
        f.name + suffix
        for f in text_string_to_metric_families(text)
        for suffix in suffixes.get(f.type, ("",))
    }
    return names | {
        "switchboard_callbacks_open",  # present once a callback store is configured
        "switchboard_callbacks_overdue",
    }


def test_the_prometheus_config_is_valid() -> None:
    assert "SUCCESS" in promtool("check", "config", "prometheus.yml", cwd=DEPLOY / "prometheus")


def test_the_alert_rules_are_valid_and_their_unit_tests_pass() -> None:
    prom = DEPLOY / "prometheus"
    assert "6 rules found" in promtool("check", "rules", "switchboard-rules.yml", cwd=prom)
    assert "SUCCESS" in promtool("test", "rules", "switchboard-rules.test.yml", cwd=prom)


def test_alerts_cover_sla_stale_calendars_ami_down_and_empty_loops() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "switchboard-rules.yml").read_text())
    names = {r["alert"] for g in rules["groups"] for r in g["rules"]}
    assert {
        "SwitchboardServiceLevelBreach",
        "SwitchboardCalendarSourceStale",
        "SwitchboardAmiDown",
        "SwitchboardLoopEmptyInOpeningHours",
    } <= names


def _metric_names_in(expr: str) -> set[str]:
    return set(re.findall(r"\b(switchboard_[a-z0-9_]+)", expr))


def test_rules_and_dashboard_use_only_metrics_the_engine_exports() -> None:
    exported = exported_metric_names()
    rules = (DEPLOY / "prometheus" / "switchboard-rules.yml").read_text()
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "switchboard.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    used = _metric_names_in(rules) | {n for e in exprs for n in _metric_names_in(e)}
    assert used
    assert used - exported == set()


def test_every_dashboard_query_is_valid_promql(tmp_path: Path) -> None:
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "switchboard.json").read_text())
    assert dashboard["uid"] == "switchboard"
    assert dashboard["panels"]
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:query{i}", "expr": t["expr"]}
                    for i, t in enumerate(t for p in dashboard["panels"] for t in p["targets"])
                ],
            }
        ]
    }
    (tmp_path / "queries.yml").write_text(yaml.safe_dump(rules))
    assert "SUCCESS" in promtool("check", "rules", "queries.yml", cwd=tmp_path)
    for panel in dashboard["panels"]:
        assert panel["datasource"]["uid"] == "prometheus"
        assert {"x", "y", "w", "h"} <= panel["gridPos"].keys()


def test_grafana_provisioning_points_at_the_dashboard_and_prometheus() -> None:
    prov = DEPLOY / "grafana" / "provisioning"
    source = yaml.safe_load((prov / "datasources" / "prometheus.yml").read_text())
    assert source["datasources"][0]["uid"] == "prometheus"
    boards = yaml.safe_load((prov / "dashboards" / "switchboard.yml").read_text())
    assert boards["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_compose_wires_the_services_to_files_that_exist() -> None:
    compose = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"asterisk", "redis", "engine-a", "engine-b", "prometheus", "grafana"} <= set(services)
    assert services["asterisk"]["image"].startswith("andrius/asterisk:22")
    for name, service in services.items():
        image = service.get("image", "")
        assert not image.endswith(":latest") or "build" in service, f"{name}: pin the image"
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{name} mounts {source}, which is missing"
    subnet = compose["networks"]["switchboard"]["ipam"]["config"][0]["subnet"]
    permit = services["asterisk-config"]["environment"]["SWITCHBOARD_AMI_PERMIT"]
    assert subnet.split("/")[0] == permit.split("/")[0]
    engine = services["engine-a"]
    assert engine["environment"]["SWITCHBOARD_AMI_HOST"] == "asterisk"
    assert "/healthz" in " ".join(engine["healthcheck"]["test"])
    assert "--appendonly" in services["redis"]["command"]
    routes = {getattr(r, "path", "") for r in build_app(engine_view_for_routes()).routes}
    assert "/healthz" in routes
    assert "/metrics" in routes


def engine_view_for_routes() -> EngineView:
    settings = load_config(EXAMPLE_CONFIG, {})
    return Engine(settings, AmiSettings("127.0.0.1", 1, "u", "s"), InMemoryPresence()).view()


def test_the_systemd_unit_verifies(tmp_path: Path) -> None:
    # Not a skip: ./dev test installs Debian's systemd package when the tool is missing.
    assert shutil.which("systemd-analyze"), "systemd-analyze missing: apt-get install systemd"
    unit = (DEPLOY / "systemd" / "switchboard.service").read_text()
    # Point the unit at this checkout's installed command, which systemd checks exists.
    installed = shutil.which("switchboard") or str(Path(".venv/bin/switchboard").resolve())
    (tmp_path / "switchboard.service").write_text(
        unit.replace("/opt/switchboard/bin/switchboard", installed)
    )
    done = subprocess.run(
        ["systemd-analyze", "verify", str(tmp_path / "switchboard.service")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [ln for ln in done.stderr.splitlines() if "switchboard.service" in ln]
    assert problems == []


def test_the_image_copies_every_package_the_engine_installs() -> None:
    pyproject = (DEPLOY.parent / "pyproject.toml").read_text()
    include = re.search(r"include = \[(.*?)\]", pyproject)
    assert include is not None
    packages = re.findall(r'"(\w+)\*"', include.group(1))
    dockerfile = (DEPLOY.parent / "Dockerfile").read_text()
    copied = re.findall(r"^COPY (\w+) \1$", dockerfile, re.MULTILINE)
    assert sorted(packages) == sorted(copied)
