"""Statuses set through the other engine, taken in: the manual-status store is the shared
truth (an agent's own status, their "ring me in meetings" choice), each engine's router the
copy it acts on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from typing import NoReturn, Protocol

from switchboard.cluster.manual_store import ManualStatusStore
from switchboard.cluster.outage import Outage
from switchboard.routing.policy import ManualStatus

log = logging.getLogger("switchboard.engine")


class StatusHolder(Protocol):
    """What of the router status sharing reads and asks."""

    @property
    def manual(self) -> Mapping[str, ManualStatus]: ...

    @property
    def follow_ups(self) -> Mapping[str, object]: ...

    def set_manual_status(
        self, agent_id: str, status: ManualStatus, *, by_person: bool = False
    ) -> None: ...

    def set_ring_in_meetings(self, agent_id: str, on: bool) -> bool: ...


class StatusSharing:
    def __init__(
        self,
        store: ManualStatusStore,
        router: StatusHolder,
        known: Callable[[str], bool],  # an agent of the roster as it stands
        outage: Outage | None,
        changed: Callable[[], None] = lambda: None,  # the screens redraw
    ) -> None:
        self._store = store
        self._router = router
        self._known = known
        self._outage = outage
        self._changed = changed
        self._last: dict[str, ManualStatus] = {}

    async def run(self, every_s: float = 2.0) -> NoReturn:
        while True:
            await self.take_in()
            await asyncio.sleep(every_s)

    async def take_in(self) -> None:
        """One read of the store; what it holds that this engine does not, taken in."""
        try:
            shared = await self._store.load()
        except Exception as exc:  # the store is an adapter: keep what we have
            if self._outage is not None:
                self._outage.failed(exc)
            else:
                log.warning("manual statuses not read from the store: %s", exc)
            return
        if self._outage is not None:
            self._outage.succeeded()
        # A follow-up pause after a call is this engine's own, not in the store: only a
        # status newly set through the other engine ends it.
        router, last = self._router, self._last
        changed = {
            a: st
            for a, st in shared.items()
            if router.manual.get(a) != st and (a not in router.follow_ups or last.get(a) != st)
        }
        self._last = dict(shared)
        for agent_id, status in changed.items():
            if self._known(agent_id):
                router.set_manual_status(agent_id, status)
        chosen = await self._take_in_opt_ins()
        if changed or chosen:
            self._changed()

    async def _take_in_opt_ins(self) -> bool:
        """ "Ring me in meetings" choices made through the other engine (a stored choice is
        the person's own word and wins over the YAML's starting point)."""
        try:
            choices = await self._store.load_opt_ins()
        except Exception as exc:  # the store is an adapter: keep what we have
            log.warning("ring-in-meetings choices not read from the store: %s", exc)
            return False
        changed = False
        for agent_id, on in choices.items():
            if self._known(agent_id):
                changed |= self._router.set_ring_in_meetings(agent_id, on)
        return changed
