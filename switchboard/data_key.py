"""SWITCHBOARD_DATA_KEY: one format (a Fernet key, as `switchboard gen-key` prints) for both
of its jobs: sealing callback numbers in Redis, and sealing the member directory's hash key.

Changing it is `switchboard re-key`: the directory's hash key and every sealed number are
sealed again with the new key; nothing else needs the old one.
"""

from __future__ import annotations

import binascii
from base64 import urlsafe_b64decode
from collections.abc import Mapping
from pathlib import Path

from cryptography.fernet import Fernet
from redis import Redis
from redis.exceptions import RedisError

from switchboard.promises.redis_store import CALLER_INDEX, OPEN_SET, PREFIX, SEALED_FIELDS
from switchboard.promises.sealing import Sealer, SealError
from switchboard.promises.store import caller_key
from switchboard.screen.directory_key import reseal

GEN_KEY = "export {variable}=$(switchboard gen-key)"


class DataKeyError(Exception):
    """A data key that is missing, malformed, or not the one the data was sealed with."""


def generate() -> str:
    return Fernet.generate_key().decode()


def is_key(text: str) -> bool:
    try:
        return len(urlsafe_b64decode(text.encode())) == 32
    except (binascii.Error, ValueError):
        return False


def read(variable: str, environ: Mapping[str, str]) -> str:
    """The key in `variable`; DataKeyError with the fix when unset or not a key."""
    key = environ.get(variable, "")
    fix = GEN_KEY.format(variable=variable)
    if not key:
        raise DataKeyError(
            f"environment variable {variable} is not set (fix: {fix}; keep it like a password, "
            "and the same on both engines)"
        )
    if not is_key(key):
        raise DataKeyError(
            f"{variable} is not a data key: it must be 44 characters of url-safe base64 "
            f"(fix: {fix}; to replace an older key, `switchboard re-key`)"
        )
    return key


def redis_mismatch(client: Redis, sealer: Sealer) -> str | None:
    """Whether an open callback in Redis fails to open with this key (None: fine or unknown).

    An unreachable Redis says nothing here: the engine rides out an outage on its own."""
    try:
        refs = list(client.zrange(OPEN_SET, 0, 0))
        if not refs:
            return None
        sealed = client.hget(PREFIX + str(refs[0]), "number")
    except RedisError:
        return None
    if sealed is None:
        return None
    try:
        sealer.open(str(sealed))
    except SealError:
        return "the data key does not open the callback numbers stored in Redis"
    return None


def rekey_redis(client: Redis, old: Sealer, new: Sealer) -> int:
    """Seal every stored callback's and inquiry's personal fields again with the new key, and
    move its caller-history entry to the new key's tag; returns how many promises.

    `client` decodes responses (as `redis_clients.admin_client` makes it)."""
    count = 0
    for name in client.scan_iter(match=PREFIX + "*", count=500):
        stored = {k: str(v) for k, v in client.hgetall(name).items()}
        if not stored.get("number"):
            continue
        try:
            number = old.open(stored["number"])
        except SealError:
            new.open(stored["number"])  # already re-keyed by an earlier, interrupted run
            continue
        ref, key = stored.get("ref", ""), caller_key(number)
        pipe = client.pipeline(transaction=True)
        for field in SEALED_FIELDS:
            if stored.get(field):
                pipe.hset(name, field, new.seal(old.open(stored[field])))
        if ref and key:
            pipe.srem(CALLER_INDEX + old.tag(key), ref)
            pipe.sadd(CALLER_INDEX + new.tag(key), ref)
        pipe.execute()
        count += 1
    return count


def rekey_directory(path: Path, old_key: str, new_key: str) -> bool:
    """False when the directory was sealed with the new key already (a repeated re-key)."""
    return reseal(path, old_key, new_key)
