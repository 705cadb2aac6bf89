"""The screen's HTTP doors under attack: guessing, huge and deep bodies, cross-site posts.

Each test performs an attack from the issue-14 run against a live engine and states what
the engine now does instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
from collections.abc import AsyncIterator

import httpx
import pytest

from switchboard.screen.origin import client_address, cross_site_problem, networks
from tests.support.screen import PASSWORDS, ScreenRig, screen_engine

LOGIN = "/api/screen/login"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def test_sixty_parallel_wrong_passwords_get_at_most_five_checks() -> None:
    # Before: 60 x 401, no 429 (all 60 were checked by scrypt).
    async with screen_engine() as rig, httpx.AsyncClient(base_url=rig.base) as http:
        replies = await asyncio.gather(
            *(http.post(LOGIN, json={"agent": "anne", "password": f"g{i}"}) for i in range(60))
        )
        codes = [r.status_code for r in replies]
        assert codes.count(401) <= 5
        assert codes.count(429) == 60 - codes.count(401)
        refused = next(r for r in replies if r.status_code == 429)
        assert int(refused.headers["Retry-After"]) >= 1
        assert "too many wrong passwords" in refused.json()["error"]


async def test_a_forged_forwarded_for_header_neither_dodges_nor_frames() -> None:
    async with screen_engine() as rig, httpx.AsyncClient(base_url=rig.base) as http:
        for i in range(8):  # a new "address" each time: not believed (no trusted proxy)
            await http.post(
                LOGIN,
                json={"agent": "anne", "password": "guess"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            )
        again = await http.post(
            LOGIN,
            json={"agent": "anne", "password": PASSWORDS["anne"]},
            headers={"X-Forwarded-For": "203.0.113.200"},
        )
        assert again.status_code == 429


def test_forwarded_for_is_read_only_from_a_trusted_proxy() -> None:
    proxy = networks(["10.0.0.0/30", "::1"])
    chain = "198.51.100.7, 10.0.0.2"
    assert client_address("192.0.2.1", chain, proxy) == "192.0.2.1"  # not our proxy: the socket
    assert client_address("10.0.0.1", chain, proxy) == "198.51.100.7"
    assert client_address("10.0.0.1", "evil, 198.51.100.7", proxy) == "198.51.100.7"
    assert client_address("10.0.0.1", "not-an-address", proxy) == "10.0.0.1"
    assert client_address("::1", None, proxy) == "::1"


async def _huge(total: int) -> AsyncIterator[bytes]:
    chunk = b"x" * (1 << 20)
    for _ in range(total // len(chunk)):
        yield chunk


async def test_a_200_mb_login_body_is_refused_without_being_read() -> None:
    # Before: read whole (RSS 195 -> 592 MB). Now 413 after the first 4 KB.
    async with screen_engine() as rig, httpx.AsyncClient(base_url=rig.base) as http:
        before = _peak_rss_mb()
        declared = await http.post(
            LOGIN, content=b"{}", headers={"Content-Type": "application/json"}
        )
        assert declared.status_code == 400
        try:
            streamed = await http.post(
                LOGIN, content=_huge(200 << 20), headers={"Content-Type": "application/json"}
            )
        except (httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadError):
            pass  # the engine answered 413 and closed while we were still sending: also fine
        else:
            assert streamed.status_code == 413
            assert "larger than 4096 bytes" in streamed.json()["error"]
        # A declared 200 MB is refused at the headers, before any of it is sent.
        host, port = rig.base.removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(
            b"POST /api/screen/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n{" % (200 << 20)
        )
        await writer.drain()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        writer.close()
        await writer.wait_closed()
        assert status_line.startswith(b"HTTP/1.1 413")
        assert _peak_rss_mb() - before < 50


async def test_deep_json_and_hostile_bodies_get_a_clear_400_and_no_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Before: JSON nested 100,000 deep gave a 500 and a RecursionError traceback.
    caplog.set_level(logging.DEBUG)
    async with screen_engine() as rig, httpx.AsyncClient(base_url=rig.base) as http:
        json_headers = {"Content-Type": "application/json"}
        deep = b"[" * 2000 + b"]" * 2000
        reply = await http.post(LOGIN, content=deep, headers=json_headers)
        assert reply.status_code == 400
        assert reply.json()["error"] == "the request body nests deeper than 8 levels"
        very_deep = b"[" * 100_000 + b"]" * 100_000
        assert (await http.post(LOGIN, content=very_deep, headers=json_headers)).status_code == 413
        for body, expected in [
            (b"\xff\xfe", "the request body is not UTF-8 text"),
            (b"{", "the request body is not JSON"),
            (b"[1]", "the request body must be a JSON object"),
            (b'{"agent": 1, "password": []}', "give agent and password"),
        ]:
            reply = await http.post(LOGIN, content=body, headers=json_headers)
            assert (reply.status_code, reply.json()["error"]) == (400, expected)
        await _log_in(http, rig)
        me = (await http.get("/api/screen/me")).json()
        changing = {**json_headers, "X-Switchboard-CSRF": me["csrf"]}
        deep_answer = b'{"call_id": "c1", "answer": ' + b"{" * 1500 + b"}" * 1500 + b"}"
        reply = await http.post("/api/screen/identity", content=deep_answer, headers=changing)
        assert reply.status_code == 400
        megabyte = b'{"call_id": "c", "member_id": "m1", "field": "address", "value": "%s"}' % (
            b"x" * (1 << 20)
        )
        reply = await http.post("/api/screen/correction", content=megabyte, headers=changing)
        assert reply.status_code == 413
        long_id = b'{"call_id": "%s", "answer": {}}' % (b"c" * 500)
        reply = await http.post("/api/screen/identity", content=long_id, headers=changing)
        assert reply.json()["error"] == "call_id is longer than 64 characters"
    assert not [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()]
    assert all(r.levelno < logging.ERROR for r in caplog.records)


async def _log_in(http: httpx.AsyncClient, rig: ScreenRig, agent: str = "anne") -> None:
    reply = await http.post(LOGIN, json={"agent": agent, "password": PASSWORDS[agent]})
    assert reply.status_code == 200, reply.text


async def test_a_cross_site_post_cannot_log_in_or_change_anything() -> None:
    # Before: a cross-site text/plain POST to /login was accepted; Origin never checked.
    async with screen_engine() as rig, httpx.AsyncClient(base_url=rig.base) as http:
        body = json.dumps({"agent": "anne", "password": PASSWORDS["anne"]})
        form_post = await http.post(
            LOGIN,
            content=body,
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example"},
        )
        assert form_post.status_code == 403
        plain = await http.post(LOGIN, content=body, headers={"Content-Type": "text/plain"})
        assert plain.status_code == 415
        fetch_metadata = await http.post(
            LOGIN, content=body, headers={"Content-Type": "application/json",
                                          "Sec-Fetch-Site": "cross-site"}
        )  # fmt: skip
        assert fetch_metadata.status_code == 403
        await _log_in(http, rig)
        me = (await http.get("/api/screen/me")).json()
        status = await http.post(
            "/api/screen/status",
            json={"status": "lunch"},
            headers={"X-Switchboard-CSRF": me["csrf"], "Origin": "https://evil.example"},
        )
        assert status.status_code == 403
        assert rig.engine.router.manual.get("anne") is None or (
            rig.engine.router.manual["anne"].value != "lunch"
        )
        logout = await http.post("/api/screen/logout", headers={"Sec-Fetch-Site": "same-site"})
        assert logout.status_code == 403
        assert (await http.get("/api/screen/me")).status_code == 200  # still logged in
        own_page = await http.post(
            "/api/screen/status",
            json={"status": "lunch"},
            headers={"X-Switchboard-CSRF": me["csrf"], "Origin": rig.base,
                     "Sec-Fetch-Site": "same-origin"},
        )  # fmt: skip
        assert own_page.status_code == 200


def test_the_origin_rule() -> None:
    assert cross_site_problem({"sec-fetch-site": "same-origin"}) is None
    assert cross_site_problem({"sec-fetch-site": "none"}) is not None
    assert cross_site_problem({"origin": "https://sb.example", "host": "sb.example"}) is None
    assert cross_site_problem({"origin": "null", "host": "sb.example"}) is not None
    assert cross_site_problem({"origin": "https://sb.example.evil", "host": "sb.example"})
    assert cross_site_problem({"host": "sb.example"}) is None  # not a browser
