"""What the router tells the log of calls and of pauses made by hand: the lines a person
reads to follow the day (numbers masked: routing.privacy)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from switchboard.ami.events import (
    AgentConnect,
    AgentRingNoAnswer,
    Event,
    QueueCallerAbandon,
    QueueCallerJoin,
    QueueMemberPause,
)
from switchboard.routing.policy import ManualStatus, is_own_reason
from switchboard.routing.privacy import masked_number
from switchboard.routing.roster import Roster

log = logging.getLogger("switchboard.router")  # the router's own lines, as people know them


def narrate(event: Event, roster: Roster, manual: Mapping[str, ManualStatus]) -> None:
    """Log what a person following the day wants to know of this event, if anything."""
    if isinstance(event, QueueCallerJoin):
        loop = roster.loop_for_queue(event.queue)
        title = f" ({loop.title})" if loop else ""
        log.info(
            "call %s entered %s%s at position %d",
            masked_number(event.caller_num),
            event.queue,
            title,
            event.position,
        )
    elif isinstance(event, AgentConnect):
        log.info(
            "call %s in %s answered by %s after %d s waiting",
            masked_number(event.caller_num),
            event.queue,
            event.member_name,
            event.hold_time_s,
        )
    elif isinstance(event, AgentRingNoAnswer):
        log.info(
            "%s did not answer a call in %s (rang %.0f s)",
            event.member_name,
            event.queue,
            event.ring_time_s,
        )
    elif isinstance(event, QueueCallerAbandon):
        # Hung up, timed out or moved on: app_queue says the same for all three.
        log.info(
            "call %s left %s after %d s without an answer",
            masked_number(event.caller_num),
            event.queue,
            event.hold_time_s,
        )
    elif isinstance(event, QueueMemberPause) and not is_own_reason(event.paused_reason):
        state = "paused" if event.paused else "unpaused"
        agent = roster.agent_by_interface(event.interface)
        status = manual.get(agent.id) if agent else None
        if not event.paused and status is not None and status.pause is not None:
            outcome = f"their screen status is {status.value}, which pauses them again"
        else:
            outcome = "the engine leaves that alone"
        log.info(
            "%s was %s in %s by hand (%s); %s",
            event.name,
            state,
            event.queue,
            event.paused_reason or "no reason given",
            outcome,
        )


def grouped(done: list[tuple[str, str]]) -> list[str]:
    """Lines for changes carried out, (why, loop) each: the same words for one person in
    several loops become one line naming the loops ("pause Anne Aas in loop1, loop2:
    calendar says busy until 11:00"), in the order first seen. At a 10:00 all-hands a
    thousand people are told in a thousand lines, not three thousand."""
    order: list[str] = []
    loops: dict[str, list[str]] = {}
    for why, loop in done:
        at = _loop_at(why, loop)
        key = why if at < 0 else why[:at] + "\0" + why[at + len(loop) :]
        if key not in loops:
            order.append(key)
            loops[key] = []
        loops[key].append(loop)
    return [key.replace("\0", ", ".join(loops[key])) if "\0" in key else key for key in order]


def _loop_at(why: str, loop: str) -> int:
    """Where the loop stands in the line: after the person's name, before ':' or ','."""
    at = why.rfind(f" {loop}")
    while at >= 0:
        end = at + 1 + len(loop)
        if end == len(why) or why[end] in ":,":
            return at + 1
        at = why.rfind(f" {loop}", 0, at)
    return -1
