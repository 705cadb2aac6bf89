"""A meeting boundary against a REAL Asterisk: how late the engine's QueuePause actions take
effect when a tenth of the agents reach a calendar boundary at the same second.

The engine runs as users run it (`switchboard run -c CONFIG`, its own process, a real
redis-server), against a private Asterisk 22 from /opt/asterisk (as the tests start it,
tests/support/real_asterisk.py) whose files come from the same config (`settings_files`).
Every agent is a Local channel (Local/agentN@agents/n, the tests' [agents] context) in all
three loops, with an ICS calendar that starts empty. After start-up every 10th calendar
gets one meeting, 90 s on and a minute long, which the engine's 60 s polls must find; a
listener of our own (its own AMI user) stamps every QueueMemberPause Asterisk sends.

Reported: start-up (engine process start -> every membership added in Asterisk), how late
each pause and unpause reached Asterisk after its boundary (per membership: seen/expected,
p50, p99, max), Asterisk's CPU around each boundary, the engine's CPU over the run, and
the load average at start and end.

    .venv/bin/python bench/real_asterisk_boundary.py --agents 1000
    .venv/bin/python bench/real_asterisk_boundary.py --agents 50   # a quick try
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.engine_scale import calendar, config_text, free_port, write_atomically  # noqa: E402
from bench.router_scale import QUEUES, pct  # noqa: E402
from switchboard.ami.actions import Action, queue_status  # noqa: E402
from switchboard.ami.client import AmiClient, AmiSettings  # noqa: E402
from switchboard.ami.events import (  # noqa: E402
    Event,
    QueueMember,
    QueueMemberAdded,
    QueueMemberPause,
    RawEvent,
)
from switchboard.cli import settings_files  # noqa: E402
from switchboard.config import parse_config  # noqa: E402
from switchboard.data_key import generate  # noqa: E402
from switchboard.demo import outlook_ics  # noqa: E402
from switchboard.presence.busy import BusyInterval  # noqa: E402
from tests.support.real_asterisk import RealAsterisk, asterisk_binary  # noqa: E402
from tests.support.redis_server import redis_server  # noqa: E402

SECRET = "bench-secret"
SECRET_ENV = "SB_BENCH_SECRET"
ENGINE_USER = "router"
# Our listener has an AMI user of its own, so that `manager show connected` tells it from
# the engine and it hears only what it needs (agent events, and system for FullyBooted,
# without which AmiClient waits 30 s at every login). QueueStatus and QueueSummary need no
# write class (app_queue registers them with privilege 0).
LISTENER_USER = "bench"
LISTENER_CONF = (
    f"\n[{LISTENER_USER}]\nsecret = {SECRET}\ndeny = 0.0.0.0/0.0.0.0\n"
    "permit = 127.0.0.1/255.255.255.255\nread = system,agent\nwritetimeout = 1000\n"
)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
MEETING_IN_S = 90  # the engine polls every 60 s: every calendar is read before it starts
MEETING_S = 60
KEPT_LOGS = Path(tempfile.gettempdir())


def interface(i: int) -> str:
    return f"Local/agent{i}@agents/n"


def office(n: int, port: int, web_port: int, folder: Path, redis: Path) -> str:
    """engine_scale's office, with Local channels and the engine's AMI user."""
    return config_text(n, port, web_port, folder, redis, ami_user=ENGINE_USER, interface=interface)


# --- /proc --------------------------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    # The command name may hold spaces and parentheses: split after its last ")".
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def cpu_s(pid: int, *, with_children: bool) -> float:
    """CPU seconds (utime + stime, all threads) of a process; with its descendants, live
    ones read directly and reaped ones through cutime + cstime."""
    total = 0.0
    with contextlib.suppress(OSError):
        fields = _stat(pid)
        total += int(fields[11]) + int(fields[12])
        if with_children:
            total += int(fields[13]) + int(fields[14])
    if with_children:
        for task in descendants(pid):
            with contextlib.suppress(OSError, IndexError):
                fields = _stat(task)
                total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


# --- the processes ------------------------------------------------------------------------


@contextlib.contextmanager
def private_asterisk(files: dict[str, str]) -> Iterator[RealAsterisk]:
    """As tests.support.real_asterisk.asterisk_lab, plus our listener's AMI user."""
    with tempfile.TemporaryDirectory(prefix="sb-bench-asterisk-") as tmp:
        pbx = RealAsterisk(files, SECRET, Path(tmp))
        with (pbx.conf.parent / "manager.conf").open("a") as conf:
            conf.write(LISTENER_CONF)
        try:
            pbx.start()
            yield pbx
        finally:
            log = pbx.root / "log" / "messages.log"
            if log.exists():  # kept for reading after the run
                shutil.copy(log, KEPT_LOGS / "sb-bench-boundary-asterisk.log")
            pbx.stop()


