"""The largest calendar the engine accepts: time and peak memory of one read.

A 19 MiB Outlook-style export (years of meetings with long folded descriptions, a few
hundred weekly series, Windows zone names) is read for a 36-hour window, in a fresh worker
process as the engine does, several rounds; the figures are the median and the worst.
Goal (issue 12): at most 10 s and 200 MB per read of the largest accepted file.

    .venv/bin/python bench/large_calendar.py [--mib 19] [--rounds 3]
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from switchboard.presence.parse_pool import ReadJob, read  # noqa: E402

OSLO = ZoneInfo("Europe/Oslo")


def outlook_export(path: Path, mib: int, now: datetime) -> int:
    rng = random.Random(12)
    first = now - timedelta(days=8 * 365)
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. " * 6
    events = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0//EN\r\n")
        out.write("VERSION:2.0\r\n")
        while out.tell() < (mib << 20) - 4096:
            start = first + timedelta(minutes=30 * rng.randrange(0, 8 * 365 * 48))
            start = start.astimezone(OSLO).replace(tzinfo=None)
            description = "DESCRIPTION:" + text
            folded = "\r\n ".join(description[i : i + 74] for i in range(0, len(description), 74))
            lines = [
                "BEGIN:VEVENT",
                f"UID:040000008200E00074C5B7101A82E008{events:016d}",
                "SUMMARY:Project meeting",
                folded,
                f"DTSTART;TZID=W. Europe Standard Time:{start:%Y%m%dT%H%M%S}",
                f"DTEND;TZID=W. Europe Standard Time:{start + timedelta(hours=1):%Y%m%dT%H%M%S}",
                "LOCATION:Room 4",
                "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
                "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
            ]
            if events % 200 == 0:
                lines.append("RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20991231T000000Z")
            lines.append("END:VEVENT")
            out.write("\r\n".join(lines) + "\r\n")
            events += 1
        out.write("END:VCALENDAR\r\n")
    return events


def one_read(path: str, now: datetime, out: multiprocessing.connection.Connection) -> None:
    began = time.perf_counter()
    result = read(ReadJob(now - timedelta(hours=1), now + timedelta(hours=36), OSLO, path=path))
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.send((seconds, peak_mb, len(result.events), len(result.problems)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=19)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)
    context = multiprocessing.get_context("forkserver")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.ics"
        events = outlook_export(path, args.mib, now)
        size = path.stat().st_size / (1 << 20)
        print(f"calendar: {size:.1f} MiB, {events} events (every 200th a weekly series)")
        # The baseline in the same run: a worker that starts and reads an empty calendar.
        empty = Path(folder) / "empty.ics"
        empty.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")
        figures = {}
        for name, target in (("empty", empty), ("large", path)):
            rounds = []
            for _ in range(args.rounds):
                receiver, sender = context.Pipe(duplex=False)
                worker = context.Process(target=one_read, args=(str(target), now, sender))
                worker.start()
                rounds.append(receiver.recv())
                worker.join()
            figures[name] = rounds
        base_mb = statistics.median(r[1] for r in figures["empty"])
        large = figures["large"]
        print(
            f"read of the window: median {statistics.median(r[0] for r in large):.2f} s, "
            f"worst {max(r[0] for r in large):.2f} s (goal <= 10 s)"
        )
        print(
            f"peak memory of the reader: median {statistics.median(r[1] for r in large):.0f} MB, "
            f"worst {max(r[1] for r in large):.0f} MB (goal <= 200 MB; an idle reader: "
            f"{base_mb:.0f} MB)"
        )
        print(f"events in the window: {large[0][2]}, problems: {large[0][3]}")


if __name__ == "__main__":
    main()
