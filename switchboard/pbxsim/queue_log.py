"""The simulator's queue_log: the file Asterisk's app_queue writes, line for line.

main/logger.c `ast_queue_log` writes `epoch|callid|queuename|agent|event|` and then the
event's data, already joined by `|` in app_queue.c's format strings, and flushes each
line. Opening the log writes `NONE|NONE|NONE|QUEUESTART|` first (logger_queue_start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TextIO


class QueueLogFile:
    """Appends queue_log lines to a file, flushed at once as Asterisk does."""

    def __init__(self, path: Path, now: float) -> None:
        self.path = path
        self._file: TextIO = path.open("a", encoding="utf-8")
        self.write(now, "NONE", "NONE", "NONE", "QUEUESTART", "")

    def write(
        self, now: float, queue: str, callid: str, agent: str, event: str, *data: object
    ) -> None:
        self._file.write(f"{int(now)}|{callid}|{queue}|{agent}|{event}|")
        self._file.write("|".join(str(d) for d in data) + "\n")
        self._file.flush()

    def close(self) -> None:
        self._file.close()
