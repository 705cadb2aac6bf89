"""CalDAV calendars over one HTTP session per server, kept in step with sync tokens.

The first poll lists the collection (RFC 6578 sync-collection) and fetches every object with
calendar-multiget; later polls send the sync token and fetch only what changed, so an
unchanged calendar costs one small request. A server without sync-collection is listed by
ETag (PROPFIND) instead, which is as cheap in objects fetched. Objects are then read by our
own ICS rules in the worker pool, so recurrence, zones and all-day handling match every
other source.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, tzinfo
from urllib.parse import urljoin, urlsplit

import httpx

from switchboard.presence.calendar import CalendarRead
from switchboard.presence.codes import NO_CODES, SubjectCodes
from switchboard.presence.ics import DEFAULT_LIMITS, Limits
from switchboard.presence.parse_pool import ParsePool, ReadJob

DAV, CAL = "DAV:", "urn:ietf:params:xml:ns:caldav"
_NS = {"d": DAV, "c": CAL}


class DavError(RuntimeError):
    """The server refused or answered what is not CalDAV; the text says which."""


class DavSession:
    """One HTTP client (connection pool, credentials) for every calendar on one server."""

    def __init__(self, username: str, password: str, *, timeout_s: float = 20.0) -> None:
        self._auth = (username, password)
        self._timeout_s = timeout_s
        self._clients: dict[str, httpx.AsyncClient] = {}
        self.requests = 0

    def client(self, url: str) -> httpx.AsyncClient:
        parts = urlsplit(url)
        server = f"{parts.scheme}://{parts.netloc}"
        client = self._clients.get(server)
        if client is None:
            client = httpx.AsyncClient(auth=self._auth, timeout=self._timeout_s)
            self._clients[server] = client
        return client

    async def request(self, method: str, url: str, body: str, depth: str) -> httpx.Response:
        self.requests += 1
        return await self.client(url).request(
            method,
            url,
            content=body.encode(),
            headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"},
        )

    async def close(self) -> None:
        for client in self._clients.values():
            await client.aclose()
        self._clients.clear()


_SYNC = (
    '<?xml version="1.0" encoding="utf-8"?><d:sync-collection xmlns:d="DAV:">'
    "<d:sync-token>{token}</d:sync-token><d:sync-level>1</d:sync-level>"
    "<d:prop><d:getetag/></d:prop></d:sync-collection>"
)
_PROPFIND = (
    '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:">'
    "<d:prop><d:getetag/><d:resourcetype/></d:prop></d:propfind>"
)
_MULTIGET = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
    "<d:prop><d:getetag/><c:calendar-data/></d:prop>{hrefs}</c:calendar-multiget>"
)


class DavCalendar:
    """One calendar collection: its objects cached by href and ETag between polls."""

    def __init__(
        self,
        session: DavSession,
        url: str,
        local: tzinfo,
        pool: ParsePool,
        limits: Limits = DEFAULT_LIMITS,
        codes: SubjectCodes = NO_CODES,
    ) -> None:
        self._codes = codes
        self.url = url if url.endswith("/") else url + "/"
        self._session = session
        self._local = local
        self._pool = pool
        self._limits = limits
        self._token = ""
        self._sync_supported = True
        self._objects: dict[str, tuple[str, bytes]] = {}  # href -> (etag, data)

    async def fetch(self, start: datetime, end: datetime) -> CalendarRead:
        """A `Fetch` for PolledCalendar."""
        await self._sync()
        data = tuple(d for _, d in self._objects.values())
        if not data:
            return CalendarRead((), ())
        return await self._pool.read(
            ReadJob(start, end, self._local, data=data, limits=self._limits, codes=self._codes)
        )

    async def _sync(self) -> None:
        listed: dict[str, str | None] | None = None
        if self._sync_supported:
            listed = await self._changes()
        if listed is None:
            self._sync_supported = False
            listed = await self._listing()
        wanted = [h for h, etag in listed.items() if etag is not None and self._stale(h, etag)]
        for href, etag in listed.items():
            if etag is None:
                self._objects.pop(href, None)
        if wanted:
            await self._multiget(wanted)

    def _stale(self, href: str, etag: str) -> bool:
        cached = self._objects.get(href)
        return cached is None or cached[0] != etag

    async def _changes(self) -> dict[str, str | None] | None:
        """href -> ETag (None: removed) since the last token; None when unsupported."""
        response = await self._session.request(
            "REPORT", self.url, _SYNC.format(token=self._token), "1"
        )
        if response.status_code in (403, 409) and self._token:
            # The token expired (RFC 6578 3.2, valid-sync-token): start again from nothing.
            self._token, self._objects = "", {}
            response = await self._session.request("REPORT", self.url, _SYNC.format(token=""), "1")
        if response.status_code != 207:
            if response.status_code in (401, 404):
                raise DavError(f"CalDAV {response.status_code} for {self.url}")
            return None
        root = _xml(response)
        changes: dict[str, str | None] = {}
        for item in root.findall("d:response", _NS):
            href = _href(item)
            if href is None or self._is_collection(href):
                continue
            status = item.findtext("d:status", "", _NS)
            etag = item.findtext("d:propstat/d:prop/d:getetag", None, _NS)
            changes[href] = None if " 404" in status else (etag or "")
        if not self._token:  # a first sync lists everything there is
            for href in set(self._objects) - set(changes):
                changes[href] = None
        self._token = root.findtext("d:sync-token", "", _NS)
        return changes

    async def _listing(self) -> dict[str, str | None]:
        response = await self._session.request("PROPFIND", self.url, _PROPFIND, "1")
        if response.status_code != 207:
            raise DavError(f"CalDAV PROPFIND {response.status_code} for {self.url}")
        listed: dict[str, str | None] = {
            href: (item.findtext("d:propstat/d:prop/d:getetag", "", _NS) or "")
            for item in _xml(response).findall("d:response", _NS)
            if (href := _href(item)) is not None and not self._is_collection(href)
        }
        for href in set(self._objects) - set(listed):
            listed[href] = None
        return listed

    async def _multiget(self, hrefs: list[str]) -> None:
        for first in range(0, len(hrefs), 200):
            batch = "".join(f"<d:href>{_escape(h)}</d:href>" for h in hrefs[first : first + 200])
            response = await self._session.request(
                "REPORT", self.url, _MULTIGET.format(hrefs=batch), "1"
            )
            if response.status_code != 207:
                raise DavError(f"CalDAV calendar-multiget {response.status_code} for {self.url}")
            for item in _xml(response).findall("d:response", _NS):
                href = _href(item)
                data = item.findtext("d:propstat/d:prop/c:calendar-data", None, _NS)
                etag = item.findtext("d:propstat/d:prop/d:getetag", "", _NS) or ""
                if href is not None and data is not None:
                    self._objects[href] = (etag, data.encode())

    def _is_collection(self, href: str) -> bool:
        return urljoin(self.url, href).rstrip("/") == self.url.rstrip("/") or href.endswith("/")


def _href(item: ET.Element) -> str | None:
    href = item.findtext("d:href", None, _NS)
    return href.strip() if href else None


def _xml(response: httpx.Response) -> ET.Element:
    try:
        return ET.fromstring(response.content)
    except ET.ParseError:
        raise DavError("the CalDAV server answered with what is not XML") from None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
