"""Reports over a year of data, through the commands users run: ingest and a quarter report.

Writes one year of app_queue's queue_log for an office of --agents agents in three loops
(business days 08:00-15:30; about 1.65 M lines for 300 agents), then, for SQLite and for a
real PostgreSQL server (Debian's, on a private socket as the tests start it):
  ingest   `switchboard reports-read -c CONFIG` as its own process: lines per second
  report   `switchboard report -c CONFIG --period quarter --count 1 --end D` as its own
           process, --rounds times: wall time (median, min-max) and peak RSS; its RSS
           growth is against the same command for a day without calls (process, config,
           database connection and nothing to count)
  baseline the previous design in this process, once: every stored line read back and
           folded (tests/reports/fold.py), what each /reports request did before; the
           ratio is baseline / report

    .venv/bin/python bench/reports_year.py                    (300 agents, a year)
    .venv/bin/python bench/reports_year.py --agents 50 --days 30 --rounds 1   (a quick look)
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchboard.examples import EXAMPLE_CONFIG  # noqa: E402
from switchboard.reports import store  # noqa: E402
from switchboard.reports.figures import Period  # noqa: E402
from tests.reports.fold import figures  # noqa: E402
from tests.support.postgres_server import postgres_server  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")
QUEUES = ("loop1", "loop2", "loop3")
SWITCHBOARD = str(Path(sys.executable).with_name("switchboard"))


def year_of_lines(path: Path, agents: int, first: date, days: int, seed: int = 7) -> int:
    """app_queue's lines for `days` from `first`: six calls a day per agent, a quarter of
    them rung out once, some abandoned, some moved on; members paused for lunch."""
    rng = random.Random(seed)
    names = [f"Agent {i:04d}" for i in range(agents)]
    n = 0
    call = 0
    with path.open("w", encoding="utf-8") as f:
        f.write(f"{int(datetime.combine(first, datetime.min.time(), OSLO).timestamp())}"
                "|NONE|NONE|NONE|QUEUESTART|\n")  # fmt: skip
        for d in range(days):
            day = first + timedelta(days=d)
            if day.weekday() >= 5:
                continue
            opens = int(datetime(day.year, day.month, day.day, 8, tzinfo=OSLO).timestamp())
            rows: list[tuple[int, str]] = []
            for name in names:
                lunch = opens + rng.randrange(3 * 3600, 5 * 3600)
                for queue in QUEUES:
                    rows.append((lunch, f"{lunch}|NONE|{queue}|{name}|PAUSE|lunch"))
                    rows.append((lunch + 1800, f"{lunch + 1800}|NONE|{queue}|{name}|UNPAUSE|"))
            for _ in range(agents * 6):
                call += 1
                t = opens + rng.randrange(int(7.5 * 3600))
                cid = f"{t}.{call}"
                q = rng.choice(QUEUES)
                rows.append((t, f"{t}|{cid}|{q}|NONE|ENTERQUEUE||+4790{call % 10**6:06d}|1"))
                wait = int(rng.expovariate(1 / 25))
                fate = rng.random()
                agent = rng.choice(names)
                if fate < 0.25:
                    rows.append((t + 15, f"{t + 15}|{cid}|{q}|{agent}|RINGNOANSWER|15000"))
                if fate < 0.82:
                    talk = int(rng.expovariate(1 / 240))
                    rows.append((t + wait, f"{t + wait}|{cid}|{q}|{agent}|CONNECT|{wait}|x|3"))
                    end = t + wait + talk
                    rows.append((end, f"{end}|{cid}|{q}|{agent}|COMPLETECALLER|{wait}|{talk}|1"))
                elif fate < 0.92:
                    rows.append((t + wait, f"{t + wait}|{cid}|{q}|NONE|ABANDON|1|1|{wait}"))
                else:
                    rows.append((t + wait, f"{t + wait}|{cid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}"))
            rows.sort(key=lambda r: r[0])
            f.writelines(text + "\n" for _, text in rows)
            n += len(rows)
    return n


def peak_rss(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS MiB) of one process (its own rusage, not the children's maximum)."""
    started = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    took = time.perf_counter() - started
    if status:
        raise RuntimeError(
            f"{args[1]} failed: {p.stderr.read().decode()[-2000:] if p.stderr else ''}"
        )
    return took, usage.ru_maxrss / 1024


