"""The simulator's IVR: plays a caller through the IvrPlan exactly as the dialplan would.

Every step emits what the generated dialplan makes Asterisk send (DTMF events,
`UserEvent: SwitchboardIvr` with the same Step names and fields, QueueCaller* events
from the queue, the AstDB entry and `UserEvent: SwitchboardCallback` for a callback).
The step-by-step order mirrors `ivr.dialplan`, context by context.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from switchboard.ivr.closure import CLOSURE_CONTEXT, CLOSURE_FAMILY, WHOLE_LINE, closure_key
from switchboard.ivr.consent import CONSENT
from switchboard.ivr.dialplan import (
    CALLBACK_CONTEXT,
    CALLBACK_EVENT,
    CALLBACK_FAMILY,
    CLOSED,
    HOURS_UNTIL_VAR,
    HOURS_VAR,
    IVR_EVENT,
    MAX_CALLBACK_LENGTH,
    MENU,
    OFFER,
    PRIO_WINDOW,
    QUEUE_EXIT,
    STATUS_CONTEXT,
    STATUS_FAMILY,
    loop_context,
)
from switchboard.ivr.hours import OpeningHours, is_open
from switchboard.ivr.plan import CALLBACK, IvrPlan, LoopRoute
from switchboard.ivr.rating import RATING
from switchboard.pbxsim import frames
from switchboard.pbxsim.frames import SimChannel
from switchboard.pbxsim.pbx import Pbx, SimError

USER = "user,all"
PROMPT_S = 0.3  # how long a prompt plays before the caller can act


@dataclass(frozen=True, slots=True)
class CallerScript:
    """What one simulated caller does."""

    keys: tuple[str, ...] = ()  # menu keys, one per try; when they run out: silence
    patience_s: float = 60.0  # hangs up after waiting this long in a queue
    talk_s: float = 5.0
    callback_after_s: float | None = None  # presses the callback key while waiting
    wants_callback: bool = True  # at the callback offer (closed, or end of the chain)
    other_number: str | None = None  # at the confirmation: keys in this number instead
    consent_key: str = ""  # asked whether the call may be recorded: this key ("" none)
    rating_key: str = ""  # asked for a rating after the call: this key ("" hangs up)
    references: tuple[str, ...] = ()  # keyed in at "status of a reference", one per try


@dataclass(slots=True)
class CallRecord:
    """Where a simulated call went and how it ended."""

    channel: str
    uniqueid: str
    steps: list[str] = field(default_factory=list)  # the contexts it ran through, in order
    queues: list[str] = field(default_factory=list)
    outcome: str = ""  # answered / abandoned / callback / no-callback / hung-up / closed
    callback_ref: str = ""
    recorded: bool = False  # MixMonitor would run: the caller said yes
    rating: str = ""
    heard: list[str] = field(default_factory=list)  # prompts played, "digits:NNNN" for SayDigits
    first: int = 0  # SB_FIRST: the epoch the call began


class IvrPlayer:
    def __init__(
        self,
        pbx: Pbx,
        plan: IvrPlan,
        *,
        pace: float = 1.0,  # multiplies every IVR wait (tests run the menu fast)
        wall_clock: Callable[[], float] = time.time,
        rng: random.Random | None = None,
    ) -> None:
        self.pbx = pbx
        self.plan = plan
        self.pace = pace
        self.now = wall_clock
        self.rng = rng or random.Random()
        # The dialplan's own fallback knows the weekly hours, not the holidays.
        self.weekly = OpeningHours(plan.hours.weekly, plan.hours.zone)
        self.records: list[CallRecord] = []
        for route in plan.routes.values():  # what queues.conf tells app_queue
            if (queue := pbx.queues.get(route.queue)) is not None:
                queue.wrapup_s = route.service.wrapup_s
                queue.autopause = route.service.autopause_after == 1

    async def _wait(self, seconds: float) -> None:
        await asyncio.sleep(seconds * self.pace)

    def _event(self, ch: SimChannel, step: str, **body: str) -> None:
        pairs = [*ch.block(), ("UserEvent", IVR_EVENT), ("Step", step)]
        self.pbx.emit(frames.event("UserEvent", USER, pairs + list(body.items())))

    def is_open(self) -> bool:
        """The sb-hours context: the router's verdict while it holds, else weekly hours."""
        until = self.pbx.globals.get(HOURS_UNTIL_VAR, "")
        if until and int(until) > self.now():
            return self.pbx.globals.get(HOURS_VAR) == "open"
        return is_open(self.weekly, datetime.fromtimestamp(self.now(), UTC))

    async def call(self, number: str, name: str, script: CallerScript) -> CallRecord:
        """One caller from dialling in to hanging up."""
        ch = self.pbx.new_caller(number, name)
        ch.context, ch.language = MENU, "no"
        first = int(self.now())  # Set(__SB_FIRST=${EPOCH})
        record = CallRecord(ch.name, ch.uniqueid, steps=[MENU], first=first)
        self.records.append(record)
        await self._wait(PROMPT_S)
        if not self.is_open():
            await self._closed(ch, number, script, record)
        elif self._closure(WHOLE_LINE):
            await self._closure_message(ch, number, "", script, record)
        elif self.plan.status_digit and script.keys[:1] == (self.plan.status_digit,):
            await self._status(ch, script, record)
        else:
            route = await self._menu(ch, script)
            await self._loop(ch, number, route, script, record, first)
        if not record.outcome:
            record.outcome = "hung-up"
        return record

    async def _menu(self, ch: SimChannel, script: CallerScript) -> LoopRoute:
        plan = self.plan
        default = plan.routes[plan.default_loop]
        for attempt in range(1, plan.max_tries + 1):
            await self._wait(PROMPT_S)
            key = script.keys[attempt - 1] if attempt <= len(script.keys) else ""
            if not key:
                await self._wait(plan.response_timeout_s)
                ch.exten, ch.priority = "t", 1
                self._event(ch, "timeout", Loop=default.loop_id)
                return default
            self.pbx.press(ch, key)
            ch.exten, ch.priority = key, 1
            route = plan.route_for_digit(key)
            if route is not None:
                choice = next(c for c in plan.menu.choices if c.digit == key)
                self._event(ch, "choice", Digit=key, Loop=route.loop_id, Language=choice.language)
                if choice.language != "no":
                    ch.language = choice.language
                return route
            ch.exten = "i"
            self._event(ch, "invalid", Digit=key, Try=str(attempt))
            await self._wait(PROMPT_S)
        self._event(ch, "default", Loop=default.loop_id)
        return default

    async def _status(self, ch: SimChannel, script: CallerScript, rec: CallRecord) -> None:
        """The sb-status context: the caller keys references in; AstDB says the status."""
        p = self.plan.prompts
        self.pbx.press(ch, self.plan.status_digit)
        ch.context, ch.exten, ch.priority = STATUS_CONTEXT, "s", 1
        rec.steps.append(STATUS_CONTEXT)
        for attempt in range(self.plan.max_tries):
            rec.heard.append(p.status_enter)
            await self._wait(PROMPT_S)
            ref = script.references[attempt] if attempt < len(script.references) else ""
            for digit in ref:
                self.pbx.press(ch, digit)
            value = self.pbx.astdb.get(f"/{STATUS_FAMILY}/{ref}", "") if ref else ""
            state, _, due = value.partition("|")
            if len(ref) < 6 or not ref.isdigit() or state not in ("open", "overdue", "done"):
                rec.heard.append(p.status_unknown)
                continue
            if state == "done":
                rec.heard.append(p.status_done)
            else:
                rec.heard += [
                    p.status_open if state == "open" else p.status_overdue,
                    f"digits:{due}",
                ]
            break
        rec.heard.append(p.goodbye)
        rec.outcome = "status"
        self.pbx.hang_up(ch)

    def _closure(self, key: str) -> str:
        """The supervisor's closure message for a key of AstDB family sb-closure, if any."""
        return self.pbx.astdb.get(f"/{CLOSURE_FAMILY}/{key}", "")

    async def _closure_message(
        self, ch: SimChannel, origin: str, loop_id: str, script: CallerScript, rec: CallRecord
    ) -> None:
        message = self._closure(closure_key(loop_id) if loop_id else WHOLE_LINE)
        ch.context, ch.exten, ch.priority = CLOSURE_CONTEXT, "s", 1
        rec.steps.append(CLOSURE_CONTEXT)
        self._event(ch, "closure", Loop=loop_id, Message=message)
        await self._wait(PROMPT_S)
        if self.plan.closures.offer_callback:
            await self._offer(ch, origin, loop_id, script, rec)
        else:
            rec.outcome = "closed"
            self.pbx.hang_up(ch)

    async def _consent(
        self, ch: SimChannel, loop_id: str, script: CallerScript, rec: CallRecord
    ) -> None:
        if CONSENT in rec.steps:  # asked once per call
            return
        rec.steps.append(CONSENT)
        await self._wait(PROMPT_S)
        yes = self.plan.recording.consent_digit
        if script.consent_key:
            self.pbx.press(ch, script.consent_key)
        said = yes if script.consent_key == yes else ""
        self._event(ch, "consent", Loop=loop_id, Digit=said)
        rec.recorded = bool(said)

    async def _rating(
        self, ch: SimChannel, loop_id: str, script: CallerScript, rec: CallRecord
    ) -> None:
        rec.steps.append(RATING)
        await self._wait(PROMPT_S)
        key = script.rating_key
        if key:
            self.pbx.press(ch, key)
        if key.isdigit() and 1 <= int(key) <= self.plan.rating.scale:
            self._event(ch, "rating", Loop=loop_id, Digit=key)
            rec.rating = key
        self.pbx.hang_up(ch)

    def dial_feature(self, interface: str, code: str) -> bool:
        """A person dials a feature code at their phone (context sb-features)."""
        codes = self.plan.features
        if codes is None or code not in (codes.pause, codes.resume):
            return False
        try:
            self.pbx.pause_member(None, interface, code == codes.pause, codes.reason)
        except SimError:
            return False  # PQMSTATUS=NOTFOUND: "this phone is in no loop"
        return True

    async def _loop(
        self,
        ch: SimChannel,
        origin: str,
        route: LoopRoute,
        script: CallerScript,
        rec: CallRecord,
        first: int,
    ) -> None:
        loop_id: str = route.loop_id
        while True:
            route = self.plan.routes[loop_id]
            context = loop_context(loop_id)
            rec.steps.append(context)
            rec.queues.append(route.queue)
            ch.context, ch.exten, ch.priority = context, "s", 1
            ch.caller_num = origin + route.suffix  # Set(CALLERID(num)=${SB_ORIGIN}-111)
            if self._closure(closure_key(loop_id)):
                await self._closure_message(ch, origin, loop_id, script, rec)
                return
            if route.service.record:
                await self._consent(ch, loop_id, script, rec)
            prio = PRIO_WINDOW - first % PRIO_WINDOW if route.service.keep_place else 0
            self._event(ch, "queue", Loop=loop_id, Queue=route.queue)
            presser = None
            if script.callback_after_s is not None:
                presser = asyncio.create_task(self._press_callback(ch, script.callback_after_s))
            outcome = await self.pbx.queue_call(
                ch,
                route.queue,
                "s",
                patience_s=script.patience_s,
                talk_s=script.talk_s,
                max_wait_s=route.wait_s * self.pace,
                context=context,
                prio=prio,
                continues=route.service.rating,
            )
            if presser is not None:
                presser.cancel()
            if outcome in ("answered", "abandoned"):
                rec.outcome = outcome
                if outcome == "answered" and route.service.rating:
                    await self._rating(ch, loop_id, script, rec)
                return
            if outcome == "exit-digit":
                ch.context, ch.exten = QUEUE_EXIT, self.plan.callback_digit
                self._event(ch, "callback", Loop=loop_id)
                await self._callback(ch, origin, loop_id, script, rec)
                return
            if outcome == "redirected":
                target = self._target_of(self.pbx.redirects.pop(ch.name))
            else:
                target = route.overflow_to
                self._event(ch, "overflow", Loop=loop_id, To=target, Status="TIMEOUT")
            if target == CALLBACK:
                await self._offer(ch, origin, loop_id, script, rec)
                return
            loop_id = target

    def _target_of(self, context: str) -> str:
        if context == OFFER:
            return CALLBACK
        return next(
            r.loop_id for r in self.plan.routes.values() if loop_context(r.loop_id) == context
        )

    async def _press_callback(self, ch: SimChannel, after_s: float) -> None:
        await asyncio.sleep(after_s)
        self.pbx.press(ch, self.plan.callback_digit)
        self.pbx.exit_with_digit(ch.name, self.plan.callback_digit)

    async def _closed(
        self, ch: SimChannel, origin: str, script: CallerScript, rec: CallRecord
    ) -> None:
        ch.context, ch.exten, ch.priority = CLOSED, "s", 1
        rec.steps.append(CLOSED)
        self._event(ch, "closed")
        await self._wait(PROMPT_S)
        await self._offer(ch, origin, "", script, rec)

    async def _offer(
        self, ch: SimChannel, origin: str, loop_id: str, script: CallerScript, rec: CallRecord
    ) -> None:
        ch.context, ch.exten, ch.priority = OFFER, "s", 1
        rec.steps.append(OFFER)
        await self._wait(PROMPT_S)
        if script.wants_callback:
            self.pbx.press(ch, self.plan.callback_digit)
            ch.exten = self.plan.callback_digit
            self._event(ch, "callback", Loop=loop_id)
            await self._callback(ch, origin, loop_id, script, rec)
            return
        await self._wait(self.plan.response_timeout_s)
        ch.exten = "t"
        self._event(ch, "no-callback", Loop=loop_id)
        rec.outcome = "no-callback"
        self.pbx.hang_up(ch)

    async def _callback(
        self, ch: SimChannel, origin: str, loop_id: str, script: CallerScript, rec: CallRecord
    ) -> None:
        ch.context, ch.exten, ch.priority = CALLBACK_CONTEXT, "s", 1
        rec.steps.append(CALLBACK_CONTEXT)
        number = origin
        if script.other_number is not None:
            await self._wait(PROMPT_S)
            self.pbx.press(ch, "2")
            number = script.other_number
        if (
            not self.plan.min_callback_digits <= len(number) <= MAX_CALLBACK_LENGTH
            or not number.lstrip("+").isdigit()
        ):
            ch.exten = "s"
            self._event(ch, "callback-abandoned", Loop=loop_id)
            rec.outcome = "hung-up"
            self.pbx.hang_up(ch)
            return
        await self._wait(PROMPT_S)
        self.pbx.press(ch, "1")  # "press 1 if that is right"
        ref = self._new_ref()
        self.pbx.astdb[f"/{CALLBACK_FAMILY}/{ref}"] = (
            f"{number}|{loop_id}|{int(self.now())}|{ch.uniqueid}|{rec.first}"
        )
        pairs = [*ch.block(), ("UserEvent", CALLBACK_EVENT)]
        pairs += [("Ref", ref), ("Loop", loop_id), ("Number", number)]
        self.pbx.emit(frames.event("UserEvent", USER, pairs))
        rec.outcome, rec.callback_ref = "callback", ref
        await self._wait(PROMPT_S * 2)
        self.pbx.hang_up(ch)

    def _new_ref(self) -> str:
        while True:  # RAND(100000,999999) until DB_EXISTS says it is free
            ref = str(self.rng.randint(100000, 999999))
            if f"/{CALLBACK_FAMILY}/{ref}" not in self.pbx.astdb:
                return ref
