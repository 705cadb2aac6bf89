"""Calendars as islands: bad calendars must not delay anyone else's pause.

2,000 agents with Outlook-style ICS calendars, each with a short meeting that starts and
ends within the run; the PBX simulator (a separate process) stamps every QueuePause. Two
runs, the same engine:
  clean    - all 2,000 calendars are good (the baseline)
  islands  - 20 hold recurrence bombs (beside their meeting), 20 are ICS URLs on a local
             server (127.0.0.1) trickling one byte every 5 s, 20 are broken files
The figure is the delay from each good agent's meeting start (and end) to its QueuePause,
for the 1,940 agents whose calendars are good in both runs (goal: p99 <= 1 s), with the
engine's CPU (main process and calendar readers) and how often each bad source was logged.

    .venv/bin/python bench/calendar_islands.py [--agents 2000] [--bad 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.presence_latency import OSLO, meetings, roster, serve  # noqa: E402
from switchboard.ami.client import AmiClient, AmiSettings  # noqa: E402
from switchboard.demo import outlook_ics  # noqa: E402
from switchboard.presence.busy import BusyInterval  # noqa: E402
from switchboard.presence.calendars import CalendarPresence  # noqa: E402
from switchboard.presence.ics_source import IcsHttp, ics_fetch  # noqa: E402
from switchboard.presence.parse_pool import ParsePool  # noqa: E402
from switchboard.presence.polled import PolledCalendar  # noqa: E402
from switchboard.routing.router import Router  # noqa: E402

RUN_S = 90.0
LEAD_S = 30  # meetings begin after the first poll of every calendar has had time to end
BOMBS = [
    "RRULE:FREQ=MINUTELY;COUNT=1000000000",
    "RRULE:FREQ=SECONDLY;UNTIL=20991231T000000Z",
    "RRULE:FREQ=DAILY;BYHOUR=" + ",".join(map(str, range(24))) + ";BYMINUTE="
    + ",".join(map(str, range(60))) + ";BYSECOND=" + ",".join(map(str, range(60))),
    "RRULE:FREQ=DAILY;BYSETPOS=-335",  # priced cheap, filtered empty: the CPU timer stops it
]  # fmt: skip
BROKEN = [
    b"<!DOCTYPE html><html><body>Sign in to your account</body></html>",
    b"",
    bytes(range(256)) * 64,
    b"BEGIN:VCARD\r\nFN:Someone\r\nEND:VCARD\r\n",
]


def with_bomb(meeting: BusyInterval, rule: str) -> str:
    bomb = (
        "BEGIN:VEVENT\r\nUID:bomb\r\nDTSTART:20000101T000000Z\r\nDTEND:20000101T000100Z\r\n"
        f"{rule}\r\nEND:VEVENT\r\n"
    )
    return outlook_ics([meeting]).replace("END:VCALENDAR", bomb + "END:VCALENDAR")


class Trickle:
    """ICS URLs that answer one byte every 5 s (a proxy that holds on, a dying server)."""

    def __init__(self) -> None:
        self.server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\n")
            for byte in b"BEGIN:VCALENDAR\r\n" * 100:
                writer.write(bytes([byte]))
                await writer.drain()
                await asyncio.sleep(5)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def close(self) -> None:
        if self.server is not None:
            self.server.close()


class Told(logging.Handler):
    """Counts warnings per agent (how often each bad source is reported)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.by_agent: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) >= 2 and isinstance(args[1], str):
            self.by_agent[args[1]] += 1


