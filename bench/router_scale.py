"""Router at scale: start-up, boundary -> QueuePause, CPU, /metrics, Asterisk restart, RSS.

The PBX simulator runs in its own process (with 20 calls/s of background callers) and
stamps every action it receives; the engine (router + AMI client, in-memory calendars)
runs in this process, so `time.process_time()` here is the engine's CPU alone. Two designs
in the same run, each in a fresh simulator:
  incremental - what ships: a pass decides only what changed, actions pipelined (64)
  full        - the previous design: every member event wakes a pass that recomputes
                every member, and actions are sent one at a time, each awaiting its reply
Phases per design: start-up (every member logged in), 20 s of traffic (CPU, /metrics),
meetings that start and end after start-up (boundary -> QueuePause on the wire), two
Asterisk restarts (connection dropped; time from the new login to every membership
correct): one where app_queue reloads the memberships from AstDB (persistentmembers, its
default) and a tenth of the agents went into a meeting meanwhile, one where every
membership is lost; and an RSS watch over --soak seconds of traffic. A design that does
not log everyone in within 120 s is reported as such and its other phases skipped.

Each design runs --rounds times (interleaved) and every figure is the median, with its
spread (RSS after start-up is the first round's: the process keeps what earlier rounds
took from the system, so later rounds and the soak start higher); the share of CPU the
host gave to other machines during the meetings is printed too (on a shared machine it
decides the tail more than the code does).

    .venv/bin/python bench/router_scale.py --agents 10000      (3 loops: 30,000 memberships)
    .venv/bin/python bench/router_scale.py --agents 2000 --designs incremental,full
    .venv/bin/python bench/router_scale.py --agents 10000 --designs incremental --soak 600
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import multiprocessing
import random
import resource
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from prometheus_client import CollectorRegistry, generate_latest  # noqa: E402

from bench.designs import FullRecomputeRouter  # noqa: E402
from switchboard import heap  # noqa: E402
from switchboard.ami.client import AmiClient, AmiSettings  # noqa: E402
from switchboard.ops.metrics import EngineCollector, EngineView  # noqa: E402
from switchboard.ops.tally import AgentTally  # noqa: E402
from switchboard.pbxsim.server import AmiServer  # noqa: E402
from switchboard.pbxsim.traffic import Traffic, TrafficProfile  # noqa: E402
from switchboard.presence.busy import BusyInterval  # noqa: E402
from switchboard.presence.source import InMemoryPresence  # noqa: E402
from switchboard.routing.policy import OWN_REASON_PREFIX  # noqa: E402
from switchboard.routing.roster import Agent, Loop, Roster  # noqa: E402
from switchboard.routing.router import Router  # noqa: E402

QUEUES = ("loop1", "loop2", "loop3")


def simulator(pipe: Connection, calls_per_s: float) -> None:
    """The separate process: the PBX, its callers, and a stamp for every action received."""
    # (time, action, interface, paused, queue)
    stamps: list[tuple[float, str, str, str, str]] = []
    logins: list[float] = []

    class Stamping(AmiServer):
        async def _action(self, session, m):  # type: ignore[no-untyped-def]
            name = m.get("Action", "")
            if name == "Login":
                logins.append(time.time())
            elif name != "QueuePause" or m.get("Reason", "").startswith(OWN_REASON_PREFIX):
                # Every action, so a catch-up's end is seen whatever it sends last.
                stamps.append(
                    (
                        time.time(),
                        name,
                        m.get("Interface", ""),
                        m.get("Paused", ""),
                        m.get("Queue", "") or m.get("Family", ""),
                    )
                )
            return await super()._action(session, m)

    async def main() -> None:
        server = Stamping({q: "rrmemory" for q in QUEUES}, username="b", secret="b")
        server.auth_delay_s = 0.0
        await server.start()
        pipe.send(server.port)
        traffic = Traffic(
            server.pbx,
            {"1": "loop1", "2": "loop2", "3": "loop3"},
            "loop1",
            TrafficProfile(
                mean_gap_s=1 / calls_per_s,
                digits={"1": 1, "2": 1, "3": 1},
                patience_s=(20, 40),
                talk_s=(2, 6),
            ),
            random.Random(7),
        )
        running: asyncio.Task[None] | None = None
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "traffic":
                # Asterisk has no collector: the simulator's full collections (30,000 members,
                # a stamp per action) must not delay the actions it stamps.
                heap.settle()
                running = asyncio.create_task(traffic.run())
            elif command == "restart":  # persistentmembers = yes: AstDB brings them back
                server.restart()
            elif command == "restart, members lost":
                server.restart(keep_members=False)
            elif command == "members":
                members = [m for q in server.pbx.queues.values() for m in q.members.values()]
                pipe.send((len(members), sum(m.paused for m in members)))
            elif command == "stamps":
                pipe.send((stamps, logins))
                heap.settle()
            elif command == "stop":
                if running is not None:
                    running.cancel()
                    await asyncio.gather(running, return_exceptions=True)
                await server.close()
                return

    asyncio.run(main())


def roster(n: int) -> Roster:
    agents = {
        f"a{i}": Agent(f"a{i}", f"Agent {i}", f"PJSIP/{10000 + i}", f"PJSIP/{10000 + i}")
        for i in range(n)
    }
    ids = tuple(agents)
    # Every agent in every loop: n x 3 memberships.
    loops = tuple(Loop(q, q, q, f"-11{k}", agents=ids) for k, q in enumerate(QUEUES))
    return Roster(agents, loops)


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def cpu_ticks() -> tuple[int, int]:
    """The machine's CPU time so far and the part of it the host gave to other machines."""
    with open("/proc/stat") as stat:
        fields = [int(x) for x in stat.readline().split()[1:]]
    return sum(fields[:8]), fields[7]


