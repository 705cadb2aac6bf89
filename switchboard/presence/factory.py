"""The calendar factory: one polled calendar per agent whose config names one, each an island
with its own task and deadlines, read in the shared worker pool (docs/calendars.md).

It picks the source from the calendar's kind (`ics:` file or URL, `caldav:`, `graph:`,
`ews:`) and shares what the sources can share: one reader pool, one HTTP client, one CalDAV
session, one Graph token, one EWS free/busy query for every mailbox.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from switchboard.presence.caldav_source import DavCalendar, DavSession
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.codes import SubjectCodes
from switchboard.presence.config import PresenceConfig
from switchboard.presence.ews_freebusy import EwsFreeBusy
from switchboard.presence.ews_source import ews_account, ews_fetch
from switchboard.presence.graph_source import GraphCalendar, client_credentials_token
from switchboard.presence.ics import Limits
from switchboard.presence.ics_source import IcsHttp, ics_fetch
from switchboard.presence.parse_pool import ParsePool
from switchboard.presence.polled import Fetch, PolledCalendar

# agent id -> (the calendar as the config writes it, its kind, where it is)
Calendars = Mapping[str, tuple[str, str, str]]


class _GraphSession:
    """One HTTP client and one token source shared by every Graph calendar."""

    def __init__(self, p: PresenceConfig) -> None:
        # load_config refuses a graph: calendar without these; this only narrows the types.
        assert p.graph_tenant
        assert p.graph_client_id
        assert p.graph_secret_env
        self._http = httpx.AsyncClient(timeout=20)
        self._token = client_credentials_token(
            p.graph_tenant, p.graph_client_id, os.environ.get(p.graph_secret_env, "")
        )

    def calendar(self, user: str, zone: ZoneInfo, codes: SubjectCodes) -> GraphCalendar:
        return GraphCalendar(user, self._http, self._token, zone, codes)


def _ews_account(p: PresenceConfig, mailbox: str) -> Any:
    # load_config refuses an ews: calendar without these; this only narrows the types.
    assert p.ews_endpoint
    assert p.ews_username
    assert p.ews_password_env
    return ews_account(
        mailbox,
        p.ews_endpoint,
        p.ews_username,
        os.environ.get(p.ews_password_env, ""),
        impersonation=p.ews_impersonation,
        auth_type=p.ews_auth_type,
    )


def presence_from(
    p: PresenceConfig,
    calendars: Calendars,
    clock: Callable[[], datetime],
    window: timedelta = timedelta(hours=36),
) -> CalendarPresence:
    """Every agent's calendar, polled, as one presence source for the router."""
    zone = ZoneInfo(p.timezone)
    password = os.environ.get(p.caldav_password_env, "") if p.caldav_password_env else ""
    pool = ParsePool(p.calendar_workers, p.calendar_read_deadline_s)
    limits = Limits(
        max_instances=p.calendar_max_events,
        max_event_cost=p.calendar_max_expansion_steps,
        max_calendar_cost=10 * p.calendar_max_expansion_steps,
    )
    codes = p.subject_codes.codes()
    http = IcsHttp(deadline_s=p.calendar_fetch_deadline_s, max_bytes=p.calendar_max_mib << 20)
    dav = DavSession(p.caldav_username, password, timeout_s=p.calendar_fetch_deadline_s)
    polled = []
    graph: _GraphSession | None = None
    ews_mailboxes = [location for _, kind, location in calendars.values() if kind == "ews"]
    free_busy = (
        EwsFreeBusy(_ews_account(p, ews_mailboxes[0]).protocol, ews_mailboxes, zone)
        if ews_mailboxes and p.ews_mode == "free_busy"
        else None
    )
    for agent_id, (written, kind, location) in calendars.items():
        fetch: Fetch
        if kind == "caldav":
            fetch = DavCalendar(dav, location, zone, pool, limits, codes).fetch
        elif kind == "ews" and free_busy is not None:
            fetch = free_busy.fetch_for(location)
        elif kind == "ews":
            fetch = ews_fetch(partial(_ews_account, p, location), zone, codes)
        elif kind == "graph":
            graph = graph or _GraphSession(p)
            fetch = graph.calendar(location, zone, codes).fetch
        else:
            fetch = ics_fetch(location, zone, pool=pool, http=http, limits=limits, codes=codes)
        polled.append(
            PolledCalendar(
                agent_id,
                written,
                fetch,
                window=window,
                stale_after=timedelta(seconds=p.stale_after_s),
                # Fetching, waiting for a free reader, and reading, together.
                deadline_s=p.calendar_fetch_deadline_s + 2 * p.calendar_read_deadline_s,
            )
        )
    presence = CalendarPresence(
        polled,
        clock,
        poll_interval_s=p.poll_interval_s,
        tentative_is_busy=p.tentative_is_busy,
        zone=zone,
    )
    presence.resources += [pool.close, http.close, dav.close]
    return presence
