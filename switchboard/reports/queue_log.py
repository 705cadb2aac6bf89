"""Asterisk's queue_log, line by line: `epoch|callid|queue|agent|verb|data1|data2|...`.

The verbs and their data fields are app_queue.c's own (Asterisk 22, `ast_queue_log`
calls): ENTERQUEUE url|callerid|position, CONNECT holdtime|bridged channel|ringtime,
COMPLETEAGENT / COMPLETECALLER holdtime|talktime|position, ABANDON position|origposition|
waittime, EXITWITHTIMEOUT / EXITEMPTY position|origposition|waittime, EXITWITHKEY key|
position|origposition|waittime, WITHDRAW position|origposition|waittime|info,
RINGNOANSWER ringtime(ms), and the member verbs (ADDMEMBER, PAUSE, ...).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QueueLogLine:
    time: int
    callid: str
    queue: str
    agent: str
    verb: str
    data: tuple[str, ...]

    def number(self, index: int) -> int:
        """Data field `index` as a whole number: one to nine ASCII digits, else 0 (the
        database applies the same rule: migrations/versions/0003)."""
        return as_number(self.data[index] if index < len(self.data) else "")


def as_number(text: str) -> int:
    """One to nine ASCII digits as their number, anything else 0."""
    return int(text) if 0 < len(text) <= 9 and text.isascii() and text.isdigit() else 0


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    problem: str  # never quotes the line: ENTERQUEUE carries the caller's number


def parse(lines: Iterable[str], first_line: int = 1) -> Iterator[QueueLogLine | BadLine]:
    for n, raw in enumerate(lines, first_line):
        text = raw.rstrip("\r\n")
        if not text.strip():
            continue
        parts = text.split("|")
        if len(parts) < 5:
            yield BadLine(n, f"line {n}: fewer than five |-separated fields")
            continue
        epoch, callid, queue, agent, verb, *data = parts
        if not epoch.isdigit():
            yield BadLine(n, f"line {n}: the time is not an epoch")
            continue
        if not verb.isupper() or not verb.replace("_", "").isalnum():
            yield BadLine(n, f"line {n}: no event name in the fifth field")
            continue
        yield QueueLogLine(int(epoch), callid, queue, agent, verb, tuple(data))
