"""A real Asterisk 22 for the tests that need one; they skip when no binary is found.

Looked for on PATH, in $ASTERISK_BIN, and at /opt/asterisk/sbin/asterisk (where a local
build installs with --prefix=/opt/asterisk). Nothing here builds Asterisk.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from switchboard.ivr.asterisk_conf import (
    INCLUDE_DIR,
    QUEUES_GENERAL,
    manager_general,
    render_general,
)

# Simulated callers and agents, as in the recorded lab (Local channels, no SIP needed):
# a caller presses D1 after PRE seconds, then D2 after W2 more, again every second 12
# times (a prompt it cannot interrupt swallows keys), and stays HOLD seconds.
TEST_CONTEXTS = """
[caller-sim]
exten => s,1,Wait(${PRE})
 same => n,ExecIf($[${LEN(${D1})} > 0]?SendDTMF(${D1},250,120))
 same => n,Wait(${W2})
 same => n,Set(SENT=0)
 same => n(again),ExecIf($[${LEN(${D2})} > 0]?SendDTMF(${D2},250,120))
 same => n,Set(SENT=$[${SENT} + 1])
 same => n,Wait(1)
 same => n,GotoIf($[${SENT} < 12]?again)
 same => n,Wait(${HOLD})
 same => n,Hangup()

[agents]
exten => _age[n]t.,1,Ringing()
 same => n,Wait(1)
 same => n,Answer()
 same => n,Wait(2)
 same => n,Hangup()
"""


def asterisk_binary() -> str | None:
    for candidate in (
        os.environ.get("ASTERISK_BIN"),
        shutil.which("asterisk"),
        "/opt/asterisk/sbin/asterisk",
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


# Every test that runs a real Asterisk carries both: `pytest -m asterisk` selects them,
# and without a binary they skip, saying why.
needs_asterisk = [
    pytest.mark.asterisk,
    pytest.mark.skipif(asterisk_binary() is None, reason="no asterisk binary found"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RealAsterisk:
    """One Asterisk with our generated files in a temporary tree; stop and start it again
    (same port, same AstDB: persistent members and records survive, as in production)."""

    def __init__(self, files: dict[str, str], secret: str, root: Path) -> None:
        binary = asterisk_binary()
        assert binary is not None
        self.binary = binary
        prefix = Path(binary).resolve().parents[1]
        self.port = free_port()
        self.root = root
        etc = root / "etc"
        self.conf = etc / "asterisk.conf"
        for sub in ("etc", "var/keys", "run", "log", "spool"):
            (root / sub).mkdir(parents=True)
        self.conf.write_text(
            "[directories]\n"
            f"astetcdir => {etc}\n"
            f"astmoddir => {prefix}/lib/asterisk/modules\n"
            f"astvarlibdir => {root}/var\nastdbdir => {root}/var\nastkeydir => {root}/var\n"
            f"astdatadir => {prefix}/var/lib/asterisk\nastagidir => {root}/var\n"
            f"astspooldir => {root}/spool\nastrundir => {root}/run\nastlogdir => {root}/log\n"
            f"astsbindir => {prefix}/sbin\n[options]\n"
        )
        (etc / "modules.conf").write_text("[modules]\nautoload = yes\n")
        (etc / "logger.conf").write_text(
            "[logfiles]\nmessages.log => notice,warning,error,verbose(3)\n"
        )
        # Laid out as `asterisk-config --install` leaves it: the generated files in
        # switchboard/, included from top-level files that hold the [general] sections.
        ours = etc / INCLUDE_DIR
        ours.mkdir()
        for name, text in files.items():
            (ours / name).write_text(text)
        (etc / "extensions.conf").write_text(
            "[general]\nstatic = yes\nwriteprotect = yes\n\n"
            '#include "switchboard/extensions.conf"\n' + TEST_CONTEXTS
        )
        (etc / "queues.conf").write_text(
            render_general(QUEUES_GENERAL) + '#include "switchboard/queues.conf"\n'
        )
        (etc / "manager.conf").write_text(
            render_general(manager_general(self.port, "127.0.0.1"))
            + '#include "switchboard/manager.conf"\n'
            # The test's own user places the simulated calls (the router may not originate).
            + f"\n[lab]\nsecret = {secret}\ndeny = 0.0.0.0/0.0.0.0\n"
            "permit = 127.0.0.1/255.255.255.255\nread = system\nwrite = originate,call\n"
        )
        username = next(
            line[1:-1] for line in files["manager.conf"].splitlines() if line.startswith("[")
        )
        (ours / f"manager-{username}-secret.conf").write_text(f"secret = {secret}\n")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, *, wait_booted: bool = True) -> None:
        self.process = subprocess.Popen(
            [self.binary, "-f", "-C", str(self.conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                break
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"Asterisk did not open AMI; see {self.root}/log")
            time.sleep(0.05)
        if wait_booted:
            # AMI opens before every module is loaded (QueueStatus would be unknown).
            self.cli("core waitfullybooted")

    def cli(self, command: str) -> str:
        done = subprocess.run(
            [self.binary, "-C", str(self.conf), "-rx", command],
            timeout=60,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None


@contextlib.contextmanager
def asterisk_lab(files: dict[str, str], secret: str) -> Iterator[RealAsterisk]:
    """A started RealAsterisk, stopped (and its log kept) at the end."""
    with tempfile.TemporaryDirectory(prefix="sb-asterisk-") as tmp:
        pbx = RealAsterisk(files, secret, Path(tmp))
        try:
            pbx.start()
            yield pbx
        finally:
            log = pbx.root / "log" / "messages.log"
            if log.exists():  # kept for reading after a failure (dialplan trace included)
                shutil.copy(log, Path(tempfile.gettempdir()) / "sb-asterisk-last.log")
            pbx.stop()


@contextlib.contextmanager
def real_asterisk(files: dict[str, str], secret: str) -> Iterator[int]:
    """Run Asterisk with our generated files (plus the test contexts); yields the AMI port."""
    with asterisk_lab(files, secret) as pbx:
        yield pbx.port


@contextlib.contextmanager
def running(binary: str, asterisk_conf: Path, port: int, root: Path) -> Iterator[None]:
    """Start Asterisk on a config; return once AMI answers and it is fully booted."""
    process = subprocess.Popen(
        [binary, "-f", "-C", str(asterisk_conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                break
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"Asterisk did not open AMI on {port}; see {root}/log")
            time.sleep(0.2)
        # AMI opens before every module is loaded (QueueStatus would be unknown).
        cli(binary, asterisk_conf, "core waitfullybooted")
        yield
    finally:
        log = root / "log" / "messages.log"
        if log.exists():  # kept for reading after a failure (dialplan trace included)
            shutil.copy(log, Path(tempfile.gettempdir()) / "sb-asterisk-last.log")
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def cli(binary: str, asterisk_conf: Path, command: str) -> str:
    """One Asterisk CLI command over the control socket (asterisk -rx)."""
    done = subprocess.run(
        [binary, "-C", str(asterisk_conf), "-rx", command],
        timeout=60,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def stock_samples() -> Path | None:
    """Asterisk's own sample configuration (`make samples`), kept pristine beside the build."""
    binary = asterisk_binary()
    if binary is None:
        return None
    samples = Path(binary).resolve().parents[1] / "share" / "stock-samples"
    return samples if (samples / "manager.conf").is_file() else None


