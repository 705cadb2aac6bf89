"""Which queue memberships the engine created, as recorded in Asterisk's own AstDB.

The record lives in Asterisk (family `sb-member`, key `<queue>/<interface>`, value the
agent id), so it survives an engine restart and, with `persistentmembers = yes`, an
Asterisk restart together with the memberships it describes. Only memberships found
here are the engine's to remove; everyone else in a queue was put there by someone else.
"""

from __future__ import annotations

from collections.abc import Iterable

from switchboard.ami.events import DbEntry

OWNED_FAMILY = "sb-member"

MemberKey = tuple[str, str]  # (queue, interface)


def owned_key(queue: str, interface: str) -> str:
    """The AstDB key (inside OWNED_FAMILY) recording one membership."""
    return f"{queue}/{interface}"


def read_owned(entries: Iterable[object]) -> dict[MemberKey, str]:
    """(queue, interface) -> agent id, from a DBGetTree reply of OWNED_FAMILY.

    Queue names have no slash (the config refuses one); an interface may have several
    (`Local/agent1@agents/n`), so only the first slash after the family splits.
    """
    prefix = f"/{OWNED_FAMILY}/"
    owned: dict[MemberKey, str] = {}
    for entry in entries:
        if isinstance(entry, DbEntry) and entry.key.startswith(prefix):
            queue, slash, interface = entry.key.removeprefix(prefix).partition("/")
            if slash and queue and interface:
                owned[(queue, interface)] = entry.value
    return owned
