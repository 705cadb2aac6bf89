"""The menu, defined once in the config: key -> loop, and where silence or a wrong key goes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Choice:
    digit: str
    queue: str
    title: str
    language: str  # "no" or "en": the greeting the agent gives


@dataclass(frozen=True, slots=True)
class Menu:
    choices: tuple[Choice, ...]
    default_queue: str  # no key pressed, or only invalid keys

    def route(self, digit: str) -> str:
        """The queue a caller who pressed `digit` ("" for nothing) ends up in."""
        return next((c.queue for c in self.choices if c.digit == digit), self.default_queue)

    def queues_by_digit(self) -> dict[str, str]:
        return {c.digit: c.queue for c in self.choices}
