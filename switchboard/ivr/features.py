"""Phone feature codes: a person pauses and resumes themself from the handset (*45, *46).

The pause is the person's own: its reason carries no `switchboard:` prefix, so the engine
never lifts it (the house rule), and the board shows it as paused at the phone.
"""

from __future__ import annotations

from dataclasses import dataclass

FEATURES = "sb-features"  # included from the phones' own context: `include => sb-features`
PHONE_VAR = "SB_PHONE"  # the member interface; set it in the phone's context if the
# channel name does not start with the interface (e.g. an endpoint name with a '-')


@dataclass(frozen=True, slots=True)
class FeatureCodes:
    pause: str = "*45"
    resume: str = "*46"
    reason: str = "phone"  # PausedReason the queues report (and the board shows)
