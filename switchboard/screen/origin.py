"""Who is asking: the client's address, and whether a browser request came from our own page.

The address is the socket's peer. Only when that peer is a configured trusted proxy is the
X-Forwarded-For header read, right to left, skipping our own proxies: anyone else could
write any address there and dodge the login brake or frame a colleague.

A state-changing request must come from our own page: browsers say so in Sec-Fetch-Site
(same-origin), older ones in Origin (which must name the host the request was sent to).
A request with neither header is not from a browser (curl, a script with the session
cookie already) and cross-site forgery needs a browser; it passes this check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _trusted(address: str, trusted: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str:
    """The address to throttle and log: the peer, or what our own proxies say it forwarded."""
    address = peer or "-"
    if not forwarded_for or not _trusted(address, trusted):
        return address
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return address  # a garbled chain: trust only what we saw ourselves
        if not _trusted(hop, trusted):
            return hop
        address = hop
    return address


def cross_site_problem(headers: Mapping[str, str]) -> str | None:
    """Why a state-changing request is refused as not from our own page, or None."""
    site = headers.get("sec-fetch-site")
    if site is not None:
        return None if site == "same-origin" else f"a {site} request cannot change anything here"
    origin = headers.get("origin")
    if origin is None:
        return None
    host = headers.get("host", "")
    if origin == "null" or urlsplit(origin).netloc.lower() != host.lower():
        return "a request from another site cannot change anything here"
    return None
