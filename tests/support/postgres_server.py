"""A real PostgreSQL server (Debian's postgresql-15) for the tests, on a private unix socket,
started as tests/support/redis_server.py starts Redis."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

BIN_DIRS = [Path(p) for p in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def _binary(name: str) -> str:
    for directory in BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"{name} (PostgreSQL) is not installed: run ./dev test, which installs it"
        )
    return found


class PostgresServer:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/reports?host={self.directory}&port=5432"

    def start(self) -> None:
        env = {**os.environ, "LC_ALL": "C"}
        # initdb refuses to run as root: as root, the server runs as Debian's postgres user.
        run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if run:
            shutil.chown(self.directory, "postgres")
        subprocess.run(
            [*run, _binary("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
             "--no-sync", "-E", "UTF8"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        self.process = subprocess.Popen(
            [*run, _binary("postgres"), "-D", str(self.data), "-k", str(self.directory),
             "-c", "listen_addresses=", "-c", "fsync=off", "-p", "5432"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        socket = self.directory / ".s.PGSQL.5432"
        deadline = time.monotonic() + 30
        while not socket.exists():
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("postgres did not start")
            time.sleep(0.05)
        subprocess.run(
            [*run, _binary("createdb"), "-h", str(self.directory), "-U", "postgres", "reports"],
            check=True, env=env,
        )  # fmt: skip

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    with tempfile.TemporaryDirectory(prefix="sb-pg-") as directory:
        os.chmod(directory, 0o755)
        server = PostgresServer(Path(directory))
        server.start()
        try:
            yield server
        finally:
            server.stop()
