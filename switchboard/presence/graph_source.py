"""Microsoft 365 calendars through Microsoft Graph: `calendarView/delta` per user.

EWS is being switched off in Exchange Online, so Graph is the path there. calendarView
carries `isAllDay` and `showAs` (getSchedule has no all-day flag); delta keeps a poll cheap:
the first call is a full sync of the window, later calls return only what changed.
Times are asked for in UTC (`Prefer: outlook.timezone="UTC"`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import quote

import httpx

from switchboard.presence.calendar import CalendarEvent, CalendarRead, ShowAs
from switchboard.presence.codes import NO_CODES, SubjectCodes, coded
from switchboard.presence.ics_zones import known_zone

log = logging.getLogger("switchboard.presence")

GRAPH = "https://graph.microsoft.com/v1.0"
SYNC_SPAN = timedelta(days=3)
Token = Callable[[], Awaitable[str]]

_SHOW_AS = {
    "free": ShowAs.FREE,
    "tentative": ShowAs.TENTATIVE,
    "busy": ShowAs.BUSY,
    "oof": ShowAs.OUT_OF_OFFICE,
    "workingElsewhere": ShowAs.WORKING_ELSEWHERE,
    "unknown": ShowAs.BUSY,  # Graph's "unknown": the fail-safe side is to honour it
}


class GraphError(RuntimeError):
    """Graph answered with an error status; the text says which and why (no event data)."""


def client_credentials_token(tenant: str, client_id: str, secret: str) -> Token:
    """An app-only token source (msal, client credentials); msal caches and renews it."""
    import msal  # imported here: only Graph deployments need it

    app = msal.ConfidentialClientApplication(
        client_id, authority=f"https://login.microsoftonline.com/{tenant}", client_credential=secret
    )

    async def token() -> str:
        import asyncio

        result = await asyncio.to_thread(
            app.acquire_token_for_client, scopes=["https://graph.microsoft.com/.default"]
        )
        if "access_token" not in result:
            raise GraphError(f"no Graph token: {result.get('error', 'unknown error')}")
        return str(result["access_token"])

    return token


class _Incomplete(ValueError):
    """An item that cannot be used; the message says why (never its subject)."""


def _moment(value: object, all_day: bool, local: tzinfo) -> datetime:
    if not isinstance(value, dict) or not isinstance(value.get("dateTime"), str):
        raise _Incomplete("has no usable dateTime")
    text = value["dateTime"]
    head, _, fraction = text.partition(".")
    try:
        naive = datetime.fromisoformat(head + ("." + fraction[:6] if fraction else ""))
    except ValueError:
        raise _Incomplete(f"dateTime {text[:30]!r} is not a date-time") from None
    if all_day:  # all-day items come in the event's own zone; only the date matters
        return datetime.combine(naive.date(), time(), tzinfo=local)
    # Graph answers in UTC when the Prefer header is applied, else in the event's own zone,
    # often a Windows name ("Pacific Standard Time"): both are resolved.
    zone_name = str(value.get("timeZone") or "UTC")
    zone = known_zone(zone_name)
    if zone is None:
        raise _Incomplete(f"is in unknown time zone {zone_name!r}")
    return naive.replace(tzinfo=zone)


def _event(
    item: dict[str, Any], local: tzinfo, codes: SubjectCodes = NO_CODES
) -> CalendarEvent | None:
    """The item as an event; None when it is no event (cancelled, a series master).

    The subject is read for its code only (with codes on) and not kept."""
    if item.get("isCancelled") or item.get("type") == "seriesMaster":
        return None
    if "start" not in item or "end" not in item:
        raise _Incomplete("has no start or end")
    all_day = bool(item.get("isAllDay"))
    start, end = _moment(item["start"], all_day, local), _moment(item["end"], all_day, local)
    if end < start:
        raise _Incomplete("ends before it starts")
    show_as, info = _SHOW_AS.get(str(item.get("showAs", "busy")), ShowAs.BUSY), False
    if codes.on:
        show_as, info = coded(show_as, codes.read(str(item.get("subject") or "")))
    return CalendarEvent(start, end, all_day, show_as, info)


class GraphCalendar:
    """One user's default calendar, kept in sync with calendarView/delta."""

    def __init__(
        self,
        user: str,
        http: httpx.AsyncClient,
        token: Token,
        local: tzinfo,
        codes: SubjectCodes = NO_CODES,
    ) -> None:
        self.user = user
        self._codes = codes
        self._http = http
        self._token = token
        self._local = local
        self._delta_link: str | None = None
        self._sync_end: datetime | None = None
        self._events: dict[str, CalendarEvent] = {}
        self._problems: dict[str, str] = {}  # event id -> why it was skipped
        self.requests = 0

    async def fetch(self, start: datetime, end: datetime) -> CalendarRead:
        """A `Fetch` for PolledCalendar: delta when possible, a full sync when needed."""
        if self._delta_link is None or self._sync_end is None or end > self._sync_end:
            await self._full_sync(start)
        else:
            try:
                await self._follow(self._delta_link)
            except _SyncStateGone:
                log.info("Graph delta state for %s expired; full sync", self.user)
                await self._full_sync(start)
        events = [e for e in self._events.values() if e.end > start and e.start < end]
        return CalendarRead(
            tuple(sorted(events, key=lambda e: e.start)), tuple(self._problems.values())
        )

    async def _full_sync(self, start: datetime) -> None:
        day = datetime.combine(start.date(), time(), tzinfo=start.tzinfo)
        self._sync_end = day + SYNC_SPAN
        self._events, self._problems = {}, {}
        url = (
            f"{GRAPH}/users/{quote(self.user)}/calendarView/delta"
            f"?startDateTime={_iso(day)}&endDateTime={_iso(self._sync_end)}"
        )
        await self._follow(url)

    async def _follow(self, url: str) -> None:
        changes: dict[str, tuple[int, dict[str, Any] | None]] = {}
        next_url: str | None = url
        position = 0
        while next_url is not None:
            page = await self._get(next_url)
            for item in page.get("value", []):
                position += 1
                if not isinstance(item, dict) or not item.get("id"):
                    self._problems[f"#{position}"] = (
                        f"item {position} of the sync has no id; skipped"
                    )
                    continue
                changes[str(item["id"])] = (position, None if "@removed" in item else item)
            next_url = page.get("@odata.nextLink")
            if next_url is None:
                self._delta_link = page.get("@odata.deltaLink")
        for event_id, (position, item) in changes.items():
            self._problems.pop(event_id, None)
            try:
                event = _event(item, self._local, self._codes) if item is not None else None
            except _Incomplete as exc:
                # Reported by its place in the sync, never by subject; the others are kept.
                self._problems[event_id] = f"item {position} of the sync {exc}; skipped"
                event = None
            if event is None:
                self._events.pop(event_id, None)
            else:
                self._events[event_id] = event

    async def _get(self, url: str) -> dict[str, Any]:
        self.requests += 1
        response = await self._http.get(
            url,
            headers={
                "Authorization": f"Bearer {await self._token()}",
                "Prefer": 'outlook.timezone="UTC", odata.maxpagesize=100',
            },
        )
        if response.status_code == 410:
            raise _SyncStateGone
        if response.status_code >= 400:
            code = ""
            with contextlib.suppress(ValueError):
                code = response.json().get("error", {}).get("code", "")
            retry = response.headers.get("Retry-After")
            hint = f"; retry after {retry} s" if retry else ""
            raise GraphError(f"Graph {response.status_code} {code} for {self.user}{hint}")
        body: dict[str, Any] = response.json()
        return body


class _SyncStateGone(Exception):
    pass


def _iso(moment: datetime | date) -> str:
    return quote(moment.isoformat())
