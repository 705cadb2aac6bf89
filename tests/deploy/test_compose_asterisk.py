"""The compose file's Asterisk, read as Asterisk would read it (there is no Docker engine here).

The container's /etc/asterisk is assembled from the compose file itself: each bind mount is
copied to its container path, and the generated volume is filled by running the
`asterisk-config` service's own command. Then the include chain is followed from each
top-level file exactly as main/config.c resolves it (provision.conf_reader).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from switchboard.config import load_config
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.provision.conf_reader import AsteriskConfig, read_config

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SECRET = "compose-test-secret"


def compose() -> dict[str, dict[str, object]]:
    data = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())
    return dict(data["services"])


def _mounts(service: dict[str, object]) -> list[tuple[str, str]]:
    out = []
    for volume in service.get("volumes", []):  # type: ignore[attr-defined]
        source, target = str(volume).split(":")[:2]
        out.append((source, target))
    return out


@pytest.fixture(scope="module")
def container_etc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """/etc/asterisk of the asterisk container, as compose would assemble it."""
    root = tmp_path_factory.mktemp("container")
    services = compose()
    volumes: dict[str, Path] = {}
    config_service = services["asterisk-config"]
    command = str(config_service["command"][0])  # type: ignore[index]
    for source, target in _mounts(config_service):
        if source.startswith("."):
            command = command.replace(target, str(DEPLOY / source))
        else:
            volumes[source] = root / "volumes" / source
            volumes[source].mkdir(parents=True)
            command = command.replace(target, str(volumes[source]))
    if os.geteuid() != 0:
        command = command.replace("&& chown", "&& : chown")  # only root may give files away
    env = {k: str(v) for k, v in config_service["environment"].items()}  # type: ignore[attr-defined]
    env["SWITCHBOARD_AMI_SECRET"] = SECRET
    bin_dir = str(Path(sys.executable).parent)
    done = subprocess.run(
        ["sh", "-c", command.replace("$$", "$")],
        env={**env, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    for source, target in _mounts(services["asterisk"]):
        place = root / target.lstrip("/")
        if source.startswith("."):
            place.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(DEPLOY / source, place)
        elif source in volumes:
            shutil.copytree(volumes[source], place, dirs_exist_ok=True)
    return root / "etc" / "asterisk"


def read(etc: Path, name: str) -> AsteriskConfig:
    config = read_config(etc, name)
    assert config.valid, config.errors
    return config


def test_the_asterisk_image_is_a_fixed_release() -> None:
    image = str(compose()["asterisk"]["image"])
    assert re.fullmatch(r"andrius/asterisk:22\.\d+\.\d+_\S+", image), image


def test_manager_conf_gives_the_engines_their_user_with_its_secret(container_etc: Path) -> None:
    manager = read(container_etc, "manager.conf")
    general = manager.first("general")
    assert general is not None
    assert [general.get(k).value for k in ("enabled", "port", "bindaddr")] == [  # type: ignore[union-attr]
        "yes",
        "5038",
        "0.0.0.0",
    ]
    assert len(manager.all("general")) == 1
    (user,) = manager.all("switchboard")
    secret = user.get("secret")
    assert secret is not None
    assert secret.value == SECRET
    assert secret.file == container_etc / "switchboard" / "manager-switchboard-secret.conf"
    assert stat.S_IMODE(secret.file.stat().st_mode) == 0o640
    permit = user.get("permit")
    assert permit is not None
    subnet = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())["networks"]["switchboard"][
        "ipam"
    ]["config"][0]["subnet"]
    assert permit.value.split("/")[0] == subnet.split("/")[0]
    engine_port = load_config(EXAMPLE_CONFIG, {}).ami.port
    assert str(engine_port) == general.get("port").value  # type: ignore[union-attr]


def test_the_dialplan_and_queues_asterisk_loads_are_the_generated_ones(
    container_etc: Path,
) -> None:
    extensions = read(container_etc, "extensions.conf")
    contexts = {c.name for c in extensions.categories}
    assert {"sb-ivr", "sb-callback", "sb-hours", "from-trunk"} <= contexts
    queues = read(container_etc, "queues.conf")
    general = queues.first("general")
    assert general is not None
    persistent = general.get("persistentmembers")
    assert persistent is not None
    assert persistent.value == "yes"
    settings = load_config(EXAMPLE_CONFIG, {})
    loaded = {c.name for c in queues.categories if not c.template}
    assert {loop.queue for loop in settings.roster.loops} <= loaded
    # Every file Asterisk reads exists in the container (nothing mounted where nothing reads).
    read_files = {p for name in ("manager.conf", "queues.conf", "extensions.conf")
                  for p in read_config(container_etc, name).files}  # fmt: skip
    generated = set((container_etc / "switchboard").iterdir())
    assert generated <= read_files
