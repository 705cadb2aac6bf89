"""AMI ingest: events/second on the engine's real path vs. panoramisk 1.4, same stream.

The byte stream is a realistic mix: every event of the recorded Asterisk 22 transcripts
(VarSet/Newexten noise included), repeated to at least 200,000 events, served over loopback
by a separate process. Each round reads the same stream with:
  panoramisk   - panoramisk 1.4's Manager, one wildcard handler counting events
  engine       - the engine's real path: AmiClient (framing, typed events, dispatch), then
                 Router.on_event (queue state, calls, log lines) and Desk.on_event (the screen's
                 fold), over a 2,000-agent roster whose interfaces the stream's members use
  bare parser  - the old ceiling: the same socket reads and a Key: Value split of every frame,
                 no typed events, no dispatch. The engine can pass it: it splits only the frames
                 someone reads (events it does not model are known by name until asked)
Timed from the login reply to the last event. The designs alternate within each round
(>= 5 rounds); figures are medians, the ratio is the median of the per-round ratios.

    ./dev bench            (or: .venv/bin/python bench/ami_ingest.py --events 200000 --rounds 5)
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import multiprocessing
import re
import socket
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchboard.ami.client import AmiClient, AmiSettings  # noqa: E402
from switchboard.ami.events import Event, FullyBooted  # noqa: E402
from switchboard.ami.frame import END_OF_MESSAGE  # noqa: E402
from switchboard.presence.source import InMemoryPresence  # noqa: E402
from switchboard.routing.roster import Agent, Loop, Roster  # noqa: E402
from switchboard.routing.router import Router  # noqa: E402
from switchboard.screen.desk import Desk  # noqa: E402
from switchboard.screen.directory import SqliteDirectory  # noqa: E402

TRANSCRIPTS = REPO.parent / "shared" / "ami-transcripts"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
END_EVENT = (
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 1\r\nLastReload: 1\r\n"
    b"Status: Bench over\r\n\r\n"
)
DESIGNS = ("panoramisk", "engine", "bare parser")


def build_stream(minimum: int) -> tuple[bytes, int]:
    events = []
    for path in sorted(TRANSCRIPTS.glob("*.recv.ami")):
        body = path.read_bytes().removeprefix(BANNER)
        for part in body.split(b"\r\n\r\n"):
            if part.startswith(b"Event: ") and b"\r\nActionID: " not in part:
                events.append(part + b"\r\n\r\n")
    if not events:
        sys.exit(f"no transcripts found in {TRANSCRIPTS}")
    block = b"".join(events)
    repeats = -(-minimum // len(events))
    # A last, distinct event tells each client the stream is over.
    return block * repeats + END_EVENT, len(events) * repeats + 1


def serve(sock: socket.socket, stream: bytes, connections: int) -> None:
    """The separate process: for each connection, accept Login, then pour out the stream."""
    for _ in range(connections):
        conn, _addr = sock.accept()
        conn.sendall(BANNER)
        buffer = b""
        while b"\r\n\r\n" not in buffer:
            buffer += conn.recv(4096)
        action_id = re.search(rb"ActionID: ([^\r]*)", buffer)
        aid = action_id.group(1) if action_id else b""
        conn.sendall(
            b"Response: Success\r\nActionID: "
            + aid
            + b"\r\nMessage: Authentication accepted\r\n\r\n"
        )
        conn.sendall(stream)
        conn.close()


def bench_roster(stream: bytes, n: int = 2000) -> Roster:
    """2,000 agents in the stream's loops; the interfaces the recordings ring are among them."""
    seen = sorted(set(re.findall(rb"\r\nInterface: ([^\r]+)", stream)))
    interfaces = [s.decode() for s in seen] + [f"PJSIP/{5000 + i}" for i in range(n - len(seen))]
    queues = sorted({q.decode() for q in re.findall(rb"\r\nQueue: ([^\r]+)", stream)})
    agents = {
        f"a{i}": Agent(f"a{i}", f"Agent {i}", iface, iface) for i, iface in enumerate(interfaces)
    }
    ids = tuple(agents)
    loops = tuple(Loop(q, q, q, f"-11{k}", agents=ids) for k, q in enumerate(queues))
    return Roster(agents, loops)


