"""The supervisor's switch over AMI: closures written to AstDB, where the dialplan reads
them on every call, and the holiday notice kept up to date. Logged, one line each."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from switchboard.ami import actions
from switchboard.ami.client import AmiClient
from switchboard.ami.errors import AmiError
from switchboard.cluster.periodic import every
from switchboard.ivr.closure import CLOSURE_FAMILY, NOTICE_KEY, WHOLE_LINE
from switchboard.ivr.plan import IvrPlan
from switchboard.routing.roster import Roster
from switchboard.supervision.closures import (
    Closure,
    ClosureRefused,
    check_request,
    notice_until,
    read_closures,
    scope_key,
)

log = logging.getLogger("switchboard.supervisor")


class SupervisorSwitch:
    def __init__(
        self,
        roster: Roster,
        plan: IvrPlan,
        role: str,
        client: Callable[[], AmiClient | None],
        clock: Callable[[], datetime],
        may_act: Callable[[], bool] = lambda: True,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.roster = roster
        self.plan = plan
        self.role = role
        self.client = client
        self.clock = clock
        self.may_act = may_act
        self.wall = wall
        self.closures: dict[str, Closure] = {}
        self._notice: int | None = None  # as last written to AstDB
        self.on_change: Callable[[], None] = lambda: None

    def is_supervisor(self, agent_id: str) -> bool:
        agent = self.roster.agents.get(agent_id)
        return agent is not None and self.role in agent.roles

    async def close(self, agent_id: str, scope: str, message: str) -> None:
        check_request(self.roster, self.role, agent_id, scope, message, self.plan.closures.messages)
        await self._send(actions.db_put(CLOSURE_FAMILY, scope_key(scope), message))
        self.closures[scope] = Closure(scope, message, agent_id, self.wall())
        log.warning("%s closed by %s with message %s", _what(scope), agent_id, message)
        self.on_change()

    async def reopen(self, agent_id: str, scope: str) -> None:
        check_request(self.roster, self.role, agent_id, scope, None, ())
        if scope not in self.closures:
            raise ClosureRefused(f"{_what(scope)} is not closed")
        await self._send(actions.db_del(CLOSURE_FAMILY, scope_key(scope)))
        del self.closures[scope]
        log.warning("%s reopened by %s", _what(scope), agent_id)
        self.on_change()

    async def _send(self, action: actions.Action) -> None:
        client = self.client()
        if client is None or not client.connected.is_set() or not self.may_act():
            raise ClosureRefused("Asterisk is out of reach: nothing changed, try again")
        try:
            await client.send(action)
        except AmiError as exc:
            raise ClosureRefused(f"Asterisk did not take it ({exc}): nothing changed") from None

    async def refresh(self) -> None:
        """Re-read closures from AstDB (another engine or a restart may have set them) and
        write the holiday notice when it changed."""
        client = self.client()
        if client is None or not client.connected.is_set():
            return
        try:
            reply = await client.send(actions.db_get_tree(CLOSURE_FAMILY))
        except AmiError as exc:
            log.warning("closures not read from Asterisk: %s", exc)
            return
        found = read_closures(reply.items, [loop.id for loop in self.roster.loops])
        known = {scope: c for scope, c in self.closures.items() if found.get(scope) == c.message}
        self.closures = {s: known.get(s) or Closure(s, m) for s, m in found.items()}
        if self.may_act():
            await self._keep_notice()

    async def _keep_notice(self) -> None:
        days = self.plan.closures.holiday_notice_days
        until = notice_until(self.plan.hours, self.clock(), days)
        if until == self._notice:
            return
        action = (
            actions.db_del(CLOSURE_FAMILY, NOTICE_KEY)
            if until is None
            else actions.db_put(CLOSURE_FAMILY, NOTICE_KEY, str(until))
        )
        client = self.client()
        assert client is not None
        try:
            await client.send(action)
        except AmiError as exc:
            if until is not None:
                log.warning("holiday notice not written: %s", exc)
                return
        if until is not None:
            log.info("callers hear the holiday notice until %s", datetime.fromtimestamp(until))
        self._notice = until

    async def run(self, every_s: float = 10.0) -> None:
        await every(every_s, self.refresh, failed="closures not refreshed", logger=log)


def _what(scope: str) -> str:
    return "the whole line" if scope == WHOLE_LINE else f"loop {scope}"
