"""`switchboard backup OUTDIR -c CONFIG`: a consistent copy of the engine's state, while it runs.

- SQLite files (the member directory with identity-check outcomes; ratings): SQLite's online
  backup API, which copies a consistent snapshot even while the engine writes (WAL mode).
- Redis (callbacks and other promises, manual statuses): `redis-cli --rdb`, a point-in-time
  snapshot Redis writes for a replica, fetched over the connection (no access to Redis's
  folder needed).
AstDB (Asterisk's open callback requests until done, engine-made memberships, closures) is
Asterisk's: `sqlite3 /var/lib/asterisk/astdb.sqlite3 ".backup astdb.bak"` on that host.
Restoring is in docs/admin-guide.md ("Backup and restore").
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

from switchboard.config import Settings
from switchboard.preflight import written_paths


class BackupError(Exception):
    """One line: what could not be copied, and why."""


def sqlite_files(settings: Settings) -> list[Path]:
    return [p for p in written_paths(settings) if not p.name.endswith(("-wal", "-shm"))]


def copy_sqlite(source: Path, target: Path) -> None:
    with (
        contextlib.closing(sqlite3.connect(str(source), timeout=10)) as db,
        contextlib.closing(sqlite3.connect(str(target))) as out,
    ):
        db.backup(out)


def redis_cli_args(url: str) -> list[str]:
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return ["-s", parts.path]
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 6379)]
    if parts.password:
        args += ["-a", parts.password, "--no-auth-warning"]
    if parts.scheme == "rediss":
        args.append("--tls")
    database = parts.path.strip("/")
    return [*args, "-n", database] if database else args


def copy_redis(url: str, target: Path) -> None:
    binary = shutil.which("redis-cli")
    if binary is None:
        raise BackupError("redis-cli is not installed (fix: apt-get install redis-tools)")
    done = subprocess.run(
        [binary, *redis_cli_args(url), "--rdb", str(target)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0 or not target.exists():
        raise BackupError(f"redis-cli --rdb failed: {(done.stderr or done.stdout).strip()}")


def backup(settings: Settings, outdir: Path) -> list[Path]:
    """Copy every piece of state this config keeps; returns the files written."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sqlite_files(settings):
        if source.exists():
            target = outdir / source.name
            copy_sqlite(source, target)
            written.append(target)
    if settings.redis is not None:
        target = outdir / "redis-dump.rdb"
        copy_redis(settings.redis.url, target)
        written.append(target)
    return written