async def run_engine(port: int, expected: int, roster: Roster) -> float:
    """The engine's own wiring (Engine._on_event): client -> router -> desk."""
    router = Router(roster, InMemoryPresence(), lambda: datetime.now(UTC))
    desk = Desk(router, SqliteDirectory(":memory:", b"bench-key"))
    seen = 0
    started = 0.0
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()

    def on_event(event: Event) -> None:
        nonlocal seen
        seen += 1
        router.on_event(event)
        desk.on_event(event)
        if isinstance(event, FullyBooted) and event.status == "Bench over":
            done.set_result(time.perf_counter())

    async def on_connected() -> None:
        nonlocal started
        started = time.perf_counter()

    client = AmiClient(AmiSettings("127.0.0.1", port, "bench", "bench"), on_event, on_connected)
    router.attach(client)
    task = asyncio.create_task(client.run())
    finished = await asyncio.wait_for(done, 600)
    await client.stop()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert seen == expected, (seen, expected)
    return finished - started


async def run_bare(port: int, expected: int) -> float:
    """The ceiling: the engine's socket reads and Key: Value split, nothing else."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    await reader.readuntil(b"\r\n")
    writer.write(b"Action: Login\r\nActionID: 1\r\nUsername: bench\r\nSecret: bench\r\n\r\n")
    await reader.readuntil(END_OF_MESSAGE)
    started = time.perf_counter()
    seen = 0
    rest = b""
    while chunk := await reader.read(1 << 18):
        complete, sep, rest = (rest + chunk).rpartition(END_OF_MESSAGE)
        if not sep:
            continue
        for message in complete.decode("utf-8", "replace").split("\r\n\r\n"):
            dict(line.split(": ", 1) for line in message.split("\r\n"))
            seen += 1
    elapsed = time.perf_counter() - started
    writer.close()
    assert seen == expected, (seen, expected)
    return elapsed


async def run_panoramisk(port: int, expected: int) -> float:
    from panoramisk import Manager

    seen = 0
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    logged_in = asyncio.Event()
    manager = Manager(
        host="127.0.0.1",
        port=port,
        username="bench",
        secret="bench",
        ping_delay=3600,
        reconnect_timeout=3600,
        on_login=lambda _manager: logged_in.set(),
    )

    def on_event(_manager: object, event: dict[str, str]) -> None:
        nonlocal seen
        seen += 1
        if event.get("Status") == "Bench over" and not done.done():
            done.set_result(time.perf_counter())

    manager.register_event("*", on_event)
    manager.connect()
    await logged_in.wait()
    started = time.perf_counter()
    finished = await asyncio.wait_for(done, 600)
    manager.close()
    if seen != expected:
        print(f"  (panoramisk dispatched {seen} of {expected} events)")
    return finished - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.rounds < 5:
        parser.error("--rounds must be at least 5 (medians of interleaved rounds)")
    logging.getLogger("panoramisk").setLevel(logging.CRITICAL)  # its "Connection lost" at EOF
    logging.getLogger("switchboard").setLevel(logging.WARNING)  # no per-call info lines
    stream, count = build_stream(args.events)
    roster = bench_roster(stream)
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(sock, stream, len(DESIGNS) * args.rounds), daemon=True
    )
    server.start()
    sock.close()
    times: dict[str, list[float]] = {d: [] for d in DESIGNS}
    for _ in range(args.rounds):
        times["panoramisk"].append(asyncio.run(run_panoramisk(port, count)))
        times["engine"].append(asyncio.run(run_engine(port, count, roster)))
        times["bare parser"].append(asyncio.run(run_bare(port, count)))
    server.join(10)
    print(
        f"stream: {count} events, {len(stream) / 1e6:.1f} MB, from a separate process over "
        f"loopback; {args.rounds} interleaved rounds, medians"
    )
    labels = {
        "panoramisk": "panoramisk 1.4 parse+dispatch            ",
        "engine": "engine: client + router + screen fold    ",
        "bare parser": "bare parser: reads + split of every frame ",
    }
    for design in DESIGNS:
        rates = [count / t for t in times[design]]
        print(
            f"{labels[design]}: {statistics.median(rates):10,.0f} events/s "
            f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
        )
    for design in ("engine", "bare parser"):
        ratios = [p / t for p, t in zip(times["panoramisk"], times[design], strict=True)]
        goal = " (goal >= 3.0x)" if design == "engine" else " (ceiling)"
        print(
            f"ratio {design} / panoramisk: {statistics.median(ratios):.2f}x by median of rounds "
            f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x){goal}"
        )


if __name__ == "__main__":
    main()
