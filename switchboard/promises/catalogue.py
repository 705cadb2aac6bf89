"""The service catalogue: what may be promised, by whom it is answered, and who is next.

Seed 001: promise only what the catalogue allows. Seed 004: levels with reaction times
(first level the same or next working day, then the specialist department, then the head
of department when a level does not answer). Seed 000: each inbox gets one question per
mail, in a fixed subject form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Level:
    """Who has an inquiry after the department did not react in time."""

    name: str
    inbox: str
    reaction_working_days: int


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    title: str
    inbox: str
    agents: frozenset[str] = frozenset()  # who sees its open inquiries besides their loops


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    titles: Mapping[str, str]  # by language: no, en
    action: str  # the "+ action" of the subject line, e.g. "svar medlemmet"
    department: str
    promise_working_days: int
    escalation: tuple[Level, ...] = ()

    def title(self, language: str) -> str:
        return self.titles.get(language) or next(iter(self.titles.values()), self.id)


@dataclass(frozen=True, slots=True)
class Catalogue:
    topics: Mapping[str, Topic]
    departments: Mapping[str, Department]

    def topic(self, topic_id: str) -> Topic | None:
        return self.topics.get(topic_id)

    def departments_of(self, agent_id: str) -> frozenset[str]:
        return frozenset(d.id for d in self.departments.values() if agent_id in d.agents)

    def level(self, topic_id: str, level: int) -> tuple[str, str] | None:
        """(name, inbox) of a level: 0 is the topic's department, then its escalation."""
        topic = self.topics.get(topic_id)
        if topic is None:
            return None
        if level == 0:
            dept = self.departments[topic.department]
            return dept.title, dept.inbox
        if level <= len(topic.escalation):
            step = topic.escalation[level - 1]
            return step.name, step.inbox
        return None


EMPTY = Catalogue({}, {})
