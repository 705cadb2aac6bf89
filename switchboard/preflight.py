"""What must hold before the engine starts, each failure one line with its fix.

`switchboard run` checks these before building anything (a busy port or an unwritable data
file is a line, not a traceback); `switchboard check-config` runs the same checks, so a
config it passes also starts.
"""

from __future__ import annotations

import errno
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from switchboard.config import Settings


@dataclass(frozen=True, slots=True)
class Finding:
    where: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} (fix: {self.fix})"


def _writable_dir(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def data_paths(settings: Settings) -> list[Finding]:
    """Every file the engine writes: the SQLite directory (with its -wal and -shm files)."""
    where = settings.directory_location()
    if not where.startswith("sqlite:") or where == "sqlite::memory:":
        return []
    db = Path(where.removeprefix("sqlite:"))
    found = []
    if db.is_dir():
        found.append(
            Finding(
                "screen.directory",
                f"{db} is a directory, not a file",
                f"name a file in it, e.g. directory: sqlite:{db / 'members.db'}",
            )
        )
    elif not db.parent.is_dir():
        found.append(
            Finding(
                "screen.directory",
                f"the folder {db.parent} does not exist",
                f"create it for the engine's user: install -d -o switchboard {db.parent}",
            )
        )
    elif not _writable_dir(db.parent):
        # SQLite in WAL mode writes members.db-wal and -shm beside the file.
        found.append(
            Finding(
                "screen.directory",
                f"the folder {db.parent} is not writable for this user (SQLite writes "
                f"{db.name}-wal beside the file)",
                f"chown switchboard {db.parent}, or point directory at a writable place "
                "(systemd: /var/lib/switchboard, the unit's StateDirectory)",
            )
        )
    elif db.exists() and not os.access(db, os.R_OK | os.W_OK):
        found.append(
            Finding(
                "screen.directory",
                f"{db} is not readable and writable for this user",
                f"chown switchboard {db}",
            )
        )
    return found


def calendars(settings: Settings) -> list[Finding]:
    """Calendar files that cannot be read (URLs are fetched by the engine, not here)."""
    found = []
    for agent in settings.roster.agents.values():
        where = settings.calendar_location(agent)
        if where is None or where[0] != "ics" or where[1].startswith(("http://", "https://")):
            continue
        path = Path(where[1])
        if not path.is_file():
            message = "is a directory" if path.is_dir() else "does not exist"
            found.append(
                Finding(
                    f"agents.{agent.id}.calendar",
                    f"{path} {message}",
                    "write the path of the .ics file (relative to the config), or a URL",
                )
            )
        elif not os.access(path, os.R_OK):
            found.append(
                Finding(
                    f"agents.{agent.id}.calendar",
                    f"{path} is not readable for this user",
                    f"chmod o+r {path}, or chgrp switchboard {path}",
                )
            )
    return found


def web_port(host: str, port: int) -> list[Finding]:
    """Whether the engine can listen where the config says."""
    if port == 0:
        return []
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return [
                    Finding(
                        "web.port",
                        f"{host}:{port} is already in use (another engine or the demo?)",
                        "stop what holds it (`ss -ltnp 'sport = :"
                        f"{port}'`), or set web.port / SWITCHBOARD_WEB_PORT",
                    )
                ]
            if exc.errno == errno.EACCES:
                return [
                    Finding(
                        "web.port",
                        f"may not listen on {host}:{port} as this user",
                        "use a port above 1023 and a reverse proxy in front",
                    )
                ]
            return [
                Finding(
                    "web.host",
                    f"cannot listen on {host}:{port}: {exc.strerror}",
                    "use an address of this host, e.g. 127.0.0.1 or 0.0.0.0",
                )
            ]
    return []


def written_paths(settings: Settings) -> list[Path]:
    """Every file the engine may write for this config (SQLite with its WAL companions)."""
    out: list[Path] = []
    where = settings.directory_location()
    if where.startswith("sqlite:") and where != "sqlite::memory:":
        db = Path(where.removeprefix("sqlite:"))
        out += [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    plan = settings.ivr
    if plan is not None and any(r.service.rating or r.service.record for r in plan.routes.values()):
        out.append(settings.data_file(settings.ivr_config.rating.store))
    return out
