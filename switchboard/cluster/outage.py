"""A shared dependency's outages (Redis): logged when one starts and once when it ends.

Every part that talks to Redis reports here instead of logging each failed attempt, so a
22 s outage is two lines, not one per second per engine: "unreachable since ..." and
"back after 22.1 s".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable


class Outage:
    def __init__(
        self,
        what: str,
        log: logging.Logger,
        monotonic: Callable[[], float] = time.monotonic,
        consequence: str = "",
    ) -> None:
        self.what = what
        self.log = log
        self.monotonic = monotonic
        self.consequence = consequence
        self.since: float | None = None
        self.failures = 0  # failed attempts in the current outage
        self.outages = 0  # outages since start
        self.last_length_s = 0.0

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, problem: object) -> None:
        """An attempt failed; the first failure of an outage is logged, the rest counted."""
        self.failures += 1
        if self.since is None:
            self.since = self.monotonic()
            self.outages += 1
            extra = f"; {self.consequence}" if self.consequence else ""
            self.log.error("%s unreachable (%s)%s", self.what, problem, extra)

    def succeeded(self) -> None:
        """An attempt worked; ends an outage (logged once, with its length)."""
        if self.since is None:
            return
        self.last_length_s = self.monotonic() - self.since
        self.log.warning(
            "%s back after %.1f s (%d failed attempts meanwhile)",
            self.what,
            self.last_length_s,
            self.failures,
        )
        self.since = None
        self.failures = 0
