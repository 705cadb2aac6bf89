"""What the agent says first, in the call's language, with their own name (seed 003)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

DEFAULT_ORGANISATION = {"no": "Arbeidsmandsforbundet", "en": "General Workers Union"}
DEFAULT_TEMPLATES = {
    "no": "«{organisation}, du snakker med {name}»",
    "en": "«{organisation}, may I help you?»",
}
FALLBACK_LANGUAGE = "en"  # when the caller's answer shows another language is needed


@dataclass(frozen=True, slots=True)
class Greetings:
    organisation: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ORGANISATION))
    templates: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_TEMPLATES))

    def say(self, language: str, agent_name: str) -> str:
        """The greeting in `language` (Norwegian when the language has no text)."""
        lang = language if language in self.templates else "no"
        org = self.organisation.get(lang) or self.organisation.get("no", "")
        return self.templates[lang].format(organisation=org, name=agent_name)

    def alternative(self, language: str, agent_name: str) -> str | None:
        """The English greeting to switch to, shown beside a Norwegian one."""
        if language == FALLBACK_LANGUAGE or FALLBACK_LANGUAGE not in self.templates:
            return None
        return self.say(FALLBACK_LANGUAGE, agent_name)
