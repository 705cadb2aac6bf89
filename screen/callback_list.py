"""The callbacks an agent sees: requests from their own loops; the number only to the taker."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from ivr.callbacks import CallbackRequest, CallbackStatus

Json = dict[str, object]


def callback_rows(
    requests: Iterable[CallbackRequest],
    agent_id: str,
    loops: set[str],  # the agent's loop ids (callback requests carry the loop id)
    titles: Mapping[str, str],
    names: Mapping[str, str],
    now: datetime,
    zone: ZoneInfo,
) -> list[Json]:
    """Open and taken requests for the agent's loops, soonest due first."""
    rows = []
    for r in sorted(requests, key=lambda r: r.due):
        if r.status is CallbackStatus.DONE or r.loop not in loops:
            continue
        mine = r.status is CallbackStatus.TAKEN and r.handled_by == agent_id
        rows.append(
            {
                "ref": r.ref,
                "loop": titles.get(r.loop, r.loop),
                "asked": f"{r.requested_at.astimezone(zone):%a %d %b %H:%M}",
                "due": f"{r.due.astimezone(zone):%a %d %b %H:%M}",
                "overdue": r.is_overdue(now),
                "status": r.status.value,
                "taken_by": names.get(r.handled_by, r.handled_by) if r.handled_by else "",
                "mine": mine,
                "number": r.number if mine else None,  # personal data: the taker's only
            }
        )
    return rows
