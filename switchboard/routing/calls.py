"""Per-call facts from the IVR (choice, language, invalid keys, timeouts) and their counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from switchboard.ami.events import IVR_STEPS, CallbackRequested, Event, Hangup, IvrStep

# Steps counted for ops: those our dialplan reports (the decoder refuses any other).
COUNTED_STEPS = IVR_STEPS


@dataclass(slots=True)
class CallFacts:
    """What the IVR learnt about one call (keyed by the caller channel's uniqueid)."""

    call_id: str
    channel: str
    digit: str = ""  # the menu key chosen ("" when the caller chose nothing)
    loop: str = ""  # the loop the caller is in now
    language: str = "no"
    invalid_keys: int = 0
    timed_out: bool = False
    closed: bool = False
    callback_ref: str = ""
    levels: list[str] = field(default_factory=list)  # loops visited, level 1 first


class CallBook:
    """Facts for calls in progress, and counts of every IVR step since start."""

    def __init__(self) -> None:
        self.calls: dict[str, CallFacts] = {}
        self.steps: Counter[tuple[str, str]] = Counter()  # (step, loop)
        self.callbacks_requested = 0

    def facts(self, call_id: str) -> CallFacts | None:
        return self.calls.get(call_id)

    def apply(self, event: Event) -> CallFacts | None:
        """Fold an IVR event in; returns the call's facts when they changed."""
        if isinstance(event, Hangup):
            self.calls.pop(event.uniqueid, None)
            return None
        if isinstance(event, CallbackRequested):
            facts = self._call(event.uniqueid, event.channel)
            facts.callback_ref = event.ref
            self.callbacks_requested += 1
            return facts
        if not isinstance(event, IvrStep):
            return None
        facts = self._call(event.uniqueid, event.channel)
        step = event.step if event.step in COUNTED_STEPS else "other"
        self.steps[(step, event.loop)] += 1
        if step == "choice":
            facts.digit, facts.language = event.digit, event.language or facts.language
        elif step == "invalid":
            facts.invalid_keys += 1
        elif step == "timeout":
            facts.timed_out = True
        elif step == "closed":
            facts.closed = True
        elif step == "queue":
            facts.loop = event.loop
            facts.levels.append(event.loop)
        return facts

    def _call(self, call_id: str, channel: str) -> CallFacts:
        facts = self.calls.get(call_id)
        if facts is None:
            facts = self.calls[call_id] = CallFacts(call_id, channel)
        return facts
