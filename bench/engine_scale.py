"""The engine users run, at scale: `switchboard run` as its own process, with its config,
web and metrics, one ICS calendar per agent read by its calendar workers, against the PBX
simulator in another process that stamps every action it receives, with callers arriving
all along.

Phases, per design and round:
  start-up   process start -> every membership (agents x 3 loops) in the PBX
  steady     60 s of calls and calendar polls: the engine's CPU (its calendar workers
             included, from /proc), `/metrics` wall time, RSS
  meetings   every agent gets a meeting, written into their calendar file after start-up
             and found by the engine's own polls, starting 90-110 s on and lasting a
             minute: how late each QueuePause (and the unpause at its end) reached the PBX
             after the boundary, and how many reached it at all; then a tenth of the
             agents at one and the same boundary
  restarts   Asterisk restarts with its members kept (persistentmembers), then with them
             lost: from the new login to the engine's last action of the catch-up
  the log    actions the engine gave up for their deadline ("its deadline passed")
Designs: `current` (this tree) and, with --previous REF, the engine as of that git ref
(checked out in a temporary worktree and run with the same interpreter), in the same run;
--inner also runs bench/router_scale.py (the router in-process) at the same size, so the
outer figures can be read against it. Every figure is the median of --rounds rounds.

    .venv/bin/python bench/engine_scale.py --agents 10000
    .venv/bin/python bench/engine_scale.py --agents 2000 --rounds 3 --previous v0.2.0 --inner
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.router_scale import QUEUES, pct, simulator  # noqa: E402
from switchboard.data_key import generate  # noqa: E402
from switchboard.demo import outlook_ics  # noqa: E402
from switchboard.presence.busy import BusyInterval  # noqa: E402
from switchboard.routing.overrides import BACK_EARLY_FAMILY  # noqa: E402
from switchboard.routing.ownership import OWNED_FAMILY  # noqa: E402
from tests.support.redis_server import redis_server  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
Stamp = tuple[float, str, str, str, str]  # (time, action, interface, paused, queue)
DATA_KEY = generate()  # as `switchboard gen-key` gives
MEETING_IN_S = 90.0  # a poll (every 60 s) finds it first
MEETING_S = 60.0


def pjsip(i: int) -> str:
    return f"PJSIP/{10000 + i}"


def calendar(folder: Path, i: int) -> Path:
    return folder / "cal" / f"a{i}.ics"


def write_atomically(path: Path, text: str) -> None:
    # A poll must never read a half-written file (it would count as a failing calendar).
    spare = path.with_suffix(".tmp")
    spare.write_text(text)
    os.replace(spare, path)


def config_text(
    n: int,
    port: int,
    web_port: int,
    folder: Path,
    redis: Path,
    *,
    ami_user: str = "b",
    interface: Callable[[int], str] = pjsip,
) -> str:
    """An office of `n` agents in three loops by role, each with an ICS calendar file."""
    lines = [
        f"ami: {{host: 127.0.0.1, port: {port}, username: {ami_user}, "
        "secret_env: SB_BENCH_SECRET}",
        f"redis: {{url: 'unix://{redis}'}}",
        "presence: {timezone: Europe/Oslo, poll_interval_s: 60}",
        f"web: {{host: 127.0.0.1, port: {web_port}}}",
        "default_loop: loop3",
        "loops:",
    ]
    for k, q in enumerate(QUEUES, start=1):
        lines.append(
            f'  - {{id: {q}, queue: {q}, title: Loop {k}, digit: "{k}", suffix: "-11{k}", '
            "roles: [staff]}"
        )
    lines.append("agents:")
    for i in range(n):
        lines.append(
            f'  - {{id: a{i}, name: Agent {i}, interface: "{interface(i)}", roles: [staff], '
            f"calendar: 'ics:{calendar(folder, i)}'}}"
        )
    return "\n".join(lines) + "\n"


def lateness(stamps: list[Stamp], plan: dict[str, BusyInterval]) -> tuple[list[float], list[float]]:
    """How late pauses (and unpauses) reached the PBX after their boundary: per membership
    and edge, and per agent and edge (the first of their loops, as router_scale.py counts)."""
    each: list[float] = []
    first: dict[tuple[str, str], float] = {}
    seen: set[tuple[str, str, str]] = set()
    for at, action, interface, paused, queue in stamps:
        meeting = plan.get(interface)
        if action != "QueuePause" or meeting is None or (interface, paused, queue) in seen:
            continue
        seen.add((interface, paused, queue))
        edge = meeting.start if paused == "true" else meeting.end
        each.append(at - edge.timestamp())
        first.setdefault((interface, paused), at - edge.timestamp())
    return each, list(first.values())


def catching_up(action: str, where: str) -> bool:
    """An action of the router's catch-up after a reconnect (not a keepalive, not the IVR's
    or the promises' own periodic reads)."""
    if action in ("QueueStatus", "QueueAdd", "QueueRemove", "QueuePause"):
        return True
    return action.startswith("DB") and where in (OWNED_FAMILY, BACK_EARLY_FAMILY)


