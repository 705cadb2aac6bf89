"""Recordings made with the caller's consent: kept `keep_days`, then deleted; listed only for
the access role (seed 002: the recordings are confidential). File names hold the loop, the
time and the call id, never a number, so a listing or a log line names no caller."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

# As ivr.consent writes them: <loop>-<YYYYmmdd-HHMMSS>-<uniqueid>.<format>
NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*-\d{8}-\d{6}-[A-Za-z0-9._-]+\.(wav|gsm|wav49|sln)$")
DAY_S = 86400


@dataclass(frozen=True, slots=True)
class Recording:
    name: str
    size: int
    modified: float  # epoch seconds


def recordings(directory: Path) -> list[Recording]:
    """The recordings in `directory` that our dialplan wrote, newest first."""
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        if path.is_file() and NAME.match(path.name):
            stat = path.stat()
            found.append(Recording(path.name, stat.st_size, stat.st_mtime))
    return sorted(found, key=lambda r: r.modified, reverse=True)


def expired(found: list[Recording], keep_days: int, now: float) -> list[Recording]:
    return [r for r in found if now - r.modified > keep_days * DAY_S]


def prune(directory: Path, keep_days: int, now: float | None = None) -> list[str]:
    """Delete recordings older than `keep_days`; returns the names deleted."""
    gone = []
    for r in expired(recordings(directory), keep_days, time.time() if now is None else now):
        (directory / r.name).unlink(missing_ok=True)
        gone.append(r.name)
    return gone


def may_access(roles: frozenset[str], access_role: str) -> bool:
    return access_role in roles


def path_of(directory: Path, name: str) -> Path | None:
    """A recording's path, only for a name of our own shape (no traversal, no other files)."""
    if not NAME.match(name) or "/" in name or name.startswith("."):
        return None
    path = directory / name
    return path if path.is_file() else None
