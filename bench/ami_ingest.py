"""AMI ingest: events/second through the full client pipeline vs. panoramisk's parse+dispatch.

The byte stream is a realistic mix: every event of the recorded Asterisk 22 transcripts
(VarSet/Newexten noise included), repeated to at least 200,000 events, served over loopback
by a separate process. Both clients log in and then read the same stream; each is timed
from the login reply to the last event. Runs alternate; the best of each is reported.

    ./dev bench            (or: .venv/bin/python bench/ami_ingest.py --events 200000)
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
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from routing.ami.connection import AmiConnection  # noqa: E402
from routing.ami.events import Event, RawEvent  # noqa: E402
from routing.queue_state import QueueState  # noqa: E402

TRANSCRIPTS = REPO.parent / "shared" / "ami-transcripts"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
END_EVENT = (
    b"Event: FullyBooted\r\nPrivilege: system,all\r\nUptime: 1\r\nLastReload: 1\r\n"
    b"Status: Bench over\r\n\r\n"
)


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


async def run_switchboard(port: int, expected: int) -> float:
    state = QueueState()
    raw = 0
    seen = 0

    def on_event(event: Event) -> None:
        nonlocal raw, seen
        seen += 1
        if isinstance(event, RawEvent):
            raw += 1
        state.apply(event, 0.0)

    conn = await AmiConnection.open("127.0.0.1", port, on_event, timeout=5)
    reader = asyncio.create_task(conn.read_loop())
    await conn.login("bench", "bench", timeout=5)
    started = time.perf_counter()
    await reader
    elapsed = time.perf_counter() - started
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
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("panoramisk").setLevel(logging.CRITICAL)  # its "Connection lost" at EOF
    stream, count = build_stream(args.events)
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = multiprocessing.get_context("fork").Process(
        target=serve, args=(sock, stream, 2 * args.rounds), daemon=True
    )
    server.start()
    sock.close()
    ours, theirs = [], []
    for _ in range(args.rounds):
        theirs.append(asyncio.run(run_panoramisk(port, count)))
        ours.append(asyncio.run(run_switchboard(port, count)))
    server.join(10)
    best_ours, best_theirs = count / min(ours), count / min(theirs)
    print(
        f"stream: {count} events, {len(stream) / 1e6:.1f} MB, from a separate process over loopback"
    )
    for label, best, runs in (
        ("panoramisk 1.4 parse+dispatch       ", best_theirs, theirs),
        ("switchboard parse+typed+state update", best_ours, ours),
    ):
        median = count / statistics.median(runs)
        print(f"{label}: {best:10,.0f} events/s (best of {args.rounds}; median {median:,.0f})")
    print(f"ratio switchboard / panoramisk       : {best_ours / best_theirs:.2f}x (goal >= 2.0x)")


if __name__ == "__main__":
    main()