def cpu_s(pid: int) -> float:
    """CPU seconds of a process and its children (the calendar workers), from /proc."""
    total = 0.0
    for task in [pid, *children(pid)]:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{task}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime
    return total


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(stat[1]) == pid:
                    found.append(int(entry.name))
    return found


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wait_for(check: object, within: float, step: float = 0.1) -> float:
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        if time.monotonic() - started > within:
            raise TimeoutError(f"not within {within:.0f} s")
        time.sleep(step)
    return time.monotonic() - started


@contextlib.contextmanager
def engine_process(design: str, config: Path, log: Path, tree: Path) -> Iterator[int]:
    env = {
        **os.environ,
        "SB_BENCH_SECRET": "b",
        "PYTHONPATH": str(tree),
        "SWITCHBOARD_DATA_KEY": DATA_KEY,
    }
    command = [sys.executable, "-c", "from switchboard.cli import main; main()"]
    with log.open("w") as out:
        p = subprocess.Popen(
            [*command, "run", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
    try:
        yield p.pid
    finally:
        p.send_signal(signal.SIGINT)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def metrics_ms(web_port: int, rounds: int = 7) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{web_port}/metrics", timeout=30) as r:
            r.read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_once(design: str, tree: Path, n: int, calls_per_s: float) -> dict[str, object]:
    out: dict[str, object] = {}
    ctx = multiprocessing.get_context("fork")
    pipe, child = ctx.Pipe()
    sim = ctx.Process(target=simulator, args=(child, calls_per_s), daemon=True)
    sim.start()
    port = pipe.recv()

    def members() -> int:
        pipe.send("members")
        count, _paused = pipe.recv()
        return int(count)

    def stamps() -> tuple[list[Stamp], list[float]]:
        pipe.send("stamps")
        got, logins = pipe.recv()
        return list(got), list(logins)

    with (
        tempfile.TemporaryDirectory(prefix="sb-engine-scale-") as tmp,
        redis_server() as redis,
    ):
        folder = Path(tmp)
        (folder / "cal").mkdir()
        empty = outlook_ics([])
        for i in range(n):
            calendar(folder, i).write_text(empty)
        web_port = free_port()
        config = folder / "switchboard.yaml"
        config.write_text(config_text(n, port, web_port, folder, redis.socket))
        log = folder / "engine.log"
        memberships = n * len(QUEUES)
        started = time.monotonic()
        with engine_process(design, config, log, tree) as pid:

            def all_in() -> bool:
                return members() >= memberships

            try:
                wait_for(all_in, 180, step=0.2)
            except TimeoutError:
                out["start-up s"] = "> 180 (not all logged in)"
                print(log.read_text(errors="replace")[-3000:], file=sys.stderr)
                pipe.send("stop")
                sim.join(30)
                return out
            out["start-up s"] = time.monotonic() - started
            time.sleep(5.0)
            pipe.send("traffic")
            time.sleep(5.0)
            cpu0, wall0 = cpu_s(pid), time.monotonic()
            time.sleep(60.0)
            out["engine cpu % of a core"] = 100 * (cpu_s(pid) - cpu0) / (time.monotonic() - wall0)
            out["/metrics ms"] = metrics_ms(web_port)
            out["rss MiB"] = rss_mib(pid)

            # Every agent gets a meeting, written now and found by the engine's own polls;
            # the starts spread over 20 s (a day's boundaries, compressed), each a minute long.
            rng = random.Random(1)
            first = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=MEETING_IN_S)
            plan = {}
            for i in range(n):
                start = first + timedelta(seconds=rng.randrange(20))  # (ICS: whole seconds)
                plan[f"PJSIP/{10000 + i}"] = meeting = BusyInterval(
                    start, start + timedelta(seconds=MEETING_S)
                )
                write_atomically(calendar(folder, i), outlook_ics([meeting]))
            last_end = max(m.end for m in plan.values())
            wait_for(lambda: datetime.now(UTC) > last_end + timedelta(seconds=10), 400)
            edges, agents = lateness(stamps()[0], plan)
            out["boundary pauses seen"] = f"{len(edges)}/{2 * n * len(QUEUES)}"
            out["boundary p50 ms"] = 1000 * pct(edges, 0.5)
            out["boundary p99 ms"] = 1000 * pct(edges, 0.99)
            out["boundary p99 ms, per agent (first loop)"] = 1000 * pct(agents, 0.99)

            # A tenth of the agents at one and the same boundary (a 10:00 all-hands).
            before = len(stamps()[0])
            start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=MEETING_IN_S)
            together = BusyInterval(start, start + timedelta(seconds=MEETING_S))
            tenth = {f"PJSIP/{10000 + i}": together for i in range(0, n, 10)}
            for i in range(0, n, 10):
                write_atomically(calendar(folder, i), outlook_ics([together]))
            wait_for(lambda: datetime.now(UTC) > together.end + timedelta(seconds=10), 400)
            edges, _agents = lateness(stamps()[0][before:], tenth)
            out["one boundary, a tenth: pauses seen"] = f"{len(edges)}/{2 * len(tenth) * 3}"
            out["one boundary, a tenth: p50 ms"] = 1000 * pct(edges, 0.5)
            out["one boundary, a tenth: p99 ms"] = 1000 * pct(edges, 0.99)

            for kind, command in (("kept", "restart"), ("lost", "restart, members lost")):
                before = len(stamps()[0])
                sent_at = time.time()
                pipe.send(command)
                time.sleep(2.0)
                wait_for(all_in, 120, step=0.2)
                time.sleep(3.0)  # the catch-up's last actions
                got, logins = stamps()
                login = min(t for t in logins if t >= sent_at)
                after = [at for at, name, _i, _p, where in got[before:]
                         if at >= login and catching_up(name, where)]  # fmt: skip
                out[f"restart, members {kind}: login -> last action s"] = (
                    max(after) - login if after else 0.0
                )
            text = log.read_text(errors="replace")
            out["actions given up for their deadline"] = text.count("deadline passed")
            out["calendars failing"] = text.count("failing:")
        pipe.send("stop")
        sim.join(30)
    return out


