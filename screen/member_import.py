"""Members from a register's CSV export into the embedded directory: row by row, with reasons.

Columns: member_id, member_number, name, phone, email, address, returned_magazine, fnr.
A row with a problem is skipped and reported by line; the numbers are never echoed.
"""

from __future__ import annotations

import csv
import io

from screen.fnr import check_fnr, is_placeholder
from screen.member import Member

COLUMNS = (
    "member_id", "member_number", "name", "phone", "email", "address", "returned_magazine", "fnr",
)  # fmt: skip
TRUE = frozenset({"1", "true", "yes", "ja", "x"})


def read_members(
    text: str, source: str, placeholders: frozenset[str]
) -> tuple[list[tuple[Member, str]], list[str]]:
    """(member, fnr) pairs to add, and one line per skipped row saying why."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or ())]
    if missing:
        return [], [f"{source}:1: missing column(s): {', '.join(missing)}"]
    members: list[tuple[Member, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num

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
