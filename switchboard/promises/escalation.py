"""Escalation: an inquiry not answered in time at its level goes to the next level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from switchboard.ivr.hours import OpeningHours, callback_deadline
from switchboard.promises.catalogue import Catalogue
from switchboard.promises.promise import Promise, PromiseKind, PromiseStatus


@dataclass(frozen=True, slots=True)
class Escalation:
    ref: str
    level: int  # the level it goes to
    name: str
    inbox: str
    react_by: datetime


def due_escalations(
    promises: Iterable[Promise], catalogue: Catalogue, hours: OpeningHours, now: datetime
) -> list[Escalation]:
    """Open inquiries whose current level has not reacted in time, and where they go next.

    One step per call: a promise skipped by a long outage climbs one level per pass, so
    every level is told in turn instead of the last one only."""
    out = []
    for p in promises:
        if p.kind is not PromiseKind.INQUIRY or p.status is PromiseStatus.DONE:
            continue
        deadline = p.level_due or p.due
        if now <= deadline:
            continue
        topic = catalogue.topic(p.topic)
        if topic is None or p.level >= len(topic.escalation):
            continue  # the last level: stays overdue (shown red), nobody further up
        step = topic.escalation[p.level]
        react_by = callback_deadline(hours, now, step.reaction_working_days)
        out.append(Escalation(p.ref, p.level + 1, step.name, step.inbox, react_by))
    return out
