"""Simulated callers: arrive at random, choose from the menu, wait, talk or give up."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from switchboard.pbxsim.ivr import CallerScript, IvrPlayer
from switchboard.pbxsim.pbx import Pbx

log = logging.getLogger(__name__)

FIRST_NAMES = ("Kari", "Ola", "Ingrid", "Per", "Astrid", "Nils", "Sigrid", "Lars", "Mona", "Tor")
LAST_NAMES = ("Nordmann", "Hansen", "Berg", "Lie", "Dahl", "Moen", "Strand", "Vik", "Holm", "Lund")


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """How callers behave; digits are weighted choices, "" means the caller presses nothing."""

    mean_gap_s: float = 6.0
    digits: Mapping[str, float] | None = None
    patience_s: tuple[float, float] = (15.0, 60.0)
    talk_s: tuple[float, float] = (4.0, 12.0)


DEFAULT_DIGITS = {"1": 0.35, "2": 0.3, "3": 0.2, "9": 0.1, "": 0.05}


class Traffic:
    """Places calls into the PBX following the IVR menu the config defines."""

    def __init__(
        self,
        pbx: Pbx,
        menu: Mapping[str, str],
        default_queue: str,
        profile: TrafficProfile = TrafficProfile(),
        rng: random.Random | None = None,
        player: IvrPlayer | None = None,  # plays the full IVR (hours, invalid keys, callbacks)
        callers: Sequence[tuple[str, str]] = (),  # (number, name) of known callers, e.g. members
        known_share: float = 0.7,  # how many calls come from `callers`
    ) -> None:
        self.callers = list(callers)
        self.known_share = known_share
        self.player = player
        self.pbx = pbx
        self.menu = dict(menu)
        self.default_queue = default_queue
        self.profile = profile
        self.rng = rng or random.Random()
        self.outcomes: dict[str, int] = {}

    def _number(self) -> tuple[str, str]:
        if self.callers and self.rng.random() < self.known_share:
            number, name = self.rng.choice(self.callers)
            return "+47" + "".join(c for c in number if c.isdigit())[-8:], name
        number = (
            "+47"
            + str(self.rng.choice((4, 9)))
            + "".join(self.rng.choice("0123456789") for _ in range(7))
        )
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        return number, name

    async def one_call(
        self,
        digit: str,
        *,
        number: str | None = None,
        name: str | None = None,
        patience_s: float = 60.0,
        talk_s: float = 5.0,
        callback_after_s: float | None = None,  # presses the callback key after this long
    ) -> str:
        """A single caller: press `digit` (or nothing), queue, and end; returns the outcome."""
        if number is None or name is None:
            number, name = self._number()
        if self.player is not None:
            script = self._script(digit, patience_s, talk_s)
            if callback_after_s is not None:
                script = dataclasses.replace(script, callback_after_s=callback_after_s)
            record = await self.player.call(number, name, script)
            self.outcomes[record.outcome] = self.outcomes.get(record.outcome, 0) + 1
            return record.outcome
        channel = self.pbx.new_caller(number, name)
        await asyncio.sleep(0.2)
        if digit:
            self.pbx.press(channel, digit)
        queue = self.menu.get(digit, self.default_queue)
        outcome = await self.pbx.queue_call(
            channel, queue, digit or "t", patience_s=patience_s, talk_s=talk_s
        )
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        return outcome

    def _script(self, digit: str, patience_s: float, talk_s: float) -> CallerScript:
        """A caller for the full IVR: now and then a wrong key first, or a callback wish."""
        keys: tuple[str, ...] = (digit,) if digit else ()
        if digit and self.rng.random() < 0.1:
            keys = ("7", digit)
        callback_after = patience_s * 0.8 if self.rng.random() < 0.15 else None
        return CallerScript(keys, patience_s, talk_s, callback_after_s=callback_after)

    async def run(self) -> None:
        """Keep calls coming until cancelled; every call is a task of this coroutine's group."""
        digits = self.profile.digits or DEFAULT_DIGITS
        keys, weights = list(digits), list(digits.values())
        async with asyncio.TaskGroup() as calls:
            while True:
                await asyncio.sleep(self.rng.expovariate(1 / self.profile.mean_gap_s))
                calls.create_task(
                    self.one_call(
                        self.rng.choices(keys, weights)[0],
                        patience_s=self.rng.uniform(*self.profile.patience_s),
                        talk_s=self.rng.uniform(*self.profile.talk_s),
                    )
                )