def steal_pct(before: tuple[int, int], after: tuple[int, int]) -> float:
    total, stolen = after[0] - before[0], after[1] - before[1]
    return 100 * stolen / total if total else 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def scrape_ms(router: Router, client: AmiClient, rounds: int = 7) -> float:
    view = EngineView(
        roster=lambda: router.roster,
        state=lambda: router.state,
        manual=lambda: router.manual,
        ami_connected=client.connected.is_set,
        reconnects=lambda: client.reconnects,
        actions_sent=lambda: router.actions_sent,
        action_errors=lambda: router.action_errors,
        reconcile_durations=lambda: router.reconcile_durations,
        ivr_steps=lambda: {},
        calendar_health=lambda: {},
        calendar_kinds={},
        callbacks=lambda: None,
        is_leader=lambda: True,
        phones_open=lambda: None,
        clock=lambda: datetime.now(UTC),
        service_level_s=20.0,
        # The full design counted by walking every member on each scrape.
        agent_counts=(
            (lambda: tally.read(router.roster, router.state, router.manual, router.touched))
            if not isinstance(router, FullRecomputeRouter)
            else None
        ),
    )
    tally = AgentTally()
    tally.read(router.roster, router.state, router.manual, router.touched)  # the first count
    registry = CollectorRegistry()
    registry.register(EngineCollector(view))
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        generate_latest(registry)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def until(check: object, within: float, step: float = 0.02) -> float:
    started = time.perf_counter()
    while not check():  # type: ignore[operator]
        if time.perf_counter() - started > within:
            raise TimeoutError(f"not within {within:.0f} s")
        await asyncio.sleep(step)
    return time.perf_counter() - started


