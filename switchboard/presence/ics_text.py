"""iCalendar text -> components (RFC 5545 3.1), lenient where real exports are.

Real files come as UTF-8, UTF-16 with or without a byte-order mark (Outlook's "Save as"), and
with CRLF, LF or CR-only line ends; all are read. A line that is not a content line damages
only the component it sits in. Nothing here quotes the file back: a line may be a subject.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field


class CalendarError(ValueError):
    """The calendar as a whole cannot be read; the message says why, in an admin's words."""


@dataclass(frozen=True, slots=True)
class Prop:
    """One content line: NAME;PARAM=value:VALUE (names upper-cased, values raw)."""

    name: str
    params: dict[str, str]
    value: str


@dataclass(slots=True)
class Component:
    name: str
    line: int  # where its BEGIN is, 1-based, for reports
    props: list[Prop] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)
    damage: str = ""  # why it cannot be trusted (a line that could not be read, cut off)

    def get(self, name: str) -> Prop | None:
        for prop in self.props:
            if prop.name == name:
                return prop
        return None

    def all(self, name: str) -> list[Prop]:
        return [p for p in self.props if p.name == name]


def decode(data: bytes | str) -> str:
    """Text with LF line ends, whatever encoding and line ends the exporter chose."""
    if isinstance(data, bytes):
        data = _decode_bytes(data)
    if data.startswith("\ufeff"):
        data = data[1:]
    return data.replace("\r\n", "\n").replace("\r", "\n")


def _decode_bytes(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    head = data[:64]
    if len(head) >= 4 and head.count(0) >= len(head) // 3:
        # UTF-16 without a mark: "B\0E\0G\0..." (little-endian) or "\0B\0E..." (big-endian).
        zeros_odd = head[1::2].count(0)
        zeros_even = head[0::2].count(0)
        encoding = "utf-16-le" if zeros_odd > zeros_even else "utf-16-be"
        return data.decode(encoding, errors="replace")
    # Undecodable bytes sit in free text (subjects, descriptions) in every case seen; the
    # properties the engine reads are ASCII, so a replacement character loses nothing.
    return data.decode("utf-8", errors="replace")


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Unfolded lines (RFC 5545 3.1) with the number of the physical line each starts on."""
    current, start = "", 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw[:1] in (" ", "\t") and start:
            current += raw[1:]
            continue
        if start and current:
            yield start, current
        current, start = raw, number
    if start and current:
        yield start, current


_NAME = re.compile(r"[A-Za-z0-9-]+")


def parse_line(line: str) -> Prop | None:
    """A content line, or None when it is not one (no name, or no ':' before the value)."""
    match = _NAME.match(line)
    if match is None:
        return None
    name = match.group().upper()
    i, n = match.end(), len(line)
    params: dict[str, str] = {}
    while i < n and line[i] == ";":
        eq = line.find("=", i + 1)
        if eq < 0:
            return None
        key = line[i + 1 : eq].strip().upper()
        i = eq + 1
        values: list[str] = []
        while True:
            if i < n and line[i] == '"':
                close = line.find('"', i + 1)
                if close < 0:
                    return None
                values.append(line[i + 1 : close])
                i = close + 1
                # Outlook writes TZID="(UTC+01:00) Oslo":... ; anything up to ; or : after the
                # closing quote is a stray suffix: it is dropped, the quoted name is the value.
                while i < n and line[i] not in ";:,":
                    i += 1
            else:
                j = i
                while j < n and line[j] not in ";:,":
                    j += 1
                values.append(line[i:j].strip())
                i = j
            if i < n and line[i] == ",":
                i += 1
                continue
            break
        params[key] = ",".join(values)
    if i >= n or line[i] != ":":
        return None
    return Prop(name, params, line[i + 1 :])


def components(
    text: str,
    only: frozenset[str] | None = None,
    root: list[Prop] | None = None,
    keep: frozenset[str] | None = None,
) -> Iterator[Component]:
    """The components directly inside VCALENDAR, one at a time (memory stays per event).

    `only` limits which top-level components are built at all (the others are only skipped);
    `root`, when given, receives the calendar's own properties (X-WR-TIMEZONE and the like);
    `keep` names the only properties read at all: the rest (descriptions, attendees, the
    subject) are passed over unread, which is both faster and private by construction.
    Raises CalendarError when the text is not a calendar at all.
    """
    lines = logical_lines(text)
    for _, line in lines:
        if not line.strip():
            continue
        if line.strip().upper() == "BEGIN:VCALENDAR":
            break
        raise CalendarError(_not_a_calendar(line))
    else:
        raise CalendarError("not an iCalendar file: it is empty")
    stack: list[Component] = []
    skipping = ""  # a top-level component that `only` leaves out
    depth = 0
    ended = False
    for number, line in lines:
        upper = line[:20].upper()
        if skipping:
            if upper.startswith("BEGIN:"):
                depth += 1
            elif upper.startswith("END:"):
                depth -= 1
                if depth == 0:
                    skipping = ""
            continue
        if upper.startswith("BEGIN:"):
            name = line[6:].strip().upper()
            if not stack and only is not None and name not in only:
                skipping, depth = name, 1
                continue
            component = Component(name, number)
            if stack:
                stack[-1].children.append(component)
            stack.append(component)
        elif upper.startswith("END:"):
            name = line[4:].strip().upper()
            if not stack:
                if name == "VCALENDAR":
                    ended = True
                    break
                continue  # a stray END outside any component: harmless
            names = [c.name for c in stack]
            if name not in names:
                stack[-1].damage = stack[-1].damage or f"line {number} ends a {name} never begun"
                continue
            while stack:
                top = stack.pop()
                if top.name != name:
                    top.damage = top.damage or f"{top.name} not closed"
                    continue
                break
            if not stack:
                yield top
        elif not stack:
            if root is not None and (prop := parse_line(line)) is not None:
                root.append(prop)
        else:
            if keep is not None:
                name_match = _NAME.match(line)
                if name_match is None or name_match.group().upper() not in keep:
                    continue
            elif not line.strip():
                continue
            prop = parse_line(line)
            if prop is None:
                stack[-1].damage = stack[-1].damage or f"line {number} cannot be read"
            else:
                stack[-1].props.append(prop)
    if stack:
        top = stack[0]
        top.damage = "the file ends inside it (cut off?)"
        yield top
    elif not ended:
        # Cut off between components: what came before is complete, and kept.
        return


def _not_a_calendar(first_line: str) -> str:
    head = first_line.lstrip().lower()
    if head.startswith(("<!doctype", "<html", "<?xml", "<")):
        return (
            "not an iCalendar file: it is an HTML or XML page (a sign-in or error page?); "
            "check that the address is the calendar's published ICS link"
        )
    if "\ufffd" in first_line or any(ord(c) < 32 and c != "\t" for c in first_line):
        return "not an iCalendar file: it is binary data, not text"
    if head.startswith("begin:vcard"):
        return "not an iCalendar file: it is a vCard (contacts), not a calendar"
    return "not an iCalendar file: it does not begin with BEGIN:VCALENDAR"
