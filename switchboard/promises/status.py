"""What the IVR says about a reference: AstDB entries the router keeps (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.promises.promise import Promise, PromiseStatus


def status_entries(promises: Iterable[Promise], now: datetime, zone: ZoneInfo) -> dict[str, str]:
    """ref -> `open|DDMM`, `overdue|DDMM` or `done|`: nothing personal, nothing more."""
    out = {}
    for p in promises:
        if p.status is PromiseStatus.DONE:
            out[p.ref] = "done|"
        else:
            state = "overdue" if p.is_overdue(now) else "open"
            out[p.ref] = f"{state}|{p.due.astimezone(zone):%d%m}"
    return out


def status_changes(
    published: Mapping[str, str], wanted: Mapping[str, str]
) -> tuple[dict[str, str], list[str]]:
    """(entries to put, refs to delete) to turn what AstDB holds into what is wanted."""
    put = {ref: value for ref, value in wanted.items() if published.get(ref) != value}
    gone = sorted(ref for ref in published if ref not in wanted)
    return put, gone
