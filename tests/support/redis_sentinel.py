"""A real Redis primary, one replica and three sentinels (Debian's redis-server and
redis-sentinel), on TCP ports of 127.0.0.1: sentinels name the primary by address."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.real_asterisk import free_port

SERVICE = "switchboard"
DOWN_AFTER_MS = 1000  # how long a silent primary takes to be declared down


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed: run ./dev test, which installs it")
    return found


def _wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 10
    while True:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.02)


@dataclass
class SentinelRig:
    directory: Path
    primary_port: int = 0
    replica_port: int = 0
    sentinel_ports: list[int] = field(default_factory=list)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def _redis(self, name: str, port: int, *extra: str) -> None:
        data = self.directory / name
        data.mkdir()
        process = subprocess.Popen(
            [
                _binary("redis-server"),
                "--port", str(port),
                "--bind", "127.0.0.1",
                "--dir", str(data),
                "--appendonly", "yes",
                "--save", "",
                *extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self.processes[name] = process
        _wait_for_port(port, process, name)

    def _sentinel(self, index: int, port: int) -> None:
        conf = self.directory / f"sentinel{index}.conf"
        conf.write_text(
            f"port {port}\nbind 127.0.0.1\ndir {self.directory}\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary_port} 2\n"
            f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
            f"sentinel failover-timeout {SERVICE} 5000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
        process = subprocess.Popen(
            [_binary("redis-sentinel"), str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.processes[f"sentinel{index}"] = process
        _wait_for_port(port, process, f"redis-sentinel {index}")

    def start(self) -> None:
        self.primary_port, self.replica_port = free_port(), free_port()
        self._redis("primary", self.primary_port)
        self._redis(
            "replica", self.replica_port, "--replicaof", "127.0.0.1", str(self.primary_port)
        )
        for index in range(3):
            port = free_port()
            self.sentinel_ports.append(port)
            self._sentinel(index, port)

    @property
    def sentinels(self) -> list[str]:
        return [f"127.0.0.1:{port}" for port in self.sentinel_ports]

    def kill_primary(self) -> None:
        """The primary dies without a word (power cut): SIGKILL."""
        self.processes["primary"].send_signal(signal.SIGKILL)
        self.processes["primary"].wait(5)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


@contextlib.contextmanager
def redis_with_sentinels() -> Iterator[SentinelRig]:
    with tempfile.TemporaryDirectory(prefix="sb-sentinel-") as directory:
        rig = SentinelRig(Path(directory))
        try:
            rig.start()
            yield rig
        finally:
            rig.stop()