async def run_design(design: str, n: int, calls_per_s: float, soak_s: float) -> dict[str, object]:
    ctx = multiprocessing.get_context("fork")
    pipe, child = ctx.Pipe()
    sim = ctx.Process(target=simulator, args=(child, calls_per_s), daemon=True)
    sim.start()
    port = pipe.recv()
    out: dict[str, object] = {}
    incremental = design == "incremental"
    presence = InMemoryPresence()
    router = (Router if incremental else FullRecomputeRouter)(
        roster(n),
        presence,
        lambda: datetime.now(UTC),
        window=64 if incremental else 1,
        # What ships holds the collector while it catches up after a snapshot, as the
        # engine gives it; the previous design had the engine settle once after start-up.
        heap=heap if incremental else None,
    )
    settings = AmiSettings("127.0.0.1", port, "b", "b", action_timeout_s=30.0)
    client = AmiClient(settings, router.on_event, router.on_connected)
    router.attach(client)
    memberships = n * len(QUEUES)
    rss_before = rss_mb()
    started = time.perf_counter()
    tasks = [asyncio.create_task(client.run()), asyncio.create_task(router.run())]

    def logged_in() -> bool:
        return sum(len(loop.members) for loop in router.state.loops.values()) >= memberships

    async def finish() -> dict[str, object]:
        await client.stop()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pipe.send("stop")
        sim.join(30)
        return out

    limit = 120.0
    try:
        await until(logged_in, limit)
    except TimeoutError:
        out["start-up s"] = f"> {limit:.0f} (not all logged in)"
        return await finish()
    out["start-up s"] = time.perf_counter() - started
    if not incremental:
        heap.settle()  # as the engine did once its first pass had decided everyone
    await asyncio.sleep(1.0)
    gc.collect()
    out["rss MB"] = rss_mb()
    out["rss engine MB"] = rss_mb() - rss_before

    pipe.send("traffic")
    await asyncio.sleep(3.0)  # callers arrive and queue
    cpu0, wall0 = time.process_time(), time.perf_counter()
    await asyncio.sleep(20.0)
    out["cpu % of a core"] = 100 * (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    out["/metrics ms"] = scrape_ms(router, client)

    # Meetings for every agent, told now (a calendar poll brought them), starting 5-25 s on.
    now = datetime.now(UTC).replace(microsecond=0)
    rng = random.Random(1)
    plan = {}
    for i in range(n):
        begin = now + timedelta(seconds=rng.uniform(5, 25))
        plan[f"PJSIP/{10000 + i}"] = BusyInterval(
            begin, begin + timedelta(seconds=rng.uniform(5, 12))
        )
        presence.set(f"a{i}", [plan[f"PJSIP/{10000 + i}"]])
    ticks = cpu_ticks()
    await asyncio.sleep(45.0 if incremental else 60.0)
    out["machine: cpu stolen by the host %"] = steal_pct(ticks, cpu_ticks())
    pipe.send("stamps")
    stamps, _logins = pipe.recv()
    edges: list[float] = []  # per agent and edge: the first of their loops' pauses
    each: list[float] = []  # per membership and edge: every loop's pause
    first: set[tuple[str, str]] = set()
    seen: set[tuple[str, str, str]] = set()
    for at, action, interface, paused, queue in stamps:
        if action != "QueuePause" or interface not in plan or (interface, paused, queue) in seen:
            continue
        seen.add((interface, paused, queue))
        meeting = plan[interface]
        late = at - (meeting.start if paused == "true" else meeting.end).timestamp()
        each.append(late)
        if (interface, paused) not in first:
            first.add((interface, paused))
            edges.append(late)
    out["boundary edges seen"] = f"{len(edges)}/{2 * n}"
    out["boundary p50 ms"] = 1000 * pct(edges, 0.5)
    out["boundary p99 ms"] = 1000 * pct(edges, 0.99)
    out["boundary p99 ms, every loop"] = 1000 * pct(each, 0.99)

    # Asterisk restarts (persistentmembers = yes: app_queue reloads every membership from
    # AstDB) while a tenth of the agents went into a meeting: from the new login, the
    # engine re-reads 30,000 memberships and pauses those agents in every loop.
    pauses_before = len(stamps)
    pipe.send("restart")
    await asyncio.sleep(0.2)
    sent_at = time.time()
    now = datetime.now(UTC)
    moved = [f"a{i}" for i in range(0, n, 10)]
    for agent_id in moved:
        presence.set(agent_id, [BusyInterval(now - timedelta(seconds=1), now + timedelta(hours=1))])
    due = {f"PJSIP/{10000 + int(a[1:])}" for a in moved}

    def paused_all() -> bool:
        # Only the memberships due are looked at: a walk over all 30,000 every 20 ms took
        # a fifth of the engine's CPU, in its process, while it sent the pauses measured.
        loops = router.state.loops.values()
        return logged_in() and all(
            (m := loop.members.get(interface)) is not None and m.paused
            for loop in loops
            for interface in due
        )

    await until(paused_all, limit)
    await asyncio.sleep(0.5)
    pipe.send("stamps")
    stamps, logins = pipe.recv()
    login = min(t for t in logins if t >= sent_at)
    last_pause = max(
        at for at, action, i, p, _q in stamps[pauses_before:]
        if action == "QueuePause" and p == "true" and i in due and at >= login
    )  # fmt: skip
    out["restart: login -> all correct s"] = last_pause - login
    for agent_id in moved:
        presence.set(agent_id, [])

    # Asterisk restarts and its memberships are lost (persistentmembers = no, or AstDB
    # gone): from the new login, the engine adds all 30,000 back.
    await asyncio.sleep(3.0)
    adds_before = router.actions_sent.get("QueueAdd", 0)
    pipe.send("restart, members lost")
    await asyncio.sleep(0.2)
    sent_at = time.time()

    def rebuilt() -> bool:
        # Every membership added again (a few may survive in flight) and answered.
        again = router.actions_sent.get("QueueAdd", 0) - adds_before
        return again >= 0.99 * memberships and logged_in()

    await until(rebuilt, limit)
    await asyncio.sleep(0.5)
    pipe.send("stamps")
    stamps, logins = pipe.recv()
    login = min(t for t in logins if t >= sent_at)
    last_add = max(at for at, action, *_ in stamps if action == "QueueAdd" and at >= login)
    out["restart, members lost: login -> all added s"] = last_add - login

    if soak_s > 0:
        samples = []
        end = time.perf_counter() + soak_s
        while time.perf_counter() < end:
            await asyncio.sleep(min(10.0, soak_s / 6))
            gc.collect()
            samples.append(rss_mb())
        out["soak rss MB (start, end, max)"] = (
            f"{samples[0]:.0f}, {samples[-1]:.0f}, {max(samples):.0f} over {soak_s:.0f} s"
        )
    out["passes"] = router.passes
    out["memberships decided"] = router.decided
    return await finish()


def figure_names(runs: Iterable[dict[str, object]]) -> list[str]:
    """Every figure any run has, in the order they first appear."""
    keys: list[str] = []
    for figures in runs:
        keys += [key for key in figures if key not in keys]
    return keys


def median_of(rounds: list[dict[str, object]]) -> dict[str, object]:
    """Per figure, the median over the rounds (with the spread), or the last text."""
    out: dict[str, object] = {}
    for key in figure_names(rounds):
        values = [r[key] for r in rounds if key in r]
        numbers = [v for v in values if isinstance(v, float | int) and not isinstance(v, bool)]
        if numbers and len(numbers) == len(values):
            out[key] = float(statistics.median(numbers))
            if len(numbers) > 1:
                out[key + " (min-max)"] = f"{min(numbers):.3f}-{max(numbers):.3f}"
        else:
            out[key] = values[-1]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10_000)
    parser.add_argument("--calls-per-s", type=float, default=20.0)
    parser.add_argument("--designs", default="incremental,full")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per design (medians)")
    parser.add_argument("--soak", type=float, default=60.0, help="seconds of RSS watch")
    parser.add_argument("-v", action="store_true", help="the engine's log on stderr")
    parser.add_argument("--json", action="store_true", help="a last line of JSON (medians)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.v else logging.ERROR)
    designs = args.designs.split(",")
    rounds: dict[str, list[dict[str, object]]] = {design: [] for design in designs}
    for number in range(args.rounds):  # interleaved: the machine's mood falls on both
        for design in designs:
            # The RSS watch once, in the last round of the design that ships.
            soak = args.soak if design == "incremental" and number == args.rounds - 1 else 0.0
            figures = asyncio.run(run_design(design, args.agents, args.calls_per_s, soak))
            if number:  # (a later round's process still holds the heap of the earlier ones)
                figures = {k: v for k, v in figures.items() if not k.startswith("rss ")}
            rounds[design].append(figures)
    results = {design: median_of(figures) for design, figures in rounds.items()}
    print(
        f"{args.agents} agents x {len(QUEUES)} loops, {args.calls_per_s:g} calls/s, "
        "simulator in its own process (engine CPU measured alone); "
        f"medians of {args.rounds} round(s)"
    )
    for key in figure_names(results.values()):
        cells = []
        for design, figures in results.items():
            value = figures.get(key, "-")
            cells.append(
                f"{design}: {value:.3f}" if isinstance(value, float) else f"{design}: {value}"
            )
        print(f"  {key:<38} " + "   ".join(cells))
    if "incremental" in results and "full" in results:
        for key in ("start-up s", "cpu % of a core", "/metrics ms", "boundary p99 ms",
                    "boundary p99 ms, every loop", "restart: login -> all correct s",
                    "restart, members lost: login -> all added s"):  # fmt: skip
            a, b = results["full"].get(key), results["incremental"].get(key)
            if isinstance(a, float) and isinstance(b, float) and b > 0:
                print(f"  ratio full / incremental, {key}: {a / b:.1f}x")
    if args.json:
        print(json.dumps(results.get("incremental", {})))


if __name__ == "__main__":
    main()
