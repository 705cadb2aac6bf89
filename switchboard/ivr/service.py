"""How one loop serves its callers beyond the queue itself: rest after a call, telling
callers where they stand, recording with consent, a rating afterwards, autopause.

Plain data, defined once from the config: `ivr.asterisk_conf` writes what Asterisk does
itself (wrapuptime, autopause, announcements) into queues.conf, `ivr.dialplan` the steps
callers go through, the simulator plays the same, the router does the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class WhenAllInMeetings(StrEnum):
    """What a loop does when every member is in a meeting (nobody else could answer)."""

    WAIT = "wait"  # callers wait; the unstaffed move (unstaffed_after_s) applies as always
    MOVE_ON = "move_on"  # move waiting callers on at once
    # Offer calls to members who opted in to be rung in meetings, while nobody else can.
    RING_OPTED_IN = "ring_opted_in"


@dataclass(frozen=True, slots=True)
class Announcements:
    """Position and estimated-wait announcements (app_queue's own, in the caller's language)."""

    position: bool = False  # "you are number 3 in line"
    wait: bool = False  # "the estimated wait is 4 minutes"
    every_s: int = 60  # announce-frequency
    position_limit: int = 0  # above this: "more than N callers" (0: always the number)

    @property
    def on(self) -> bool:
        return self.position or self.wait


@dataclass(frozen=True, slots=True)
class LoopService:
    wrapup_s: int = 0  # queues.conf wrapuptime: Asterisk rests a member this long after a call
    follow_up_s: int = 0  # engine's follow-up pause after each call, ended early on the screen
    announce: Announcements = field(default_factory=Announcements)
    record: bool = False  # ask for consent; record only on an active yes (a keypress)
    rating: bool = False  # a satisfaction rating by keypress after the agent hangs up
    autopause_after: int = 0  # calls rung out in a row before a pause (0: never)
    keep_place: bool = True  # a moved caller keeps their place by original call time
    when_all_in_meetings: WhenAllInMeetings = WhenAllInMeetings.WAIT
    heads_up_s: int = 0  # no new calls this long before a member's meeting (0: off)


def describe(service: LoopService) -> str:
    """One line for `check-config`: what this loop does besides queueing."""
    parts = []
    if service.wrapup_s:
        parts.append(f"wrap-up {service.wrapup_s} s (Asterisk's wrapuptime)")
    if service.follow_up_s:
        parts.append(f"follow-up pause {service.follow_up_s} s after each call (can end early)")
    a = service.announce
    if a.on:
        said = " and ".join(w for w, on in (("place", a.position), ("wait", a.wait)) if on)
        parts.append(f"{said} announced every {a.every_s} s")
    if service.record:
        parts.append("recorded on an active yes")
    if service.rating:
        parts.append("rating after the call")
    if service.autopause_after:
        parts.append(f"paused after {service.autopause_after} call(s) rung out in a row")
    parts.append(
        "moved callers keep their place" if service.keep_place else "moved callers queue last"
    )
    parts.append(f"all in meetings: {service.when_all_in_meetings.value}")
    parts.append(
        f"no new calls {service.heads_up_s // 60} min before a member's meeting"
        if service.heads_up_s
        else "heads-up before meetings: off"
    )
    return "; ".join(parts)
