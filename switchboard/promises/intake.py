"""Callback requests from Asterisk into the promise store, and promise statuses back.

The dialplan writes each request to AstDB (`sb-callback/<ref>`); the acting engine copies
them into the store on its passes with Asterisk (the router runs this as one of its duties,
so it happens only while connected and acting) and removes a request from AstDB once the
callback is done. The IVR's status-by-reference reads `sb-status/<ref>`, kept here too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Protocol

from switchboard.ami import actions
from switchboard.ami.client import AmiClient
from switchboard.ami.errors import AmiError
from switchboard.ami.events import DbEntry
from switchboard.ivr.dialplan import CALLBACK_FAMILY, STATUS_FAMILY
from switchboard.ivr.plan import IvrPlan
from switchboard.promises.callbacks import CallbackParseError, from_astdb
from switchboard.promises.promise import Promise
from switchboard.promises.status import status_changes
from switchboard.routing.privacy import masked_number

log = logging.getLogger("switchboard.router")


class CallbackSink(Protocol):
    async def add(self, promise: Promise) -> Promise | None: ...


def _uncounted(_action: str, _n: int) -> None:
    pass


class CallbackIntake:
    def __init__(self, store: CallbackSink, working_days: int = 2) -> None:
        self.store = store
        self.working_days = working_days
        self.plan: IvrPlan | None = None
        self.client: AmiClient | None = None
        self.count: Callable[[str, int], None] = _uncounted  # AMI actions, for /metrics
        self.report: Callable[[str], None] = log.warning  # a request we cannot read
        self.stored = 0
        self.errors = 0
        self.due = True  # read AstDB for requests on the first pass
        self.statuses_published: dict[str, str] = {}  # what AstDB sb-status holds, as we put it

    def reconnected(self) -> None:
        """Asterisk may have restarted: re-read requests, put every status again."""
        self.due = True
        self.statuses_published = {}

    async def run_once(self) -> None:
        if self.due:
            await self.collect()

    async def collect(self) -> None:
        """Copy callback requests from AstDB into the store; idempotent, loses nothing."""
        assert self.client is not None
        assert self.plan is not None
        try:
            reply = await self.client.send(actions.db_get_tree(CALLBACK_FAMILY))
        except AmiError as exc:
            log.warning("could not read callback requests from Asterisk: %s", exc)
            return
        self.count("DBGetTree", 1)
        for item in reply.items:
            if not isinstance(item, DbEntry):
                continue
            try:
                request = from_astdb(
                    item.key, item.value, self.plan.hours, self.working_days, self.plan.routes
                )
            except CallbackParseError as bad:
                self.report(str(bad))
                continue
            try:
                added = await self.store.add(request)
            except Exception as exc:  # the store is an adapter (Redis): keep the router up
                self.errors += 1
                log.error("callback %s not stored yet (%s); kept in Asterisk", request.ref, exc)
                return
            if added is not None:
                self.stored += 1
                log.info(
                    "callback %s stored for %s, due %s",
                    request.ref,
                    masked_number(request.number),
                    request.due.astimezone(self.plan.hours.zone).strftime("%a %d %b %H:%M %z"),
                )
        self.due = False

    async def forget(self, ref: str) -> None:
        """Drop a finished request from AstDB (the store keeps the record)."""
        assert self.client is not None
        await self.client.send(actions.db_del(CALLBACK_FAMILY, ref))
        self.count("DBDel", 1)

    async def publish_statuses(self, wanted: Mapping[str, str]) -> None:
        """Keep AstDB sb-status/<ref> as `wanted` says (the IVR reads it); only changes go."""
        if self.client is None:
            return
        put, gone = status_changes(self.statuses_published, wanted)
        for ref, value in put.items():
            await self.client.send(actions.db_put(STATUS_FAMILY, ref, value))
            self.statuses_published[ref] = value
        for ref in gone:
            await self.client.send(actions.db_del(STATUS_FAMILY, ref))
            self.statuses_published.pop(ref, None)
        self.count("DBPut", len(put))
        self.count("DBDel", len(gone))
