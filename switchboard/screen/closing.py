"""The closing line the card ends with, in the call's language (seed 001: end the call by
asking whether there is anything else, then wish a good day), as the greeting begins it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_CLOSINGS = {
    "no": "«Er det noe mer jeg kan hjelpe deg med? … Da ønsker jeg deg en fin dag!»",
    "en": "«Is there anything else I can help you with? … Then have a good day!»",
}


@dataclass(frozen=True, slots=True)
class Closings:
    lines: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CLOSINGS))

    def say(self, language: str) -> str:
        """The closing line in `language`; Norwegian when that language has none."""
        return self.lines.get(language) or self.lines.get("no") or DEFAULT_CLOSINGS["no"]
