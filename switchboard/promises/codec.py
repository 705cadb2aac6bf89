"""A Promise as flat strings (a Redis hash), personal fields sealed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from switchboard.promises.promise import Promise, PromiseKind, PromiseStatus, Step
from switchboard.promises.sealing import Sealer


def ts(at: datetime | None) -> str:
    return "" if at is None else str(at.timestamp())


def dt(text: str) -> datetime | None:
    return None if not text else datetime.fromtimestamp(float(text), UTC)


def _steps(steps: tuple[Step, ...]) -> str:
    return json.dumps([[s.at.timestamp(), s.by, s.action, s.detail] for s in steps])


def _unsteps(text: str) -> tuple[Step, ...]:
    if not text:
        return ()
    return tuple(
        Step(datetime.fromtimestamp(at, UTC), by, action, detail)
        for at, by, action, detail in json.loads(text)
    )


def fields(p: Promise, sealer: Sealer) -> dict[str, str]:
    def sealed(text: str) -> str:
        return sealer.seal(text) if text else ""

    return {
        "ref": p.ref,
        "kind": p.kind.value,
        "number": sealed(p.number),
        "loop": p.loop,
        "requested_at": ts(p.requested_at),
        "due": ts(p.due),
        "call_id": p.call_id,
        "first_called_at": ts(p.first_called_at),
        "status": p.status.value,
        "handled_by": p.handled_by,
        "handled_at": ts(p.handled_at),
        "topic": p.topic,
        "member_id": p.member_id,
        "created_by": p.created_by,
        "promised": ts(p.promised),
        "level": str(p.level),
        "level_due": ts(p.level_due),
        "outcome": sealed(p.outcome),
        "note": sealed(p.note),
        # Step details hold reasons and outcomes (free text): sealed with the rest.
        "steps": sealed(_steps(p.steps)),
        "version": str(p.version),
    }


def promise(h: dict[str, str], sealer: Sealer) -> Promise:
    def opened(key: str) -> str:
        value = h.get(key, "")
        return sealer.open(value) if value else ""

    requested, due = dt(h["requested_at"]), dt(h["due"])
    assert requested is not None
    assert due is not None
    return Promise(
        ref=h["ref"],
        number=opened("number"),
        loop=h["loop"],
        requested_at=requested,
        due=due,
        call_id=h.get("call_id", ""),
        first_called_at=dt(h.get("first_called_at", "")),
        status=PromiseStatus(h["status"]),
        handled_by=h.get("handled_by", ""),
        handled_at=dt(h.get("handled_at", "")),
        kind=PromiseKind(h.get("kind", "callback")),
        topic=h.get("topic", ""),
        member_id=h.get("member_id", ""),
        created_by=h.get("created_by", ""),
        promised=dt(h.get("promised", "")),
        level=int(h.get("level", "0") or 0),
        level_due=dt(h.get("level_due", "")),
        outcome=opened("outcome"),
        note=opened("note"),
        steps=_unsteps(opened("steps")),
        version=int(h.get("version", "0") or 0),
    )
