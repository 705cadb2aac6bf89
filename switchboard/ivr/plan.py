"""The IVR as plain data: what the dialplan does, defined once from the config.

`ivr.dialplan` renders it for Asterisk, the simulator plays it, the router reads the
escalation chain from it. Keeping one structure is what keeps those three in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from switchboard.ivr.closure import Closures
from switchboard.ivr.consent import Recording
from switchboard.ivr.features import FeatureCodes
from switchboard.ivr.hours import OpeningHours
from switchboard.ivr.menu import Menu
from switchboard.ivr.rating import Rating
from switchboard.ivr.service import LoopService

CALLBACK = "callback"  # an escalation target that is not a loop: the callback offer


@dataclass(frozen=True, slots=True)
class Prompts:
    """Sound file names Asterisk plays (recorded by the office; core sounds where they fit)."""

    greeting: str = "custom/sb-welcome"  # "Welcome ... press 1 ..., 2 ..., 3 ..., for English 9"
    invalid: str = "invalid"  # core sound: "that is not a valid option"
    closed: str = "custom/sb-closed"  # "we are closed; our hours are ..."
    callback_offer: str = "custom/sb-callback-offer"  # "press N to be called back"
    callback_number: str = "custom/sb-callback-number"  # "we will call you back on"
    callback_confirm: str = "custom/sb-callback-confirm"  # "press 1 if right, 2 to change"
    callback_enter: str = "custom/sb-callback-enter"  # "key in your number, then #"
    callback_reference: str = "custom/sb-callback-reference"  # "your reference number is"
    goodbye: str = "vm-goodbye"  # core sound
    # "This call may be recorded to evaluate and develop our service; press 1 if you agree."
    recording_consent: str = "custom/sb-recording-consent"
    rating_question: str = "custom/sb-rating-question"  # "how satisfied were you, 1 to 5?"
    rating_thanks: str = "custom/sb-rating-thanks"  # "thank you for your answer"
    phone_paused: str = "custom/sb-phone-paused"  # *45: "you are paused in every loop"
    phone_resumed: str = "custom/sb-phone-resumed"  # *46: "you are back in your loops"
    phone_unknown: str = "custom/sb-phone-unknown"  # "this phone is in no loop"
    holiday_notice: str = "custom/sb-holiday-notice"  # "note: we are closed on the holiday"
    status_enter: str = "custom/sb-status-enter"  # "key in your reference number"
    status_open: str = "custom/sb-status-open"  # "your case is being handled; answer by"
    status_overdue: str = "custom/sb-status-overdue"  # "it is late; we are on it; due was"
    status_done: str = "custom/sb-status-done"  # "it has been answered"
    status_unknown: str = "custom/sb-status-unknown"  # "we do not know that reference"


@dataclass(frozen=True, slots=True)
class LoopRoute:
    """How a caller fares in one loop: its queue, the suffix agents see, where overflow goes."""

    loop_id: str
    queue: str
    suffix: str
    language: str
    wait_s: int  # waiting this long in the queue moves the caller to `overflow_to`
    overflow_to: str  # a loop id, or CALLBACK
    unstaffed_after_s: int | None  # router: move callers on this early when nobody can answer
    service: LoopService = field(default_factory=LoopService)


@dataclass(frozen=True, slots=True)
class IvrPlan:
    menu: Menu
    routes: Mapping[str, LoopRoute]  # by loop id
    default_loop: str
    hours: OpeningHours
    max_tries: int = 3
    response_timeout_s: int = 5
    callback_digit: str = "5"  # pressed while waiting, or in the closed message
    min_callback_digits: int = 8  # a Norwegian number without country code
    status_digit: str = ""  # the menu key for "status of a reference" ("" = not offered)
    prompts: Prompts = field(default_factory=Prompts)
    features: FeatureCodes | None = field(default_factory=FeatureCodes)  # None: no codes
    recording: Recording = field(default_factory=Recording)
    rating: Rating = field(default_factory=Rating)
    closures: Closures = field(default_factory=Closures)

    def route_for_digit(self, digit: str) -> LoopRoute | None:
        for choice in self.menu.choices:
            if choice.digit == digit:
                return self.route_for_queue(choice.queue)
        return None

    def route_for_queue(self, queue: str) -> LoopRoute | None:
        return next((r for r in self.routes.values() if r.queue == queue), None)

    def levels(self, loop_id: str) -> tuple[LoopRoute, ...]:
        """The escalation chain that starts in `loop_id`: level 1 first."""
        chain: list[LoopRoute] = []
        current: str = loop_id
        while current != CALLBACK and current not in {r.loop_id for r in chain}:
            chain.append(self.routes[current])
            current = self.routes[current].overflow_to
        return tuple(chain)


def overflow_cycle(routes: Mapping[str, LoopRoute]) -> tuple[str, ...] | None:
    """A loop of overflows that would never reach the callback offer, if there is one."""
    for start in routes:
        seen: list[str] = []
        current = start
        while current != CALLBACK:
            if current in seen:
                return (*seen[seen.index(current) :], current)
            seen.append(current)
            current = routes[current].overflow_to
    return None