def _cpu_of(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks


async def run(design: str, n: int, bad: int, seed: int, folder: Path) -> dict[str, object]:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    stamps_file = folder / f"stamps-{design}.json"
    sim = multiprocessing.get_context("fork").Process(
        target=serve, args=(sender, RUN_S, str(stamps_file))
    )
    sim.start()
    port = receiver.recv()
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=LEAD_S)
    plan = meetings(n, start, random.Random(seed))
    trickle = Trickle()
    await trickle.start()
    pool = ParsePool(workers=2, deadline_s=10)
    http = IcsHttp(deadline_s=8)
    kinds: dict[str, str] = {}
    calendars = []
    for i, (agent_id, meeting) in enumerate(plan.items()):
        kind = "good"
        if design == "islands" and i >= n - 3 * bad:
            kind = ("bomb", "trickle", "broken")[(n - 1 - i) % 3]
        kinds[agent_id] = kind
        path = folder / f"{design}-{agent_id}.ics"
        if kind == "good":
            path.write_text(outlook_ics([meeting]))
        elif kind == "bomb":
            path.write_text(with_bomb(meeting, BOMBS[i % len(BOMBS)]))
        elif kind == "broken":
            path.write_bytes(BROKEN[i % len(BROKEN)])
        location = f"http://127.0.0.1:{trickle.port}/{agent_id}.ics" if kind == "trickle" else ""
        fetch = ics_fetch(location or str(path), OSLO, pool=pool, http=http)
        calendars.append(PolledCalendar(agent_id, kind, fetch, deadline_s=30))

    def clock() -> datetime:
        return datetime.now(UTC)

    told = Told()
    logging.getLogger("switchboard.presence").addHandler(told)
    presence = CalendarPresence(calendars, clock, poll_interval_s=10.0)
    router = Router(roster(n), presence, clock)
    client = AmiClient(
        AmiSettings("127.0.0.1", port, "bench", "bench"), router.on_event, router.on_connected
    )
    router.attach(client)
    cpu_before = time.process_time()
    began = time.monotonic()
    good = [c for c in calendars if kinds[c.agent_id] == "good"]
    tasks = [
        asyncio.create_task(client.run()),
        asyncio.create_task(router.run()),
        asyncio.create_task(presence.run()),
    ]
    first_sync = float("nan")
    while time.monotonic() - began < RUN_S - 5:
        await asyncio.sleep(0.25)
        if first_sync != first_sync and all(c.health.last_success for c in good):
            first_sync = time.monotonic() - began
    engine_cpu = time.process_time() - cpu_before
    readers_cpu = sum(_cpu_of(w.process.pid or 0) for w in pool._all)
    await client.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    logging.getLogger("switchboard.presence").removeHandler(told)
    await presence.aclose()
    pool.close()
    await http.close()
    trickle.close()
    sim.join(30)
    on: list[float] = []
    off: list[float] = []
    for at, interface, paused in json.loads(stamps_file.read_text()):
        agent_id = f"a{int(interface.split('/')[1]) - 1000}"
        if agent_id in kinds and (design == "clean" or kinds[agent_id] == "good"):
            if int(agent_id[1:]) >= n - 3 * bad:
                continue  # the same 1,940 agents in both runs
            edge = plan[agent_id].start if paused == "true" else plan[agent_id].end
            (on if paused == "true" else off).append(at - edge.timestamp())
    reported = {
        k: [told.by_agent[a] for a, v in kinds.items() if v == k] for k in set(kinds.values())
    }
    return {
        "on": on,
        "off": off,
        "expected": n - 3 * bad,
        "engine_cpu": engine_cpu,
        "first_sync": first_sync,
        "readers_cpu": readers_cpu,
        "reported": reported,
    }


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--bad", type=int, default=20, help="of each kind")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    logging.getLogger("switchboard.presence").setLevel(logging.WARNING)
    logging.getLogger("switchboard.presence").propagate = False
    with tempfile.TemporaryDirectory() as folder:
        results = {
            design: asyncio.run(run(design, args.agents, args.bad, args.seed, Path(folder)))
            for design in ("clean", "islands")
        }
    for design, r in results.items():
        on, off = r["on"], r["off"]
        assert isinstance(on, list)
        assert isinstance(off, list)
        if not on or not off:
            print(f"{design:8} paused {len(on)}/{r['expected']}: no figures (machine too busy?)")
            continue
        print(
            f"{design:8} paused {len(on)}/{r['expected']} on time-check, "
            f"pause delay p50 {statistics.median(on):.2f} s p99 {_p(on, 0.99):.2f} s "
            f"max {max(on):.2f} s; unpause p99 {_p(off, 0.99):.2f} s; "
            f"CPU engine {r['engine_cpu']:.1f} s, readers {r['readers_cpu']:.1f} s "
            f"in {RUN_S - 5:.0f} s; every good calendar read once after {r['first_sync']:.1f} s"
        )
    reported = results["islands"]["reported"]
    assert isinstance(reported, dict)
    for kind in ("bomb", "trickle", "broken"):
        counts: Counter[int] = Counter(reported.get(kind, []))
        print(f"  {kind:8} sources: logged {dict(sorted(counts.items()))} (times: sources)")
    clean_on, islands_on = results["clean"]["on"], results["islands"]["on"]
    assert isinstance(clean_on, list)
    assert isinstance(islands_on, list)
    if not clean_on or not islands_on:
        return
    ratio = _p(islands_on, 0.99) / _p(clean_on, 0.99)
    print(f"p99 ratio islands/clean: {ratio:.2f} (goal: islands p99 <= 1 s)")


if __name__ == "__main__":
    main()