def inner(n: int, calls_per_s: float) -> dict[str, object]:
    """bench/router_scale.py at the same size: the router in-process, for the ratio."""
    got = subprocess.run(
        [sys.executable, str(REPO / "bench" / "router_scale.py"), "--agents", str(n),
         "--calls-per-s", str(calls_per_s), "--designs", "incremental", "--rounds", "1",
         "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return dict(json.loads(got.stdout.strip().splitlines()[-1]))


def median_of(rounds: list[dict[str, object]]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key in dict.fromkeys(k for r in rounds for k in r):
        values = [r[key] for r in rounds if key in r]
        numbers = [v for v in values if isinstance(v, int | float)]
        if numbers and len(numbers) == len(values):
            out[key] = statistics.median(numbers)
            if len(numbers) > 1:
                out[key + " (min-max)"] = f"{min(numbers):.3f}-{max(numbers):.3f}"
        else:
            out[key] = values[-1]
    return out


@contextlib.contextmanager
def worktree(ref: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="sb-previous-") as tmp:
        path = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), ref],
                       check=True, capture_output=True)  # fmt: skip
        try:
            yield path
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(path)],
                           check=False, capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--calls-per-s", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--previous", help="a git ref: run that engine too, in the same run")
    parser.add_argument("--inner", action="store_true", help="run router_scale.py too")
    a = parser.parse_args()
    print(f"{a.agents} agents x {len(QUEUES)} loops, {a.calls_per_s:g} calls/s, one ICS "
          f"calendar each; load {os.getloadavg()[0]:.1f}; "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)  # fmt: skip
    with contextlib.ExitStack() as stack:
        designs = {"current": REPO}
        if a.previous:
            designs[f"previous ({a.previous})"] = stack.enter_context(worktree(a.previous))
        results: dict[str, list[dict[str, object]]] = {d: [] for d in designs}
        for r in range(a.rounds):
            for design, tree in designs.items():
                figures = run_once(design, tree, a.agents, a.calls_per_s)
                results[design].append(figures)
                print(f"round {r + 1}, {design}: {figures}; load {os.getloadavg()[0]:.1f}",
                      flush=True)  # fmt: skip
    summary = {d: median_of(rounds) for d, rounds in results.items()}
    if a.inner:
        summary["router_scale.py (in-process)"] = inner(a.agents, a.calls_per_s)
    for design, figures in summary.items():
        rounds = 1 if design.startswith("router_scale") else a.rounds
        print(f"\n{design} (median of {rounds}):")
        for key, value in figures.items():
            print(f"  {key}: {value:.3f}" if isinstance(value, float) else f"  {key}: {value}")
    print(f"\nload {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