def config_for(folder: Path, url: str, log: Path) -> Path:
    config = folder / f"sb-{url.split(':')[0]}.yaml"
    config.write_text(
        EXAMPLE_CONFIG.read_text()
        + f"\nreports: {{database: '{url}', queue_log: '{log}', keep_days: 3650}}\n"
    )
    return config


def measure(name: str, url: str, folder: Path, log: Path, lines: int, quarter_end: date,
            quiet_day: date, rounds: int) -> dict[str, float]:  # fmt: skip
    config = config_for(folder, url, log)
    took, _ = peak_rss([SWITCHBOARD, "reports-read", "-c", str(config)])
    out: dict[str, float] = {"ingest_s": took, "ingest_lines_per_s": lines / took}
    report = [SWITCHBOARD, "report", "-c", str(config), "--period", "quarter", "--count", "1"]
    times, rss, floors = [], [], []
    for _ in range(rounds):
        t, r = peak_rss([*report, "--end", quarter_end.isoformat()])
        times.append(t)
        rss.append(r)
        _, floor = peak_rss([SWITCHBOARD, "report", "-c", str(config), "--period", "day",
                             "--count", "1", "--end", quiet_day.isoformat()])  # fmt: skip
        floors.append(floor)
    out |= {
        "report_s": statistics.median(times), "report_min": min(times), "report_max": max(times),
        "report_rss_mib": statistics.median(rss),
        "rss_growth_mib": statistics.median(r - f for r, f in zip(rss, floors, strict=True)),
    }  # fmt: skip
    # In a process of its own: it takes gigabytes, and a process forked from one that
    # held them reports them as its own peak (Linux keeps the old peak across exec).
    got = subprocess.run(
        [sys.executable, __file__, "--baseline-of", url], capture_output=True, text=True, check=True
    )
    out["baseline_s"] = float(got.stdout.strip().splitlines()[-1])
    print(f"  {name}: ingest {out['ingest_lines_per_s']:,.0f} lines/s ({took:.1f} s); "
          f"quarter report {out['report_s']:.2f} s (min {out['report_min']:.2f}, "
          f"max {out['report_max']:.2f}), RSS {out['report_rss_mib']:.0f} MiB, growth "
          f"{out['rss_growth_mib']:.0f} MiB over a quiet day's report; previous design "
          f"{out['baseline_s']:.1f} s in-process "
          f"(ratio {out['baseline_s'] / out['report_s']:.1f}x)",
          flush=True)  # fmt: skip
    return out


def baseline(url: str) -> float:
    """The previous design's cost: every stored line read back and folded."""
    engine = store.connect(url)
    started = time.perf_counter()
    figures(store.lines(engine), store.outcomes(engine), Period.QUARTER, OSLO)
    took = time.perf_counter() - started
    engine.dispose()
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3, help="report runs per database")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--baseline-of", help=argparse.SUPPRESS)  # (the child's own run)
    a = parser.parse_args()
    if a.baseline_of:
        print(baseline(a.baseline_of))
        return
    first = date(2026, 1, 1)
    with tempfile.TemporaryDirectory(prefix="sb-year-") as tmp:
        folder = Path(tmp)
        log = folder / "queue_log"
        started = time.perf_counter()
        lines = year_of_lines(log, a.agents, first, a.days)
        print(f"{lines:,} queue_log lines for {a.agents} agents over {a.days} days "
              f"({log.stat().st_size / 2**20:.0f} MiB, written in "
              f"{time.perf_counter() - started:.0f} s); load {os.getloadavg()[0]:.1f}",
              flush=True)  # fmt: skip
        last = first + timedelta(days=a.days - 1)
        quarter_end = min(last, date(first.year, 6, 30))  # the second quarter, or what there is
        quiet_day = first - timedelta(days=1)  # before the first line
        kinds = a.databases.split(",")
        if "sqlite" in kinds:
            measure("SQLite", f"sqlite:///{folder / 'reports.db'}", folder, log, lines,
                    quarter_end, quiet_day, a.rounds)  # fmt: skip
        if "postgresql" in kinds:
            with postgres_server() as pg:
                measure("PostgreSQL", pg.url, folder, log, lines, quarter_end, quiet_day,
                        a.rounds)  # fmt: skip
        print(f"load {os.getloadavg()[0]:.1f} at the end; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
