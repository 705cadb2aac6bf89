"""The lines `switchboard run` prints at start: what runs, from which config, where to look."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

from switchboard.config import Settings


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def base_url(host: str, port: int) -> str:
    """How a person reaches the web side (0.0.0.0 means every address: name this host)."""
    shown = socket.gethostname() if host in ("0.0.0.0", "::", "") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def banner(settings: Settings, version: str) -> list[str]:
    a, web = settings.ami, settings.web
    redis = (
        _without_password(settings.redis.url)
        if settings.redis
        else "none (callbacks in memory; no standby engine)"
    )
    lines = [
        f"switchboard {version}: config {settings.source}",
        f"  AMI      {a.username}@{a.host}:{a.port} (secret from ${a.secret_env})",
        f"  redis    {redis}",
        f"  members  {settings.directory_location()}",
    ]
    if web.port == 0:
        return [*lines, "  web      on a free port (web.port: 0)"]
    base = base_url(web.host, web.port)
    return [
        *lines,
        f"  screen   {base}/screen",
        f"  wallboard {base}/wallboard   metrics {base}/metrics   health {base}/healthz",
    ]
