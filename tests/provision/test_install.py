"""`asterisk-config --install` on an Asterisk with the stock sample configuration.

The stock files here are written by us with the lines of Asterisk 22's `make samples` that
matter (manager.conf: [general] enabled = no, port = 5038, bindaddr = 0.0.0.0; queues.conf:
[general] persistentmembers = yes); the marked test in test_real_asterisk_install.py runs the
same path on the real sample files and a real Asterisk.
"""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.provision.conf_reader import read_config
from switchboard.provision.install import check_installed

EXAMPLE = EXAMPLE_CONFIG
STOCK_MANAGER = """\
;
; AMI - The Asterisk Manager Interface
;
[general]
enabled = no
;webenabled = yes

port = 5038
bindaddr = 0.0.0.0

;[mark]
;secret = mysecret
"""
STOCK_QUEUES = """\
[general]
persistentmembers = yes
;autofill = no
monitor-type = MixMonitor
"""
STOCK_EXTENSIONS = """\
[general]
static=yes
writeprotect=no
clearglobalvars=no

[globals]
CONSOLE=Console/dsp

[default]
exten => 1234,1,Playback(tt-weasels)
"""
runner = CliRunner()
ENV = {"SWITCHBOARD_AMI_SECRET": "s3cret-from-env"}


@pytest.fixture
def etc(tmp_path: Path) -> Path:
    etc = tmp_path / "asterisk"
    etc.mkdir()
    (etc / "asterisk.conf").write_text("[directories]\n")
    (etc / "manager.conf").write_text(STOCK_MANAGER)
    (etc / "queues.conf").write_text(STOCK_QUEUES)
    (etc / "extensions.conf").write_text(STOCK_EXTENSIONS)
    return etc


def install(etc: Path, env: dict[str, str] = ENV) -> tuple[int, str]:
    result = runner.invoke(
        app, ["asterisk-config", "--install", str(etc), "-c", str(EXAMPLE)], env=env
    )
    return result.exit_code, result.output


def test_install_adds_the_includes_places_the_secret_and_names_what_to_change(etc: Path) -> None:
    code, output = install(etc)
    assert code == 1  # the stock manager.conf still needs two changes
    for name in ("extensions.conf", "queues.conf", "manager.conf"):
        assert (etc / "switchboard" / name).exists()
        assert f'#include "switchboard/{name}"' in (etc / name).read_text()
    secret = etc / "switchboard" / "manager-switchboard-secret.conf"
    assert secret.read_text() == "secret = s3cret-from-env\n"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o640
    assert (
        f"{etc}/manager.conf:5: set `enabled = yes` under [general] (now: enabled = no)" in output
    )
    assert f"{etc}/manager.conf:9: set `bindaddr = 127.0.0.1`" in output
    assert "persistentmembers" not in output  # the stock queues.conf has it


def test_after_the_named_changes_nothing_is_left_and_a_second_run_adds_nothing(etc: Path) -> None:
    install(etc)
    manager = etc / "manager.conf"
    manager.write_text(
        manager.read_text()
        .replace("enabled = no", "enabled = yes")
        .replace("bindaddr = 0.0.0.0", "bindaddr = 127.0.0.1")
    )
    before = {n: (etc / n).read_text() for n in ("extensions.conf", "queues.conf", "manager.conf")}
    code, output = install(etc)
    assert code == 0, output
    assert "Asterisk side ready" in output
    after = {n: (etc / n).read_text() for n in before}
    assert after == before  # idempotent: the include lines are not added twice


def test_the_user_is_read_as_asterisk_reads_it_with_its_secret(etc: Path) -> None:
    install(etc)
    manager = read_config(etc, "manager.conf")
    assert manager.valid
    (user,) = manager.all("switchboard")
    secret = user.get("secret")
    assert secret is not None
    assert secret.value == "s3cret-from-env"
    assert secret.file == etc / "switchboard" / "manager-switchboard-secret.conf"
    assert user.get("write") is not None
    # The first [general] is the one Asterisk reads; ours adds none.
    assert len(manager.all("general")) == 1


def test_without_the_secret_variable_it_says_so_and_asterisk_would_reject_manager_conf(
    etc: Path,
) -> None:
    code, output = install(etc, env={"SWITCHBOARD_AMI_SECRET": ""})
    assert code == 1
    assert "export SWITCHBOARD_AMI_SECRET=... and run this again" in output
    assert "was listed as a #include but it does not exist" in output
    manager = read_config(etc, "manager.conf")
    assert not manager.valid


def test_a_relative_include_resolves_against_the_config_directory_not_the_file(
    tmp_path: Path,
) -> None:
    """The bug of README step 3: the secret beside the including file is not found."""
    etc = tmp_path / "etc"
    (etc / "switchboard").mkdir(parents=True)
    (etc / "manager.conf").write_text(
        '[general]\nenabled = yes\n#include "switchboard/manager.conf"\n'
    )
    (etc / "switchboard" / "manager.conf").write_text('[switchboard]\n#include "secret.conf"\n')
    (etc / "switchboard" / "secret.conf").write_text("secret = x\n")
    config = read_config(etc, "manager.conf")
    assert config.errors == [
        f"{etc}/switchboard/manager.conf:2: the file 'secret.conf' was listed as a #include but "
        f"it does not exist (Asterisk looks for {etc}/secret.conf, relative to its config "
        "directory, and then rejects all of manager.conf)"
    ]


def test_a_second_general_is_ignored_unless_it_appends(tmp_path: Path) -> None:
    etc = tmp_path
    (etc / "manager.conf").write_text(
        "[general]\nenabled = no\n[general]\nenabled = yes\n[general](+)\nport = 5039\n"
    )
    config = read_config(etc, "manager.conf")
    first = config.first("general")
    assert first is not None
    enabled, port = first.get("enabled"), first.get("port")
    assert enabled is not None
    assert enabled.value == "no"  # the stock file's setting wins over a later [general]
    assert port is not None
    assert port.value == "5039"  # (+) adds to the first


@pytest.mark.parametrize(
    ("queues", "expected"),
    [
        ("[general]\npersistentmembers = no\n", "queues.conf:2: set `persistentmembers = yes`"),
        ("[general]\nautofill = yes\n", "queues.conf:1 [general]: set `persistentmembers = yes`"),
    ],
)
def test_persistentmembers_off_or_absent_is_named_with_its_line(
    etc: Path, queues: str, expected: str
) -> None:
    (etc / "queues.conf").write_text(queues)
    todo = [
        str(t)
        for t in check_installed(etc, username="switchboard", ami_host="127.0.0.1", ami_port=5038)
    ]
    assert any(expected in t for t in todo), todo


def test_an_engine_on_another_host_needs_ami_on_an_address_it_reaches(etc: Path) -> None:
    (etc / "manager.conf").write_text(
        "[general]\nenabled = yes\nport = 5038\nbindaddr = 127.0.0.1\n"
    )
    todo = [
        str(t)
        for t in check_installed(etc, username="switchboard", ami_host="10.0.0.5", ami_port=5038)
    ]
    assert any("set `bindaddr = 10.0.0.5` (or 0.0.0.0 behind a firewall)" in t for t in todo)


def test_install_refuses_a_folder_that_is_not_asterisks(tmp_path: Path) -> None:
    code, output = install(tmp_path)
    assert code == 2
    assert "is not an Asterisk config directory" in output
