"""Calendar health per person, for the board and the agent's own screen (pure): when the
calendar was last read, and whether it is failing (a failing calendar pauses nobody once its
last good data is too old: the fail-safe rule, shown so people know why)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.presence.polled import SourceHealth


def health_text(health: SourceHealth | None, now: datetime, zone: ZoneInfo) -> str:
    """ "calendar read 10:31", "calendar failing since 10:12 (last read 09:58)", or ""."""
    if health is None:
        return ""
    last = health.last_success
    read = f"{last.astimezone(zone):%H:%M}" if last is not None else ""
    failing = health.last_error_at is not None and (last is None or health.last_error_at > last)
    if failing:
        assert health.last_error_at is not None
        since = f"{health.last_error_at.astimezone(zone):%H:%M}"
        return f"calendar failing since {since}" + (
            f" (last read {read})" if read else " (never read)"
        )
    return f"calendar read {read}" if read else "calendar not read yet"
