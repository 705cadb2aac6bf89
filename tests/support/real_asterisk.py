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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def real_asterisk(files: dict[str, str], secret: str) -> Iterator[int]:
    """Run Asterisk with our generated files (plus the test contexts); yields the AMI port."""
    binary = asterisk_binary()
    assert binary is not None
    prefix = Path(binary).resolve().parents[1]
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="sb-asterisk-") as tmp:
        root = Path(tmp)
        etc = root / "etc"
        for sub in ("etc", "var/keys", "run", "log", "spool"):
            (root / sub).mkdir(parents=True)
        (etc / "asterisk.conf").write_text(
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
        (etc / "extensions.conf").write_text(files["extensions.conf"] + TEST_CONTEXTS)
        (etc / "queues.conf").write_text(files["queues.conf"])
        (etc / "manager.conf").write_text(
            files["manager.conf"].replace("port = 5038", f"port = {port}")
            # The test's own user places the simulated calls (the router may not originate).
            + f"\n[lab]\nsecret = {secret}\ndeny = 0.0.0.0/0.0.0.0\n"
            "permit = 127.0.0.1/255.255.255.255\nread = system\nwrite = originate,call\n"
        )
        (etc / "manager-router-secret.conf").write_text(f"secret = {secret}\n")
        process = subprocess.Popen(
            [binary, "-f", "-C", str(etc / "asterisk.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port)):
                    break
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"Asterisk did not open AMI; see {root}/log")
                time.sleep(0.2)
            # AMI opens before every module is loaded (QueueStatus would be unknown).
            subprocess.run(
                [binary, "-C", str(etc / "asterisk.conf"), "-rx", "core waitfullybooted"],
                timeout=60,
                check=True,
                capture_output=True,
            )
            yield port
        finally:
            log = root / "log" / "messages.log"
            if log.exists():  # kept for reading after a failure (dialplan trace included)
                shutil.copy(log, Path(tempfile.gettempdir()) / "sb-asterisk-last.log")
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
