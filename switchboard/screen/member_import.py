"""Members from a register's CSV export into the embedded directory: row by row, with reasons.

Columns: member_id, member_number, name, phone, email, address, returned_magazine, fnr.
A row with a problem is skipped and reported by line; the numbers are never echoed.
Exports come as Excel writes them: comma or semicolon (Norwegian Excel's default) or tab,
UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator

from switchboard.screen.fnr import check_fnr, is_placeholder
from switchboard.screen.member import Member

COLUMNS = (
    "member_id", "member_number", "name", "phone", "email", "address", "returned_magazine", "fnr",
)  # fmt: skip
TRUE = frozenset({"1", "true", "yes", "ja", "x"})
# Longest sensible value per column; a longer one is a broken row, not a member.
MAX_LENGTH = {
    "member_id": 64, "member_number": 20, "name": 200, "phone": 32, "email": 254,
    "address": 500, "returned_magazine": 10, "fnr": 20,
}  # fmt: skip
DELIMITERS = (",", ";", "\t")


class ExportError(ValueError):
    """The file as a whole cannot be read as an export (one line for the admin)."""


def decode_export(raw: bytes) -> tuple[str, str]:
    """The text of an export and the encoding it was read as."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    if b"\x00" in raw[:4096]:
        raise ExportError(
            "this is not a text file (fix: save it from Excel as CSV UTF-8 (comma delimited))"
        )
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        raise ExportError(
            "the file is neither UTF-8 nor Windows-1252 (fix: save it from Excel as "
            "CSV UTF-8 (comma delimited))"
        ) from None


def delimiter_of(header: str) -> str:
    """The delimiter that splits the header into the most known columns."""
    names = set(COLUMNS)
    return max(
        DELIMITERS,
        key=lambda d: sum(part.strip().strip('"').lower() in names for part in header.split(d)),
    )


@contextlib.contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    # The csv module's own limit (128 KB) aborts the whole file at one long field; ours
    # skips just that row, so the module may read up to the size of the file.
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def read_members(
    text: str, source: str, placeholders: frozenset[str]
) -> tuple[list[tuple[Member, str]], list[str]]:
    """(member, fnr) pairs to add, and one line per skipped row saying why."""
    with _field_limit(max(len(text), 1)):
        return _read(text, source, placeholders)


def _rows(
    reader: csv.DictReader[str], source: str, problems: list[str]
) -> Iterator[dict[str, str | None]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as bad:
            problems.append(f"{source}:{reader.line_num}: not readable as CSV ({bad}); row skipped")
            continue
        yield row


def _read(
    text: str, source: str, placeholders: frozenset[str]
) -> tuple[list[tuple[Member, str]], list[str]]:
    header = text.split("\n", 1)[0]
    delimiter = delimiter_of(header)
    # newline="": the csv module sees line ends as written (a lone CR included).
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = [(f or "").strip().lower() for f in reader.fieldnames or ()]
    except csv.Error as bad:  # found by the fuzz test: a header the csv module refuses
        return [], [f"{source}:1: the first line is not readable as CSV ({bad})"]
    reader.fieldnames = fieldnames
    missing = [c for c in COLUMNS if c not in fieldnames]
    if missing:
        shown = {",": "comma", ";": "semicolon", "\t": "tab"}[delimiter]
        return [], [
            f"{source}:1: missing column(s): {', '.join(missing)} (read as {shown}-separated; "
            f"the first line must name the columns: {','.join(COLUMNS)})"
        ]
    members: list[tuple[Member, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for row in _rows(reader, source, problems):
        line = reader.line_num
        too_long = next((c for c in COLUMNS if len(row.get(c) or "") > MAX_LENGTH[c]), None)
        if too_long is not None:
            problems.append(
                f"{source}:{line}: {too_long} is {len(row.get(too_long) or ''):,} characters "
                f"(at most {MAX_LENGTH[too_long]}); row skipped"
            )
            continue

        def field(name: str, row: dict[str, str | None] = row) -> str:
            return (row.get(name) or "").strip()

        member_id, number, fnr = field("member_id"), field("member_number"), field("fnr")
        why = ""
        if not member_id or not number or not field("name"):
            why = "member_id, member_number and name are required"
        elif not number.isdigit():
            why = "member_number must be digits"
        elif member_id in seen:
            why = f"member_id {member_id!r} appears twice"
        elif not is_placeholder(fnr, placeholders) and not (verdict := check_fnr(fnr)).ok:
            why = f"fnr: {verdict.problem}"
        if why:
            problems.append(f"{source}:{line}: {why}; row skipped")
            continue
        seen.add(member_id)
        member = Member(
            member_id,
            number.lstrip("0") or "0",
            field("name"),
            field("phone"),
            field("email"),
            field("address"),
            field("returned_magazine").lower() in TRUE,
        )
        members.append((member, "".join(c for c in fnr if c.isdigit())))
    return members, problems
