"""Presence latency: from a meeting's start (or end) to the QueuePause frame on the AMI socket.

2,000 agents in four loops, each with a generated ICS calendar (Outlook style) holding a
short meeting that starts and ends within the run. The PBX simulator runs in a separate
process and stamps every QueuePause it receives. Two designs in the same run:
  scheduled  - the engine wakes at the exact boundary it knows of (what ships)
  poll-only  - the same engine acting only when a calendar poll reports a change (baseline)
Also: calendar requests per sync cycle for 2,000 mailboxes, per source type.

    ./dev bench    (or: .venv/bin/python bench/presence_latency.py --agents 2000)
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from bench.designs import PollOnlyRouter  # noqa: E402
from switchboard.ami.client import AmiClient, AmiSettings  # noqa: E402
from switchboard.demo import outlook_ics  # noqa: E402
from switchboard.pbxsim.server import AmiServer  # noqa: E402
from switchboard.presence.busy import BusyInterval  # noqa: E402
from switchboard.presence.calendars import CalendarPresence  # noqa: E402
from switchboard.presence.graph_source import GraphCalendar  # noqa: E402
from switchboard.presence.ics_source import ics_fetch  # noqa: E402
from switchboard.presence.parse_pool import ParsePool  # noqa: E402
from switchboard.presence.polled import PolledCalendar  # noqa: E402
from switchboard.routing.policy import OWN_REASON_PREFIX  # noqa: E402
from switchboard.routing.roster import Agent, Loop, Roster  # noqa: E402
from switchboard.routing.router import Router  # noqa: E402

QUEUES = ("loop1", "loop2", "loop3", "switchboard")
OSLO = ZoneInfo("Europe/Oslo")


def serve(port_out: multiprocessing.connection.Connection, seconds: float, out: str) -> None:
    stamps: list[tuple[float, str, str]] = []

    class StampingServer(AmiServer):
        async def _action(self, session, m):  # type: ignore[no-untyped-def]
            if m.get("Action") == "QueuePause" and m.get("Reason", "").startswith(
                OWN_REASON_PREFIX
            ):
                stamps.append((time.time(), m["Interface"], m["Paused"]))
            return await super()._action(session, m)

    async def main() -> None:
        server = StampingServer({q: "rrmemory" for q in QUEUES}, username="bench", secret="bench")
        await server.start()
        port_out.send(server.port)
        await asyncio.sleep(seconds)
        await server.close()

    asyncio.run(main())
    Path(out).write_text(json.dumps(stamps))


def roster(n: int) -> Roster:
    agents = {
        f"a{i}": Agent(f"a{i}", f"Agent {i}", f"PJSIP/{1000 + i}", f"PJSIP/{1000 + i}")
        for i in range(n)
    }
    ids = list(agents)
    loops = tuple(Loop(q, q, q, f"-11{k}", agents=tuple(ids[k::4])) for k, q in enumerate(QUEUES))
    return Roster(agents, loops)


def meetings(n: int, start: datetime, rng: random.Random) -> dict[str, BusyInterval]:
    plan = {}
    for i in range(n):
        begin = start + timedelta(seconds=rng.randint(15, 40))
        plan[f"a{i}"] = BusyInterval(begin, begin + timedelta(seconds=rng.randint(5, 12)))
    return plan


async def run_engine(
    design: str, n: int, seed: int, folder: Path
) -> tuple[list[float], list[float], int]:
    receiver, sender = multiprocessing.Pipe(duplex=False)
    stamps_file = folder / f"stamps-{design}.json"
    run_s = 60.0
    sim = multiprocessing.get_context("fork").Process(
        target=serve, args=(sender, run_s, str(stamps_file))
    )
    sim.start()
    port = receiver.recv()
    # Steady state: the engine starts with empty calendars and logs everyone in; only then
    # does a calendar poll bring the meetings, which start 15-40 s after that poll.
    paths = {f"a{i}": folder / f"{design}-a{i}.ics" for i in range(n)}
    calendars = []
    pool = ParsePool(workers=2)
    for agent_id, path in paths.items():
        path.write_text(outlook_ics([]))
        calendars.append(PolledCalendar(agent_id, "ics", ics_fetch(str(path), OSLO, pool=pool)))

    def clock() -> datetime:
        return datetime.now(UTC)

    presence = CalendarPresence(calendars, clock, poll_interval_s=3600.0)
    await presence.refresh_all()
    router = (Router if design == "scheduled" else PollOnlyRouter)(roster(n), presence, clock)
    client = AmiClient(
        AmiSettings("127.0.0.1", port, "bench", "bench"), router.on_event, router.on_connected
    )
    router.attach(client)
    if design == "poll-only":
        ticker = asyncio.create_task(_poll_wakes(router))
    tasks = [
        asyncio.create_task(client.run()),
        asyncio.create_task(router.run()),
    ]
    began = time.perf_counter()
    while sum(len(loop.members) for loop in router.state.loops.values()) < n:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    startup_s = time.perf_counter() - began
    start = datetime.now(UTC).replace(microsecond=0)
    plan = meetings(n, start, random.Random(seed))
    for agent_id, meeting in plan.items():
        paths[agent_id].write_text(outlook_ics([meeting]))
    fetches_before = time.perf_counter()
    await presence.refresh_all()  # the poll that brings the meetings
    first_cycle_s = time.perf_counter() - fetches_before
    poller = asyncio.create_task(_poll(presence, 10.0))
    tasks.append(poller)
    await asyncio.sleep(run_s - 5)
    if design == "poll-only":
        ticker.cancel()
    await client.stop()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    pool.close()
    sim.join(30)
    stamps = json.loads(stamps_file.read_text())
    on: list[float] = []
    off: list[float] = []
    for at, interface, paused in stamps:
        agent_id = f"a{int(interface.split('/')[1]) - 1000}"
        meeting = plan[agent_id]
        edge = meeting.start if paused == "true" else meeting.end
        (on if paused == "true" else off).append(at - edge.timestamp())
    print(
        f"  {design}: start-up (all {n} logged in) {startup_s:.2f} s; the calendar poll of "
        f"{n} ICS files that brought the meetings took {first_cycle_s:.2f} s"
    )
    return on, off, len(calendars)


async def _poll(presence: CalendarPresence, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        await presence.refresh_all()


async def _poll_wakes(router: Router) -> None:
    # The poll-only design: re-decide every poll interval, whatever the calendars say.
    while True:
        await asyncio.sleep(10.0)
        router.wake()


def graph_requests(n: int) -> tuple[int, int]:
    """Requests per cycle for n Graph mailboxes: first (full sync) and steady (delta)."""
    count = 0

    def graph(request: httpx.Request) -> httpx.Response:
        nonlocal count
        count += 1
        return httpx.Response(
            200, json={"@odata.deltaLink": f"{request.url}&$deltatoken=x", "value": []}
        )

    async def token() -> str:
        return "t"

    async def main() -> tuple[int, int]:
        nonlocal count
        http = httpx.AsyncClient(transport=httpx.MockTransport(graph))
        cals = [GraphCalendar(f"u{i}@example.org", http, token, OSLO) for i in range(n)]
        now = datetime.now(UTC)
        await asyncio.gather(*(c.fetch(now, now + timedelta(hours=36)) for c in cals))
        first, count = count, 0
        await asyncio.gather(*(c.fetch(now, now + timedelta(hours=36)) for c in cals))
        return first, count

    return asyncio.run(main())


def ews_requests(n: int) -> int:
    """GetUserAvailability requests for one free/busy cycle over n mailboxes."""
    import re

    import requests_mock
    from exchangelib import Version
    from exchangelib.version import EXCHANGE_2016

    from switchboard.presence.ews_freebusy import EwsFreeBusy
    from switchboard.presence.ews_source import ews_account

    endpoint = "https://mail.example.org/EWS/Exchange.asmx"
    empty = (
        '<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Success"><m:ResponseCode>NoError'
        "</m:ResponseCode></m:ResponseMessage><m:FreeBusyView/></m:FreeBusyResponse>"
    )

    def answer(request: Any, context: Any) -> str:
        count = len(re.findall(r"<t:Address>", request.body.decode()))
        return (
            '<?xml version="1.0" encoding="utf-8"?><s:Envelope '
            'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            '<m:GetUserAvailabilityResponse xmlns:m="http://schemas.microsoft.com/exchange/'
            'services/2006/messages"><m:FreeBusyResponseArray>'
            + empty * count
            + "</m:FreeBusyResponseArray></m:GetUserAvailabilityResponse></s:Body></s:Envelope>"
        )

    with requests_mock.Mocker() as mock:
        mock.post(endpoint, text=answer)
        account = ews_account(
            "svc@example.org", endpoint, "svc", "pw", version=Version(build=EXCHANGE_2016)
        )
        batch = EwsFreeBusy(account.protocol, [f"u{i}@example.org" for i in range(n)], OSLO)
        now = datetime.now(UTC)

        async def cycle() -> None:
            await asyncio.gather(
                *(
                    batch.fetch_for(f"u{i}@example.org")(now, now + timedelta(hours=36))
                    for i in range(n)
                )
            )

        asyncio.run(cycle())
        return batch.requests


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        for design in ("scheduled", "poll-only"):
            on, off, n = asyncio.run(run_engine(design, args.agents, args.seed, Path(tmp)))
            results[design] = (on, off)
            print(
                f"{design:>10}: pauses {len(on)}/{n}: p50 {pct(on, 0.5):.3f} s, "
                f"p99 {pct(on, 0.99):.3f} s; unpauses {len(off)}/{n}: "
                f"p50 {pct(off, 0.5):.3f} s, p99 {pct(off, 0.99):.3f} s"
            )
    sched = results["scheduled"][0] + results["scheduled"][1]
    poll = results["poll-only"][0] + results["poll-only"][1]
    print("  (counts below n: the transition's next poll fell after the 55 s run, so never sent)")
    print(
        f"p99 latency scheduled {pct(sched, 0.99):.3f} s vs poll-only {pct(poll, 0.99):.3f} s: "
        f"{pct(poll, 0.99) / pct(sched, 0.99):.1f}x better (goal: p99 <= 1 s); "
        f"median {statistics.median(sched):.3f} s"
    )
    first, steady = graph_requests(args.agents)
    print(f"calendar requests per sync cycle for {args.agents} mailboxes:")
    print(f"  ICS file/URL : {args.agents} (one fetch per calendar, every cycle)")
    print(f"  CalDAV       : {args.agents} (one REPORT per calendar, every cycle)")
    print(
        f"  Graph        : {first} on the first cycle (full sync), {steady} per later cycle (delta)"
    )
    print(f"  EWS free/busy: {ews_requests(args.agents)} GetUserAvailability (100 mailboxes each)")
    print(f"  EWS view     : {args.agents} FindItem (one calendar view per mailbox)")


if __name__ == "__main__":
    main()
