"""SWITCHBOARD_DATA_KEY: one format, a wrong key refused at start, and a key changed by re-key."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.cluster.config import RedisConfig
from switchboard.cluster.redis_clients import admin_client
from switchboard.data_key import DataKeyError, generate, is_key, read, redis_mismatch
from switchboard.promises.promise import Promise, PromiseKind, Step
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.directory_key import DirectoryKeyError, hash_key
from switchboard.screen.member import Member
from tests.support.redis_sentinel import SERVICE, redis_with_sentinels
from tests.support.redis_server import RedisServer

FNR = "31129956715"
runner = CliRunner()


def config_for(tmp_path: Path, redis_url: str | None = None, redis_block: str = "") -> Path:
    config = tmp_path / "sb.yaml"
    redis_block = redis_block or (f"{{url: '{redis_url}'}}" if redis_url else "")
    config.write_text(
        "ami: {username: router, secret_env: SB_SECRET}\n"
        "screen: {directory: 'sqlite:members.db'}\n"
        + (f"redis: {redis_block}\n" if redis_block else "")
        + "default_loop: l1\n"
        "loops: [{id: l1, queue: l1, title: One, digit: '1', suffix: '-111', agents: [a]}]\n"
        "agents: [{id: a, name: A, interface: PJSIP/1}]\n"
    )
    return config


def add_member(db: Path, key: str) -> None:
    directory = SqliteDirectory(db, hash_key(db, key))
    directory.add(Member("m1", "1000001", "Kari", "90595313", "", "", False), FNR)


def mismatch(url: str, key: str) -> str | None:
    client = admin_client(RedisConfig(url=url))
    try:
        return redis_mismatch(client, Sealer(key.encode()))
    finally:
        client.close()


async def fnr_matches(db: Path, key: str) -> bool:
    return await SqliteDirectory(db, hash_key(db, key)).fnr_matches("m1", FNR)


def test_gen_key_prints_a_new_key_of_the_one_format() -> None:
    first, second = (runner.invoke(app, ["gen-key"]).output.strip() for _ in range(2))
    assert is_key(first)
    assert is_key(second)
    assert first != second


@pytest.mark.parametrize("text", ["a long random string", "k" * 32, "", generate()[:-2]])
def test_anything_else_is_refused_with_the_command_that_makes_one(text: str) -> None:
    with pytest.raises(DataKeyError, match=r"switchboard gen-key"):
        read("SWITCHBOARD_DATA_KEY", {"SWITCHBOARD_DATA_KEY": text})


async def test_a_directory_refuses_another_key_and_re_key_moves_it_to_a_new_one(
    tmp_path: Path,
) -> None:
    old, new = generate(), generate()
    db = tmp_path / "members.db"
    add_member(db, old)
    with pytest.raises(DirectoryKeyError, match="it was set up with another key"):
        hash_key(db, new)
    result = runner.invoke(
        app,
        ["re-key", "-c", str(config_for(tmp_path))],
        env={"SWITCHBOARD_OLD_DATA_KEY": old, "SWITCHBOARD_DATA_KEY": new},
    )
    assert result.exit_code == 0, result.output
    assert "hash key sealed with the new key" in result.output
    assert await fnr_matches(db, new)  # the identity check still knows the member's number
    with pytest.raises(DirectoryKeyError):
        hash_key(db, old)
    again = runner.invoke(  # an interrupted re-key is run again: what is done is recognised
        app,
        ["re-key", "-c", str(config_for(tmp_path))],
        env={"SWITCHBOARD_OLD_DATA_KEY": old, "SWITCHBOARD_DATA_KEY": new},
    )
    assert again.exit_code == 0, again.output
    assert "hash key already sealed with the new key" in again.output
    assert await fnr_matches(db, new)


async def test_a_directory_from_before_the_keyring_is_re_keyed_from_its_old_text(
    tmp_path: Path,
) -> None:
    db = tmp_path / "members.db"
    legacy = "a long random string"
    SqliteDirectory(db, legacy.encode()).add(  # how the directory keyed hashes before
        Member("m1", "1000001", "Kari", "90595313", "", "", False), FNR
    )
    stored = sqlite3.connect(db).execute("SELECT fnr_hash FROM members").fetchone()[0]
    assert stored == hmac.new(legacy.encode(), FNR.encode(), hashlib.sha256).hexdigest()
    new = generate()
    result = runner.invoke(
        app,
        ["re-key", "-c", str(config_for(tmp_path))],
        env={"SWITCHBOARD_OLD_DATA_KEY": legacy, "SWITCHBOARD_DATA_KEY": new},
    )
    assert result.exit_code == 0, result.output
    assert await fnr_matches(db, new)


async def test_redis_numbers_sealed_with_another_key_are_found_and_re_keyed(
    tmp_path: Path, redis: Redis, redis_process: RedisServer
) -> None:
    old, new = generate(), generate()
    url = f"unix://{redis_process.socket}"
    store = RedisPromiseStore(redis, Sealer(old.encode()))
    now = datetime(2026, 12, 1, 10, tzinfo=UTC)
    await store.add(Promise("123456", "90595313", "loop1", now, now + timedelta(days=2), "c1"))
    await store.add(  # an inquiry: its note and history are sealed too
        Promise(
            "12345674", "90595313-111", "loop1", now, now + timedelta(days=2), "c2",
            kind=PromiseKind.INQUIRY, topic="invoice", note="charged twice",
            steps=(Step(now, "anne", "registered"),),
        )
    )  # fmt: skip
    assert mismatch(url, old) is None
    assert mismatch(url, new) == "the data key does not open the callback numbers stored in Redis"
    result = runner.invoke(
        app,
        ["re-key", "-c", str(config_for(tmp_path, url))],
        env={"SWITCHBOARD_OLD_DATA_KEY": old, "SWITCHBOARD_DATA_KEY": new},
    )
    assert result.exit_code == 0, result.output
    assert "redis: 2 callback number(s) sealed with the new key" in result.output
    fresh = RedisPromiseStore(redis, Sealer(new.encode()))
    reopened = await fresh.get("123456")
    assert reopened is not None
    assert reopened.number == "90595313"
    inquiry = await fresh.get("12345674")
    assert inquiry is not None
    assert (inquiry.note, inquiry.steps[0].by) == ("charged twice", "anne")
    # The caller's history is still found under the new key.
    found = await fresh.history([], "90595313")
    assert sorted(p.ref for p in found) == ["123456", "12345674"]
    assert mismatch(url, new) is None


def test_run_refuses_a_key_that_does_not_open_the_directory(tmp_path: Path) -> None:
    add_member(tmp_path / "members.db", generate())
    result = runner.invoke(
        app,
        ["run", "-c", str(config_for(tmp_path))],
        env={"SB_SECRET": "s", "SWITCHBOARD_DATA_KEY": generate(), "SWITCHBOARD_WEB_PORT": "0"},
    )
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "the data key does not open the member directory" in line
    assert "switchboard re-key" in line


async def test_re_key_and_the_start_check_reach_redis_through_the_sentinels(
    tmp_path: Path,
) -> None:
    old, new = generate(), generate()
    with redis_with_sentinels() as rig:
        # url names no server: only the sentinels know where the primary is.
        sentinels = ", ".join(f'"{s}"' for s in rig.sentinels)
        block = (
            f'{{url: "redis://127.0.0.1:1/0", sentinels: [{sentinels}], '
            f"sentinel_service: {SERVICE}}}"
        )
        config = config_for(tmp_path, redis_block=block)
        primary = Redis(host="127.0.0.1", port=rig.primary_port)
        try:
            store = RedisPromiseStore(primary, Sealer(old.encode()))
            now = datetime(2026, 12, 1, 10, tzinfo=UTC)
            await store.add(
                Promise("123456", "90595313", "loop1", now, now + timedelta(days=2), "c")
            )
            started = runner.invoke(  # a wrong key is refused at start, as without sentinels
                app,
                ["run", "-c", str(config)],
                env={"SB_SECRET": "s", "SWITCHBOARD_DATA_KEY": new, "SWITCHBOARD_WEB_PORT": "0"},
            )
            assert started.exit_code == 2, started.output
            assert "does not open the callback numbers stored in Redis" in started.output
            result = runner.invoke(
                app,
                ["re-key", "-c", str(config)],
                env={"SWITCHBOARD_OLD_DATA_KEY": old, "SWITCHBOARD_DATA_KEY": new},
            )
            assert result.exit_code == 0, result.output
            assert "redis: 1 callback number(s) sealed with the new key" in result.output
            reopened = await RedisPromiseStore(primary, Sealer(new.encode())).get("123456")
            assert reopened is not None
            assert reopened.number == "90595313"
        finally:
            await primary.aclose()


def test_re_key_with_redis_away_says_so_in_one_line_and_may_be_run_again(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["re-key", "-c", str(config_for(tmp_path, "redis://127.0.0.1:1/0"))],
        env={"SWITCHBOARD_OLD_DATA_KEY": generate(), "SWITCHBOARD_DATA_KEY": generate()},
    )
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "redis:" in line
    assert "run re-key again" in line
