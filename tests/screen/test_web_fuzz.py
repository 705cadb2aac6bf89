"""Fuzzing the HTTP API (hypothesis): any method, path, headers and body, logged in or not,
gets an answer below 500 (JSON with an `error` for the screen's own refusals), and nothing
is logged as an error or with a traceback.

The app is the engine's own (Starlette, every route), called in-process without a socket.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any, cast

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from switchboard.ami.client import AmiSettings
from switchboard.config import WebConfig, parse_config
from switchboard.engine import Engine
from switchboard.presence.source import InMemoryPresence
from switchboard.promises.store import MemoryPromiseStore
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.logins import hash_password
from tests.support.screen import CONFIG, MEMBERS, PASSWORDS

pytestmark = pytest.mark.fuzz

ROUTES = [
    "/api/screen/login", "/api/screen/logout", "/api/screen/me", "/api/screen/ui",
    "/api/screen/view", "/api/screen/identity", "/api/screen/correction",
    "/api/screen/dismiss", "/api/screen/status", "/api/screen/ring-in-meetings",
    "/api/screen/callback/take",
    "/api/screen/callback/done", "/api/screen/callback/release", "/screen",
    "/screen/static/screen.js", "/screen/static/../../etc/passwd", "/metrics", "/healthz",
    "/api/wallboard", "/wallboard",
]  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)  # fmt: skip
keys = st.sampled_from(
    ["agent", "password", "call_id", "member_id", "field", "value", "answer", "status", "ref"]
)
objects = st.dictionaries(keys, json_values, max_size=6)
bodies = (
    objects.map(lambda o: json.dumps(o).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=300)
    | st.integers(1, 50).map(lambda n: b"[" * (n * 40) + b"]" * (n * 40))
)
headers = st.fixed_dictionaries(
    {},
    optional={
        "content-type": st.sampled_from(
            ["application/json", "text/plain", "application/json; charset=utf-8", "", "a/b"]
        ),
        "origin": st.sampled_from(["http://testserver", "https://evil.example", "null", ""]),
        "sec-fetch-site": st.sampled_from(["same-origin", "cross-site", "same-site", "none"]),
        "x-forwarded-for": st.sampled_from(["203.0.113.9", "garbage, 10.0.0.1", ""]),
        "content-length": st.sampled_from(["0", "-1", "99999999999", "abc"]),
    },
)  # fmt: skip


class Rig:
    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        settings = parse_config(CONFIG, "screen.yaml")
        settings = replace(settings, logins={a: hash_password(p) for a, p in PASSWORDS.items()})
        directory = SqliteDirectory(":memory:", key=b"fuzz-test-key")
        directory.add_all(MEMBERS)
        self.engine = Engine(
            settings,
            AmiSettings("127.0.0.1", 1, "router", "x"),  # never connected: no PBX needed
            InMemoryPresence(),
            promise_store=MemoryPromiseStore(),
            web=WebConfig(port=0),
            directory=directory,
        )
        assert self.engine.web is not None
        app = self.engine.web.server.config.app
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=cast(Any, app)), base_url="http://testserver"
        )
        result = self.loop.run_until_complete(
            self.engine.sessions.log_in("anne", PASSWORDS["anne"], settings.logins, "10.9.9.9")
        )
        assert result.token is not None
        self.token = result.token
        session = self.engine.sessions.get(self.token)
        assert session is not None
        self.csrf = session.csrf

    def close(self) -> None:
        self.loop.run_until_complete(self.http.aclose())
        self.loop.close()


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    made = Rig()
    try:
        yield made
    finally:
        made.close()


@given(
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "OPTIONS"]),
    path=st.sampled_from(ROUTES)
    | st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=30).map(
        lambda t: "/api/screen/" + t.replace("?", "").replace("#", "")
    ),
    extra=headers,
    body=bodies,
    logged_in=st.booleans(),
    good_token=st.booleans(),
)
def test_no_request_gets_a_500_or_a_traceback(
    rig: Rig,
    method: str,
    path: str,
    extra: dict[str, str],
    body: bytes,
    logged_in: bool,
    good_token: bool,
) -> None:
    sent = {k: v for k, v in extra.items() if k != "content-length"}
    if logged_in:
        sent["cookie"] = f"sb_session={rig.token}"
        sent["x-switchboard-csrf"] = rig.csrf if good_token else "forged"
    handler = _Errors()
    logging.getLogger().addHandler(handler)
    try:
        request = rig.http.build_request(method, path, content=body, headers=sent)
        if "content-length" in extra and method == "POST":
            request.headers["content-length"] = extra["content-length"]
        reply = rig.loop.run_until_complete(_send(rig, request))
    finally:
        logging.getLogger().removeHandler(handler)
    if reply is None:
        return  # a request httpx itself refuses to send (bad Content-Length)
    if path == "/healthz" and reply.status_code == 503:
        # The health check's own answer: this engine leads but has no AMI link (none here).
        assert reply.json() == {"ami_connected": False}
    else:
        assert reply.status_code < 500, (reply.status_code, reply.text[:200])
    if (
        path.startswith("/api/screen/")
        and reply.status_code >= 400
        and reply.status_code not in (404, 405)
    ):
        assert "error" in reply.json()
    assert handler.records == []


async def _send(rig: Rig, request: httpx.Request) -> httpx.Response | None:
    try:
        return await rig.http.send(request)
    except (httpx.LocalProtocolError, httpx.ReadError, httpx.RemoteProtocolError):
        return None


class _Errors(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
