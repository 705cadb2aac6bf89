"""`switchboard asterisk-check` against the simulator: what is missing is named, with its fix."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from switchboard.ami.actions import queue_add
from switchboard.ami.connection import AmiConnection
from switchboard.cli import settings_files
from switchboard.config import Settings, load_config
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.pbxsim.server import AmiServer
from switchboard.provision.ami_check import Check, check, contexts_of
from tests.support.sim import QUEUES, SECRET, USER

EXAMPLE = EXAMPLE_CONFIG


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_config(EXAMPLE, {})


def contexts(settings: Settings) -> list[str]:
    return contexts_of(settings_files(settings)["extensions.conf"])


async def run_check(
    settings: Settings, server: AmiServer, secret: str = SECRET, sounds: Path | None = None
) -> list[Check]:
    assert settings.ivr is not None
    return await check(
        "127.0.0.1",
        server.port,
        USER,
        secret,
        secret_env="SWITCHBOARD_AMI_SECRET",
        plan=settings.ivr,
        contexts=contexts(settings),
        sounds_dir=sounds,
        timeout=2,
    )


async def started(**options: object) -> AmiServer:
    server = AmiServer(dict(QUEUES), username=USER, secret=SECRET, auth_delay_s=0.01, **options)  # type: ignore[arg-type]
    await server.start()
    return server


def missing(results: list[Check]) -> list[str]:
    return [r.what for r in results if r.ok is False]


async def add_member(server: AmiServer) -> None:
    connection = await AmiConnection.open("127.0.0.1", server.port, lambda _e: None, timeout=2)
    reader = asyncio.create_task(connection.read_loop())
    await connection.login(USER, SECRET, timeout=2)
    await connection.send(queue_add("loop1", "PJSIP/201", "Marit Haugen", "PJSIP/201"), timeout=2)
    connection.close()
    await reader


async def test_a_complete_asterisk_passes_every_check(settings: Settings, tmp_path: Path) -> None:
    server = await started(contexts=frozenset(contexts(settings)))
    try:
        await add_member(server)
        sounds = tmp_path / "sounds"
        assert settings.ivr is not None
        from switchboard.provision.sounds import needed

        for lang, name in needed(settings.ivr):
            (sounds / lang / name).parent.mkdir(parents=True, exist_ok=True)
            (sounds / lang / f"{name}.wav").write_bytes(b"RIFF")
        results = await run_check(settings, server, sounds=sounds)
    finally:
        await server.close()
    assert missing(results) == []
    text = "\n".join(map(str, results))
    assert "ok      logged in to 127.0.0.1" in text
    assert "ok      may send QueuePause" in text
    assert "ok      queue switchboard (loop english)" in text
    assert "ok      dialplan context sb-callback" in text
    assert "ok      persistentmembers: members the engine adds survive an Asterisk restart" in text
    assert "ok      prompts: all" in text


async def test_a_wrong_secret_names_the_likely_causes_in_order(settings: Settings) -> None:
    server = await started()
    try:
        (result,) = await run_check(settings, server, secret="wrong")
    finally:
        await server.close()
    assert result.ok is False
    assert "refused login for user 'router': Authentication failed" in result.what
    causes = result.what.split("likely causes, most likely first: ")[1]
    assert causes.index("(1) the secret in $SWITCHBOARD_AMI_SECRET") < causes.index(
        "(2) Asterisk did not load the user [router]"
    )
    assert "(3) this host's address is not in the user's permit" in causes
    assert "(4) Asterisk was not reloaded" in causes


async def test_missing_rights_queues_contexts_and_persistence_are_each_named(
    settings: Settings,
) -> None:
    server = await started(
        write_classes=frozenset({"call", "agent", "originate"}),
        contexts=frozenset({"sb-ivr"}),
        persistent_members=False,
    )
    del server.pbx.queues["switchboard"]
    try:
        await add_member(server)
        results = await run_check(settings, server)
    finally:
        await server.close()
    found = missing(results)
    assert "may send DBGetTree: add system to the user's write =" in found
    assert "may send DBDel: add system to the user's write =" in found
    assert any(m.startswith("the user may Originate calls") for m in found)
    assert any(m.startswith("queue switchboard (loop english): not loaded") for m in found)
    assert any(m.startswith("dialplan context sb-callback: not loaded") for m in found)
    assert "dialplan context sb-ivr" not in " ".join(found)
    assert any("members of loop1 are not kept in AstDB" in m for m in found)


async def test_prompts_missing_from_the_sounds_folder_are_listed(
    settings: Settings, tmp_path: Path
) -> None:
    server = await started(contexts=frozenset(contexts(settings)))
    try:
        results = await run_check(settings, server, sounds=tmp_path)
    finally:
        await server.close()
    found = missing(results)
    assert any(
        m.startswith(f"prompt custom/sb-welcome (no) missing: no {tmp_path}/no/custom/sb-welcome.")
        and "switchboard prompts" in m
        for m in found
    )
    assert any("prompt vm-goodbye (en) missing" in m and "core sounds" in m for m in found)


async def test_no_asterisk_listening_says_what_to_look_at(settings: Settings) -> None:
    server = await started()
    port = server.port
    await server.close()
    assert settings.ivr is not None
    (result,) = await check(
        "127.0.0.1",
        port,
        USER,
        SECRET,
        secret_env="X",
        plan=settings.ivr,
        contexts=[],
        timeout=1,
    )
    assert result.ok is False
    assert "cannot connect" in result.what
    assert "enabled = no" in result.what
