"""A promise as the screen shows it: status by reference, and the card's history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.promises.catalogue import Catalogue
from switchboard.promises.promise import Promise, PromiseKind

Json = dict[str, object]


def _when(at: datetime | None, zone: ZoneInfo) -> str:
    return "" if at is None else f"{at.astimezone(zone):%d.%m.%Y %H:%M}"


def _topic(p: Promise, catalogue: Catalogue, language: str) -> str:
    if p.kind is PromiseKind.CALLBACK:
        return "callback"
    topic = catalogue.topic(p.topic)
    return topic.title(language) if topic else p.topic


def promise_json(
    p: Promise,
    catalogue: Catalogue,
    titles: Mapping[str, str],
    names: Mapping[str, str],
    zone: ZoneInfo,
    language: str,
    now: datetime,
) -> Json:
    """Everything but personal data: no number, no member, the note only as a length."""
    where = catalogue.level(p.topic, p.level)
    return {
        "ref": p.ref,
        "kind": p.kind.value,
        "topic": _topic(p, catalogue, language),
        "loop": titles.get(p.loop, p.loop),
        "status": p.status.value,
        "asked": _when(p.requested_at, zone),
        "due": _when(p.due, zone),
        "promised": _when(p.first_due, zone),
        "overdue": p.is_overdue(now),
        "level_name": where[0] if where else "",
        "handled_by": names.get(p.handled_by, p.handled_by),
        "outcome": p.outcome,
        "steps": [
            {
                "at": _when(s.at, zone),
                "by": names.get(s.by, s.by),
                "action": s.action,
                "detail": s.detail,
            }
            for s in p.steps
        ],
    }


def history_rows(
    found: Iterable[Promise],
    catalogue: Catalogue,
    titles: Mapping[str, str],
    zone: ZoneInfo,
    language: str,
) -> list[Json]:
    """Date, loop, topic, status: enough that the caller need not repeat themselves."""
    return [
        {
            "ref": p.ref,
            "date": _when(p.requested_at, zone),
            "loop": titles.get(p.loop, p.loop),
            "topic": _topic(p, catalogue, language),
            "status": p.status.value,
            "outcome": p.outcome,
        }
        for p in found
    ]
