"""Earlier router designs, kept to measure the shipped one against in the same run.

Neither ships: the router decides only what changed and wakes at the next calendar moment
from its heap. These two put back what it replaced, each in one override.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from switchboard.presence.busy import BusyInterval
from switchboard.routing.policy import next_decision_time
from switchboard.routing.reconciler import Plan, plan
from switchboard.routing.router import Router


class FullRecomputeRouter(Router):
    """Every pass decides every membership from every calendar, and waits for each reply;
    it wakes at the next boundary found by scanning every busy interval."""

    waits_for_replies = True

    @property
    def busy(self) -> Mapping[str, Sequence[BusyInterval]]:
        return self._presence.busy_intervals()

    def _decide(self, now: datetime) -> Plan:
        desired = self._desired(now, self._presence.busy_intervals())
        return plan(desired, self._state.members(), self._record())

    def _boundary_wakes(self, now: datetime) -> list[float]:
        leads = set(self._leads.values())
        boundary = next_decision_time(self._presence.busy_intervals(), now, leads)
        return [] if boundary is None else [boundary.timestamp()]


class PollOnlyRouter(FullRecomputeRouter):
    """A full recompute that never wakes for a calendar moment: only a poll finds it."""

    def _boundary_wakes(self, now: datetime) -> list[float]:
        return []
