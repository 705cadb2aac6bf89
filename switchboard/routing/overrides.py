"""A person's word against the calendar ("back early from a meeting"), kept in AstDB.

Kept in Asterisk beside the ownership record, so an engine restart or a standby engine
taking over keeps honouring it: family `sb-back-early`, key the agent id, value the end
of the override as epoch seconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from switchboard.ami.events import DbEntry

BACK_EARLY_FAMILY = "sb-back-early"


def read_back_early(entries: Iterable[object], now: datetime) -> dict[str, datetime]:
    """Agent id -> until, for the overrides still running at `now` (others are stale)."""
    prefix = f"/{BACK_EARLY_FAMILY}/"
    found: dict[str, datetime] = {}
    for entry in entries:
        if not isinstance(entry, DbEntry) or not entry.key.startswith(prefix):
            continue
        try:
            until = datetime.fromtimestamp(int(entry.value), UTC)
        except (ValueError, OverflowError, OSError):
            continue  # not one of ours: left alone
        if until > now:
            found[entry.key.removeprefix(prefix)] = until
    return found


def stored(until: datetime) -> str:
    return str(int(until.timestamp()))
