"""The promises an agent sees: callbacks and inquiries of their own loops or department.

Personal data goes only to the one who took a promise: the number to call, the note.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.promises.catalogue import EMPTY, Catalogue
from switchboard.promises.promise import Promise, PromiseKind, PromiseStatus

Json = dict[str, object]


def visible_to(
    p: Promise, loops: set[str], departments: frozenset[str], catalogue: Catalogue
) -> bool:
    if p.loop in loops:
        return True
    topic = catalogue.topic(p.topic)
    return topic is not None and topic.department in departments


def callback_rows(
    requests: Iterable[Promise],
    agent_id: str,
    loops: set[str],  # the agent's loop ids (promises carry the loop id)
    titles: Mapping[str, str],
    names: Mapping[str, str],
    now: datetime,
    zone: ZoneInfo,
    *,
    kind: PromiseKind = PromiseKind.CALLBACK,
    catalogue: Catalogue = EMPTY,
    departments: frozenset[str] = frozenset(),
    language: str = "en",
) -> list[Json]:
    """Open and taken promises of one kind for the agent: callbacks by original call time
    (a caller moved on before asking keeps their place), inquiries soonest due first."""
    rows = []
    if kind is PromiseKind.CALLBACK:
        ordered = sorted(requests, key=lambda r: (r.called_at, r.due, r.ref))
    else:
        ordered = sorted(requests, key=lambda r: (r.due, r.ref))
    for r in ordered:
        if r.kind is not kind or r.status is PromiseStatus.DONE:
            continue
        if not visible_to(r, loops, departments, catalogue):
            continue
        mine = r.status is PromiseStatus.TAKEN and r.handled_by == agent_id
        row: Json = {
            "ref": r.ref,
            "loop": titles.get(r.loop, r.loop),
            "asked": f"{r.requested_at.astimezone(zone):%a %d %b %H:%M}",
            # the first call, when it was earlier than the request (moved on before asking)
            "called": f"{r.first_called_at.astimezone(zone):%a %d %b %H:%M}"
            if r.first_called_at
            else "",
            "due": f"{r.due.astimezone(zone):%a %d %b %H:%M}",
            "overdue": r.is_overdue(now),
            "status": r.status.value,
            "taken_by": names.get(r.handled_by, r.handled_by) if r.handled_by else "",
            "mine": mine,
            "number": r.number if mine else None,  # personal data: the taker's only
        }
        if kind is PromiseKind.INQUIRY:
            topic = catalogue.topic(r.topic)
            where = catalogue.level(r.topic, r.level)
            row |= {
                "topic": topic.title(language) if topic else r.topic,
                "level": r.level,
                "level_name": where[0] if where else "",
                "escalated": r.level > 0,
                "note": r.note if mine else None,
                "new_date": any(s.action == "new-date" for s in r.steps),
            }
        rows.append(row)
    return rows
