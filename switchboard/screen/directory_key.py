"""The SQLite directory's hash key, kept in the file sealed with SWITCHBOARD_DATA_KEY.

The fødselsnummer hashes are keyed with a random key of the directory's own. The data key only
seals that key, so (a) a wrong data key is told at start instead of every identity check
silently failing, and (b) the data key can be changed (`switchboard re-key`) without the
numbers, which the directory never had. A directory written before this (its hashes keyed with
the data key's text itself) keeps working: that text becomes its hash key, sealed.
"""

from __future__ import annotations

import secrets
import sqlite3
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

_TABLE = "CREATE TABLE IF NOT EXISTS keyring (name TEXT PRIMARY KEY, sealed TEXT NOT NULL)"
_NAME = "fnr_hash_key"


class DirectoryKeyError(Exception):
    """The data key does not open this directory's hash key."""


def _sealed(db: sqlite3.Connection) -> str | None:
    db.execute(_TABLE)
    row = db.execute("SELECT sealed FROM keyring WHERE name = ?", (_NAME,)).fetchone()
    return None if row is None else str(row[0])


def _has_members(db: sqlite3.Connection) -> bool:
    found = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'members'"
    ).fetchone()
    return bool(found) and db.execute("SELECT 1 FROM members LIMIT 1").fetchone() is not None


def hash_key(path: Path | str, data_key: str) -> bytes:
    """The directory's hash key, opened (or made, for a new file) with the data key."""
    fernet = Fernet(data_key.encode())
    with sqlite3.connect(str(path), timeout=5.0) as db:
        sealed = _sealed(db)
        if sealed is not None:
            try:
                return fernet.decrypt(sealed.encode())
            except InvalidToken:
                raise DirectoryKeyError(
                    f"the data key does not open the member directory {path}: it was set up "
                    "with another key"
                ) from None
        key = data_key.encode() if _has_members(db) else secrets.token_bytes(32)
        db.execute("INSERT INTO keyring VALUES (?, ?)", (_NAME, fernet.encrypt(key).decode()))
        return key


def reseal(path: Path | str, old_key: str, new_key: str) -> bool:
    """Seal the directory's hash key with a new data key (the hashes stay as they are).

    False when the new key already seals it: a re-key interrupted after this step (Redis
    away, say) is simply run again."""
    with sqlite3.connect(str(path), timeout=5.0) as db:
        sealed = _sealed(db)
        if sealed is None:
            key = old_key.encode()  # written before the keyring: keyed with the old text
        else:
            try:
                key = Fernet(old_key.encode()).decrypt(sealed.encode())
            except (InvalidToken, ValueError):
                if _opens(new_key, sealed):
                    return False
                raise DirectoryKeyError(
                    f"neither the old nor the new key opens the member directory {path}"
                ) from None
        db.execute(
            "INSERT OR REPLACE INTO keyring VALUES (?, ?)",
            (_NAME, Fernet(new_key.encode()).encrypt(key).decode()),
        )
    return True


def _opens(key: str, sealed: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(sealed.encode())
    except (InvalidToken, ValueError):
        return False
    return True
