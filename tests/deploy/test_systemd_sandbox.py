"""The systemd unit's sandbox against what the engine writes (systemd is not PID 1 here).

The unit is read as systemd reads it: with ProtectSystem=strict the whole file system is
read-only except what StateDirectory=, ReadWritePaths= and PrivateTmp= open; then every
path the example config makes the engine write must fall in a writable place.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from switchboard.config import parse_config
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.preflight import written_paths

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "systemd" / "switchboard.service"


def service_settings() -> dict[str, list[str]]:
    """[Service] keys; a key given twice keeps both (Environment= does)."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in UNIT.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        if section == "Service":
            key, _, value = line.partition("=")
            out.setdefault(key, []).append(value)
    return out


def writable(unit: dict[str, list[str]]) -> tuple[list[PurePosixPath], list[PurePosixPath]]:
    assert unit["ProtectSystem"] == ["strict"]  # everything else is read-only
    roots = [
        PurePosixPath("/var/lib") / d for v in unit.get("StateDirectory", []) for d in v.split()
    ]
    roots += [PurePosixPath(p) for v in unit.get("ReadWritePaths", []) for p in v.split()]
    if unit.get("PrivateTmp") == ["yes"]:
        roots += [PurePosixPath("/tmp"), PurePosixPath("/var/tmp")]
    read_only = [PurePosixPath(p) for v in unit.get("ReadOnlyPaths", []) for p in v.split()]
    return roots, read_only


def unit_environment(unit: dict[str, list[str]]) -> dict[str, str]:
    """Environment= as given, and $STATE_DIRECTORY as systemd sets it for StateDirectory=."""
    env = {}
    for value in unit.get("Environment", []):
        key, _, val = value.partition("=")
        env[key] = val
    states = [f"/var/lib/{d}" for v in unit.get("StateDirectory", []) for d in v.split()]
    if states:
        env["STATE_DIRECTORY"] = ":".join(states)
    return env


def config_path(unit: dict[str, list[str]]) -> str:
    (start,) = unit["ExecStart"]
    return start.split(" -c ")[1].split()[0]


def may_write(
    path: PurePosixPath, roots: list[PurePosixPath], read_only: list[PurePosixPath]
) -> bool:
    if any(path.is_relative_to(r) for r in read_only):
        return False
    return any(path.is_relative_to(r) for r in roots)


@pytest.mark.parametrize("ratings", [False, True], ids=["example", "with-ratings"])
def test_every_path_the_example_config_writes_is_writable_in_the_sandbox(ratings: bool) -> None:
    unit = service_settings()
    roots, read_only = writable(unit)
    text = EXAMPLE_CONFIG.read_text()
    if ratings:  # ratings and recording consent, with the store's default (relative) name
        assert "    # rating: true" in text
        text = text.replace("    # rating: true", "    rating: true", 1)
    settings = parse_config(text, config_path(unit), unit_environment(unit))
    paths = [PurePosixPath(p) for p in written_paths(settings)]
    assert PurePosixPath("/var/lib/switchboard/members.db") in paths
    if ratings:
        assert PurePosixPath("/var/lib/switchboard/ratings.db") in paths
    for path in paths:
        assert may_write(PurePosixPath(path), roots, read_only), (
            f"{path} is read-only under the unit"
        )


def test_without_the_unit_s_state_directory_the_engine_would_write_into_etc() -> None:
    """What the issue found: sqlite:members.db next to the config is read-only there."""
    unit = service_settings()
    roots, read_only = writable(unit)
    text = EXAMPLE_CONFIG.read_text()
    settings = parse_config(text, config_path(unit), {})
    (db, *_) = written_paths(settings)
    assert not may_write(PurePosixPath(db), roots, read_only)


def test_the_unit_keeps_secrets_in_a_root_file_and_stops_looping_on_config_errors() -> None:
    unit = service_settings()
    assert unit["EnvironmentFile"] == ["/etc/switchboard/environment"]
    assert unit["User"] == ["switchboard"]
    assert unit["RestartPreventExitStatus"] == ["2"]  # exit 2: a config or start-up error
    header = UNIT.read_text()
    assert "install -m 0600 /dev/null /etc/switchboard/environment" in header
    assert "useradd --system" in header
    assert "/usr/local/share/doc/switchboard/admin-guide.md" in header
    assert (DEPLOY.parent / "docs" / "admin-guide.md").exists()  # what Documentation= names