def _mirror(source: Path, target: Path, keep_out: str) -> None:
    """target/ holds a link to each entry of source/ except `keep_out` (made a real folder)."""
    target.mkdir(parents=True, exist_ok=True)
    for entry in source.iterdir():
        if entry.name != keep_out:
            (target / entry.name).symlink_to(entry)


def stock_etc(root: Path) -> tuple[Path, Path]:
    """A copy of the stock samples under root/etc, its own run/log/db folders, and a data
    folder whose sounds/<lang>/custom are real folders (prompts go there, not into the build).
    Returns (etc, asterisk.conf)."""
    binary = asterisk_binary()
    samples = stock_samples()
    assert binary is not None
    assert samples is not None
    prefix = Path(binary).resolve().parents[1]
    etc = root / "etc"
    shutil.copytree(samples, etc)
    for sub in ("var", "run", "log", "spool", "cache"):
        (root / sub).mkdir()
    data = root / "data"
    real_data = prefix / "var" / "lib" / "asterisk"
    _mirror(real_data, data, "sounds")
    _mirror(real_data / "sounds", data / "sounds", "en")
    _mirror(real_data / "sounds" / "en", data / "sounds" / "en", "custom")
    # The stock asterisk.conf names the build's folders; only [directories] differs here.
    stock = (samples / "asterisk.conf").read_text()
    options = stock[stock.index("[options]") :] if "[options]" in stock else "[options]\n"
    (etc / "asterisk.conf").write_text(
        "[directories]\n"
        f"astcachedir => {root}/cache\nastetcdir => {etc}\n"
        f"astmoddir => {prefix}/lib/asterisk/modules\n"
        f"astvarlibdir => {root}/var\nastdbdir => {root}/var\nastkeydir => {root}/var\n"
        f"astdatadir => {data}\nastagidir => {root}/var\n"
        f"astspooldir => {root}/spool\nastrundir => {root}/run\nastlogdir => {root}/log\n"
        f"astsbindir => {prefix}/sbin\n" + options
    )
    return etc, etc / "asterisk.conf"
