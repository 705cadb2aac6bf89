"""Starting the engine as an admin meets it: version, banner, and one line per start-up failure."""

from __future__ import annotations

import io
import json
import logging
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.banner import banner
from switchboard.cli import app, version
from switchboard.config import load_config
from switchboard.examples import EXAMPLE_CALENDARS, EXAMPLE_CONFIG
from switchboard.logs import configure
from switchboard.screen.logins import verify_password

EXAMPLE = EXAMPLE_CONFIG
runner = CliRunner()
ENV = {"SWITCHBOARD_AMI_SECRET": "s3cret", "SWITCHBOARD_DATA_KEY": "", "SWITCHBOARD_WEB_PORT": "0"}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The example config copied to a folder of its own, with its calendars."""
    shutil.copytree(EXAMPLE_CALENDARS, tmp_path / "calendars")
    config = tmp_path / "sb.yaml"
    config.write_text(EXAMPLE.read_text())
    return config


def data_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def test_version_is_printed_and_exits_0() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"switchboard {version()}\n"
    assert version()[0].isdigit()


def test_check_config_takes_the_config_by_option_or_by_position() -> None:
    by_option = runner.invoke(app, ["check-config", "-c", str(EXAMPLE)])
    by_position = runner.invoke(app, ["check-config", str(EXAMPLE)])
    assert by_option.exit_code == by_position.exit_code == 0
    assert by_option.output == by_position.output


def test_password_hash_reads_standard_input_when_it_is_not_a_terminal() -> None:
    result = runner.invoke(app, ["password-hash"], input="correct horse battery\n")
    assert result.exit_code == 0, result.output
    line = result.output.strip()
    assert line.startswith("login: scrypt$")
    assert verify_password("correct horse battery", line.removeprefix("login: "))
    short = runner.invoke(app, ["password-hash"], input="short\n")
    assert short.exit_code == 2
    assert "use at least 10 characters" in short.output


def test_a_busy_web_port_is_one_line_with_the_fix(site: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        env = {**ENV, "SWITCHBOARD_DATA_KEY": data_key(), "SWITCHBOARD_WEB_PORT": str(port)}
        result = runner.invoke(app, ["run", "-c", str(site)], env=env)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert line == (
        f"{site}: web.port: 127.0.0.1:{port} is already in use (another engine or the demo?) "
        f"(fix: stop what holds it (`ss -ltnp 'sport = :{port}'`), or set web.port / "
        "SWITCHBOARD_WEB_PORT)"
    )


def test_a_directory_path_that_is_a_folder_is_one_line_and_check_config_says_it_too(
    site: Path,
) -> None:
    (site.parent / "members.db").mkdir()
    env = {**ENV, "SWITCHBOARD_DATA_KEY": data_key()}
    for command in (["run", "-c", str(site)], ["check-config", "-c", str(site)]):
        result = runner.invoke(app, command, env=env)
        assert result.exit_code == 2, command
        assert result.output.splitlines()[-1] == (
            f"{site}: screen.directory: {site.parent / 'members.db'} is a directory, not a "
            f"file (fix: name a file in it, e.g. directory: "
            f"sqlite:{site.parent / 'members.db' / 'members.db'})"
        )


def test_an_unwritable_data_folder_is_found_for_another_user(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root in CI, os.access says yes to everything: ask as the engine's user would be told.
    from switchboard import preflight

    monkeypatch.setattr(preflight, "_writable_dir", lambda path: False)
    result = runner.invoke(app, ["check-config", "-c", str(site)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1].startswith(
        f"{site}: screen.directory: the folder {site.parent} is not writable for this user"
    )


def test_check_config_warns_about_a_calendar_file_it_cannot_read(site: Path) -> None:
    (site.parent / "calendars" / "ola.brekke.ics").unlink()
    result = runner.invoke(app, ["check-config", "-c", str(site)])
    assert result.exit_code == 0  # a missing calendar pauses nobody: the engine still runs
    assert (
        f"warning: {site}: agents.ola.brekke.calendar: {site.parent / 'calendars/ola.brekke.ics'} "
        "does not exist" in result.output
    )


def test_a_data_key_that_is_not_a_key_is_one_line(site: Path) -> None:
    env = {**ENV, "SWITCHBOARD_DATA_KEY": "a long random string", "SWITCHBOARD_WEB_PORT": "0"}
    result = runner.invoke(app, ["run", "-c", str(site)], env=env)
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "SWITCHBOARD_DATA_KEY" in line
    assert "switchboard gen-key" in line


def test_the_banner_names_version_config_ami_and_urls(site: Path) -> None:
    settings = load_config(site, {"SWITCHBOARD_REDIS_URL": "redis://:pw@redis:6379/0"})
    lines = banner(settings, "1.2.3")
    assert lines[0] == f"switchboard 1.2.3: config {site}"
    text = "\n".join(lines)
    assert "AMI      switchboard@127.0.0.1:5038 (secret from $SWITCHBOARD_AMI_SECRET)" in text
    assert "redis    redis://:***@redis:6379/0" in text  # never the password
    assert "http://127.0.0.1:8080/screen" in text
    assert "http://127.0.0.1:8080/wallboard" in text
    assert "http://127.0.0.1:8080/metrics" in text


def test_json_logs_are_one_object_per_line_with_the_same_masked_text() -> None:
    from switchboard.routing.privacy import masked_number

    out = io.StringIO()
    configure("info", "json", stream=out)
    try:
        logging.getLogger("switchboard.router").info(
            "call %s entered loop1", masked_number("90595313-111")
        )
        logging.getLogger("httpx").info("HTTP Request: GET http://crm/members?phone=90595313")
        logging.getLogger("switchboard.router").debug("not at info")
    finally:
        configure("warning", "human")
    (line,) = out.getvalue().splitlines()
    entry = json.loads(line)
    assert entry["level"] == "info"
    assert entry["logger"] == "switchboard.router"
    assert entry["message"] == "call …313-111 entered loop1"
    assert entry["ts"].endswith("+00:00")
    assert "90595313" not in out.getvalue()


def test_log_level_and_format_are_options_of_run(site: Path) -> None:
    result = runner.invoke(app, ["run", "--help"])
    assert "--log-level" in result.output
    assert "--log-format" in result.output
    bad = runner.invoke(app, ["run", "-c", str(site), "--log-format", "xml"])
    assert bad.exit_code == 2