@contextlib.contextmanager
def engine_process(config: Path, log: Path, key: str) -> Iterator[subprocess.Popen[bytes]]:
    """`switchboard run -c CONFIG` as users run it; SIGINT at the end (its clean stop)."""
    env = {**os.environ, SECRET_ENV: SECRET, "PYTHONPATH": str(REPO), "SWITCHBOARD_DATA_KEY": key}
    command = [sys.executable, "-c", "from switchboard.cli import main; main()"]
    with log.open("w") as out:
        process = subprocess.Popen(
            [*command, "run", "-c", str(config)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=config.parent,  # anything it writes by a relative path stays in the temp folder
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                print("the engine did not stop within 30 s of SIGINT: killed", file=sys.stderr)
                process.kill()
                process.wait()
        shutil.copy(log, KEPT_LOGS / "sb-bench-boundary-engine.log")


# --- what our listener hears --------------------------------------------------------------


@dataclass
class Heard:
    added: dict[tuple[str, str], float] = field(default_factory=dict)  # (queue, iface) -> at
    pauses: list[tuple[float, QueueMemberPause]] = field(default_factory=list)
    other_events: int = 0

    def on_event(self, event: Event) -> None:
        # Wall-clock stamps: the boundaries are wall-clock moments in the calendar files.
        at = time.time()
        if isinstance(event, QueueMemberPause):
            self.pauses.append((at, event))
        elif isinstance(event, QueueMemberAdded):
            self.added.setdefault((event.queue, event.interface), at)
        else:
            self.other_events += 1


async def _nothing() -> None:
    return None


@contextlib.asynccontextmanager
async def listener(port: int, heard: Heard) -> AsyncIterator[AmiClient]:
    client = AmiClient(
        AmiSettings("127.0.0.1", port, LISTENER_USER, SECRET, action_timeout_s=60),
        heard.on_event,
        _nothing,
    )
    task = asyncio.create_task(client.run())
    try:
        await asyncio.wait_for(client.connected.wait(), 30)
        yield client
    finally:
        await client.stop()
        await asyncio.gather(task, return_exceptions=True)


async def members_in_asterisk(client: AmiClient) -> dict[str, int]:
    """Memberships per queue as Asterisk lists them (QueueStatus), not as we heard them."""
    reply = await client.send(queue_status(), timeout=60)
    counts = dict.fromkeys(QUEUES, 0)
    for item in reply.items:
        if isinstance(item, QueueMember) and item.queue in counts:
            counts[item.queue] += 1
    return counts


async def logged_in(client: AmiClient) -> dict[str, str]:
    """QueueSummary's LoggedIn per queue (members whose device is neither unavailable nor
    invalid): a Local interface whose extension did not exist would show here."""
    reply = await client.send(Action("QueueSummary", is_list=True), timeout=60)
    return {
        item.fields.get("Queue", "?"): item.fields.get("LoggedIn", "?")
        for item in reply.items
        if isinstance(item, RawEvent) and item.name == "QueueSummary"
    }


# --- figures ------------------------------------------------------------------------------


def lateness_lines(label: str, late_s: list[float], expected: int) -> list[str]:
    ms = [1000 * s for s in late_s]
    if not ms:
        return [f"{label}: 0/{expected} seen"]
    return [
        f"{label}: {len(ms)}/{expected} seen; late by p50 {pct(ms, 0.5):.0f} ms, "
        f"p99 {pct(ms, 0.99):.0f} ms, max {max(ms):.0f} ms (earliest {min(ms):.0f} ms)"
    ]


async def sleep_until(wall: float) -> None:
    await asyncio.sleep(max(0.0, wall - time.time()))


@dataclass
class Boundary:
    """Asterisk's (and the engine's) CPU seconds at moments around one boundary."""

    at: float
    asterisk: dict[float, float] = field(default_factory=dict)  # offset s -> cpu s
    engine: dict[float, float] = field(default_factory=dict)


async def watch_boundary(b: Boundary, asterisk_pid: int, engine_pid: int) -> None:
    for offset in (-1.0, 0.0, 1.0, 5.0):
        await sleep_until(b.at + offset)
        b.asterisk[offset] = cpu_s(asterisk_pid, with_children=False)
        b.engine[offset] = cpu_s(engine_pid, with_children=True)


def boundary_lines(name: str, b: Boundary) -> list[str]:
    def share(cpu: dict[float, float], start: float, end: float) -> str:
        return f"{100 * (cpu[end] - cpu[start]) / (end - start):.0f} %"

    return [
        f"CPU at the {name} (% of one core): Asterisk {share(b.asterisk, -1, 0)} in the second "
        f"before, {share(b.asterisk, 0, 1)} in the boundary second, "
        f"{share(b.asterisk, 1, 5)} over the 4 s after; engine {share(b.engine, -1, 0)} / "
        f"{share(b.engine, 0, 1)} / {share(b.engine, 1, 5)}"
    ]


# --- the run ------------------------------------------------------------------------------


async def measure(
    pbx: RealAsterisk, n: int, folder: Path, config: Path, startup_timeout_s: float
) -> list[str]:
    assert pbx.process is not None
    asterisk_pid = pbx.process.pid
    expected_members = n * len(QUEUES)
    out: list[str] = []
    heard = Heard()
    async with listener(pbx.port, heard) as ami:
        log = folder / "engine.log"
        spawned = time.time()
        with engine_process(config, log, generate()) as engine:
            while len(heard.added) < expected_members:
                if engine.poll() is not None:
                    tail = log.read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"the engine exited ({engine.returncode}):\n{tail}")
                if time.time() - spawned > startup_timeout_s:
                    raise RuntimeError(
                        f"only {len(heard.added)}/{expected_members} memberships added within "
                        f"{startup_timeout_s:.0f} s; see {log}"
                    )
                await asyncio.sleep(0.2)
            last_added = max(heard.added.values())
            startup_cpu = cpu_s(engine.pid, with_children=True)
            out.append(
                f"start-up: {last_added - spawned:.1f} s from process start to the last of "
                f"{expected_members} QueueMemberAdded (first after "
                f"{min(heard.added.values()) - spawned:.1f} s); engine CPU so far "
                f"{startup_cpu:.1f} s"
            )
            counted = await members_in_asterisk(ami)
            out.append(
                "Asterisk lists (QueueStatus): "
                + ", ".join(f"{q} {c}" for q, c in counted.items())
                + "; LoggedIn (QueueSummary): "
                + ", ".join(f"{q} {c}" for q, c in sorted((await logged_in(ami)).items()))
            )
            if sum(counted.values()) != expected_members:
                raise RuntimeError(f"Asterisk lists {counted}, not {n} in each queue")

            # Written after start-up, so only the engine's own polls can find them.
            begin = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=MEETING_IN_S)
            meeting = BusyInterval(begin, begin + timedelta(seconds=MEETING_S))
            due = {interface(i) for i in range(0, n, 10)}
            written = time.time()
            for i in range(0, n, 10):
                write_atomically(calendar(folder, i), outlook_ics([meeting]))
            out.append(
                f"meeting written to {len(due)} calendars at "
                f"{datetime.fromtimestamp(written, UTC):%H:%M:%S} UTC for "
                f"{begin:%H:%M:%S}-{meeting.end:%H:%M:%S}"
            )
            start = Boundary(meeting.start.timestamp())
            end = Boundary(meeting.end.timestamp())
            await asyncio.gather(
                watch_boundary(start, asterisk_pid, engine.pid),
                watch_boundary(end, asterisk_pid, engine.pid),
            )
            await sleep_until(end.at + 15)  # stragglers
            if engine.poll() is not None:
                raise RuntimeError(f"the engine exited ({engine.returncode}) during the run")
            engine_cpu = cpu_s(engine.pid, with_children=True)
            engine_wall = time.time() - spawned
            asterisk_cpu = cpu_s(asterisk_pid, with_children=False)

    first: dict[tuple[str, str, bool], float] = {}
    strays = repeats = 0
    reasons: set[str] = set()
    for at, event in heard.pauses:
        if at < written:
            continue
        if event.interface not in due:
            strays += 1
            continue
        key = (event.interface, event.queue, event.paused)
        if key in first:
            repeats += 1
            continue
        first[key] = at
        if event.paused:
            reasons.add(event.paused_reason)
    pause_late = [at - start.at for (_, _, paused), at in first.items() if paused]
    unpause_late = [at - end.at for (_, _, paused), at in first.items() if not paused]
    each = len(due) * len(QUEUES)
    seen = len(pause_late) + len(unpause_late)
    out.append(
        f"QueueMemberPause for the {len(due)} agents in a meeting, one per membership: "
        f"{seen}/{2 * each} seen"
    )
    out += lateness_lines("  pause (meeting start)", pause_late, each)
    out += lateness_lines("  unpause (meeting end)", unpause_late, each)
    out.append(
        f"  pause reasons {sorted(reasons)}; repeated events {repeats}; "
        f"pause events for agents without a meeting {strays}"
    )
    out += boundary_lines("meeting start", start)
    out += boundary_lines("meeting end", end)
    out.append(
        f"engine CPU over the run (itself and its children): {engine_cpu:.1f} s in "
        f"{engine_wall:.0f} s = {100 * engine_cpu / engine_wall:.0f} % of one core"
    )
    out.append(f"Asterisk CPU since it started: {asterisk_cpu:.1f} s")
    text = log.read_text(errors="replace")
    out.append(
        f"engine log: {text.count('deadline passed')} actions given up for their deadline, "
        f"{text.count('failing:')} calendar failures, {text.count(' ERROR ')} ERROR lines"
    )
    return out


def run(n: int, startup_timeout_s: float) -> list[str]:
    with (
        tempfile.TemporaryDirectory(prefix="sb-bench-boundary-") as tmp,
        redis_server() as redis,
    ):
        folder = Path(tmp)
        (folder / "cal").mkdir()
        empty = outlook_ics([])
        for i in range(n):
            calendar(folder, i).write_text(empty)
        web_port = free_port()
        # The Asterisk files do not name the AMI port (RealAsterisk chooses it): read them
        # from the config with a stand-in port, then write the config with the real one.
        files = settings_files(
            parse_config(office(n, 5038, web_port, folder, redis.socket), "bench.yaml")
        )
        started = time.monotonic()
        with private_asterisk(files) as pbx:
            booted = time.monotonic() - started
            config = folder / "switchboard.yaml"
            config.write_text(office(n, pbx.port, web_port, folder, redis.socket))
            lines = [f"Asterisk up (fully booted) in {booted:.1f} s, AMI port {pbx.port}"]
            lines += asyncio.run(measure(pbx, n, folder, config, startup_timeout_s))
            return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument(
        "--startup-timeout-s",
        type=float,
        default=300,
        help="give up when not every membership is in Asterisk by then",
    )
    a = parser.parse_args()
    binary = asterisk_binary()
    if binary is None:
        sys.exit(
            "no Asterisk to run: /opt/asterisk/sbin/asterisk is missing (and there is none on "
            "PATH or in $ASTERISK_BIN); build Asterisk 22 with ./configure --prefix=/opt/asterisk"
        )
    if a.agents < 10:
        sys.exit("--agents must be at least 10 (every 10th agent gets the meeting)")
    print(
        f"{a.agents} agents (Local channels) x {len(QUEUES)} loops, one ICS calendar each, "
        f"against {binary}; load average {load()} at the start; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        flush=True,
    )
    lines: list[str] = []
    try:
        lines = run(a.agents, a.startup_timeout_s)
    finally:
        for line in lines:
            print(line)
        print(f"load average {load()} at the end")
        print(f"logs kept: {KEPT_LOGS}/sb-bench-boundary-engine.log, -asterisk.log")


if __name__ == "__main__":
    main()
