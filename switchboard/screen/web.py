"""The agent screen over HTTP: login, one event stream per agent, and the agent's actions.

Security: a session cookie (HttpOnly, SameSite=Strict) plus a per-session token in a header
on every change; every change (login included) must come from our own page (screen.origin)
with a JSON body read under a per-route size cap (screen.bodies); a strict
Content-Security-Policy (no inline script); every view is built for the session's own
agent, so no request can reach another agent's caller. docs/security.md has the whole story.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from switchboard.resources import package_folder
from switchboard.screen.answers import Refused
from switchboard.screen.bodies import BodyRefused, parse_object, read_capped
from switchboard.screen.desk import Desk
from switchboard.screen.logins import Session, Sessions
from switchboard.screen.origin import Network, client_address, cross_site_problem
from switchboard.screen.texts import say

STATIC = package_folder("switchboard.screen", "static")
COOKIE = "sb_session"
CSRF_HEADER = "x-switchboard-csrf"
log = logging.getLogger("switchboard.screen.web")

# Body caps by route, in bytes: each well above what the screen itself sends.
BODY_LIMIT = 4096
BODY_LIMITS = {"/api/screen/correction": 8192}
MAX_ID_LENGTH = 64  # agent ids (the config's own limit), call ids, references
MAX_PASSWORD_LENGTH = 1024

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _json(data: object, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status, headers=SECURITY_HEADERS)


def screen_routes(
    desk: Desk,
    sessions: Sessions,
    logins: Callable[[], Mapping[str, str]],
    *,
    secure_cookie: bool = False,
    board_refresh_s: float = 1.0,
    trusted_proxies: tuple[Network, ...] = (),
) -> list[BaseRoute]:
    """Routes under /screen and /api/screen for the engine's web app."""
    desk.board_refresh_s = board_refresh_s

    def _refused(message: str, status: int = 400, headers: Mapping[str, str] = {}) -> Response:
        return JSONResponse(
            {"error": say(message, desk.language)},
            status_code=status,
            headers={**SECURITY_HEADERS, **headers},
        )

    def session_of(request: Request) -> Session | None:
        return sessions.get(request.cookies.get(COOKIE))

    def address(request: Request) -> str:
        peer = request.client.host if request.client else None
        return client_address(peer, request.headers.get("x-forwarded-for"), trusted_proxies)

    def foreign(request: Request) -> Response | None:
        """Refuse a change that did not come from our own page (login and logout included)."""
        problem = cross_site_problem(request.headers)
        if problem is None:
            return None
        log.warning("cross-site %s refused from %s", request.url.path, address(request))
        return _refused(problem, 403)

    def changing(request: Request) -> Session | Response:
        refused = foreign(request)
        if refused is not None:
            return refused
        session = session_of(request)
        if session is None:
            return _refused("not logged in (or the session expired)", 401)
        if request.headers.get(CSRF_HEADER) != session.csrf:
            return _refused("missing or wrong request token: reload the page", 403)
        return session

    def reading(
        handler: Callable[[Request, Session], Awaitable[Response]],
    ) -> Callable[[Request], Awaitable[Response]]:
        """A read for the logged-in agent alone: 401 without a live session."""

        async def endpoint(request: Request) -> Response:
            session = session_of(request)
            if session is None:
                return _refused("not logged in", 401)
            return await handler(request, session)

        return endpoint

    async def body(request: Request) -> dict[str, object]:
        """The JSON object sent, read under this route's cap (BodyRefused says what is wrong)."""
        kind = request.headers.get("content-type", "").partition(";")[0].strip().lower()
        if kind != "application/json":
            raise BodyRefused(415, "send the request body as application/json")
        limit = BODY_LIMITS.get(request.url.path, BODY_LIMIT)
        raw = await read_capped(request.stream(), limit, request.headers.get("content-length"))
        return parse_object(raw)

    async def page(_: Request) -> Response:
        return FileResponse(
            STATIC / "screen.html", media_type="text/html", headers=SECURITY_HEADERS
        )

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        types = {"screen.js": "text/javascript", "screen.css": "text/css"}
        if name not in types:
            return Response(status_code=404)
        return FileResponse(STATIC / name, media_type=types[name], headers=SECURITY_HEADERS)

    async def login(request: Request) -> Response:
        refused = foreign(request)
        if refused is not None:
            return refused
        try:
            data = await body(request)
        except BodyRefused as bad:
            return _refused(str(bad), bad.status)
        agent, password = data.get("agent"), data.get("password")
        if not isinstance(agent, str) or not isinstance(password, str):
            return _refused("give agent and password")
        if len(agent) > MAX_ID_LENGTH or len(password) > MAX_PASSWORD_LENGTH:
            return _refused("unknown agent or wrong password", 401)
        result = await sessions.log_in(agent, password, logins(), address(request))
        if result.refused is not None:
            wait = max(1, round(result.refused.retry_after_s))
            message = (
                f"too many wrong passwords: wait {wait} s"
                if result.refused.reason == "locked"
                else f"too many login attempts from your address: wait {wait} s"
            )
            return _refused(message, 429, {"Retry-After": str(wait)})
        if result.token is None:
            return _refused("unknown agent or wrong password", 401)
        response = _json({"ok": True})
        response.set_cookie(
            COOKIE, result.token, httponly=True, samesite="strict", secure=secure_cookie, path="/"
        )
        return response

    async def logout(request: Request) -> Response:
        refused = foreign(request)
        if refused is not None:
            return refused
        sessions.log_out(request.cookies.get(COOKIE))
        response = _json({"ok": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    async def ui(_: Request) -> Response:
        """What the login page needs before anyone logs in: the language to label it in."""
        return _json({"language": desk.language})

    @reading
    async def me(request: Request, session: Session) -> Response:
        return _json({"agent": session.agent_id, "csrf": session.csrf})

    @reading
    async def view(request: Request, session: Session) -> Response:
        """The same view as the stream, once (for clients that cannot keep a stream open)."""
        await desk.promise_work.refresh()
        return _json(desk.view(session.agent_id))

    @reading
    async def events(request: Request, session: Session) -> Response:
        token = request.cookies.get(COOKIE)

        async def stream() -> AsyncIterator[str]:
            # The agent's own part when it changes; the board (one text shared by every
            # screen) only when its version moves, spliced in: nothing when nothing changed.
            sent, sent_board = "", -1
            while not desk.closed and not await request.is_disconnected():
                if sessions.get(token) is None:  # expired or logged out elsewhere
                    yield "event: expired\ndata: {}\n\n"
                    return
                await desk.promise_work.refresh()
                own = desk.own_json(session.agent_id)
                version, board_text = desk.board_json()
                if own != sent or version != sent_board:
                    body = own
                    if version != sent_board:
                        body = f'{own[:-1]}, "board": {board_text}}}'
                    sent, sent_board = own, version
                    yield f"data: {body}\n\n"
                await desk.wait_for_change(board_refresh_s, session.agent_id)

        headers = {**SECURITY_HEADERS, "X-Accel-Buffering": "no"}
        return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)

    def action(
        handler: Callable[[Session, dict[str, object]], object],
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            session = changing(request)
            if isinstance(session, Response):
                return session
            try:
                result = handler(session, await body(request))
                if inspect.isawaitable(result):
                    result = await result
            except BodyRefused as bad:
                return _refused(str(bad), bad.status)
            except Refused as refused:
                return _refused(str(refused))
            return _json(result if result is not None else {"ok": True})

        return endpoint

    def text(data: Mapping[str, object], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise Refused(f"give {key}")
        if key != "value" and len(value) > MAX_ID_LENGTH:
            raise Refused(f"{key} is longer than {MAX_ID_LENGTH} characters")
        return value

    def optional(data: Mapping[str, object], key: str) -> str:
        value = data.get(key, "")
        if not isinstance(value, str):
            raise Refused(f"{key} must be text")
        return value

    def answer(data: Mapping[str, object]) -> Mapping[str, object]:
        value = data.get("answer")
        if not isinstance(value, dict):
            raise Refused("give answer")
        return value

    identity = action(lambda s, d: desk.answer_identity(s.agent_id, text(d, "call_id"), answer(d)))
    correct = action(
        lambda s, d: desk.correct(
            s.agent_id, text(d, "call_id"), text(d, "member_id"), text(d, "field"), text(d, "value")
        )
    )
    dismiss = action(lambda s, d: desk.dismiss(s.agent_id, text(d, "call_id")))
    status = action(lambda s, d: desk.set_status(s.agent_id, text(d, "status")))
    ring_in_meetings = action(lambda s, d: desk.set_ring_in_meetings(s.agent_id, text(d, "ring")))
    take = action(lambda s, d: desk.promise_work.take(s.agent_id, text(d, "ref")))
    done = action(
        lambda s, d: desk.promise_work.finish(s.agent_id, text(d, "ref"), optional(d, "outcome"))
    )
    release = action(lambda s, d: desk.promise_work.release(s.agent_id, text(d, "ref")))

    @reading
    async def recording_list(request: Request, session: Session) -> Response:
        try:
            return _json({"recordings": desk.recording_list(session.agent_id)})
        except Refused as refused:
            return _refused(str(refused), 403)

    @reading
    async def recording_file(request: Request, session: Session) -> Response:
        try:
            path = desk.recording_file(session.agent_id, request.path_params["name"])
        except Refused as refused:
            return _refused(str(refused), 403)
        return FileResponse(path, media_type="application/octet-stream", headers=SECURITY_HEADERS)

    close = action(lambda s, d: desk.close_line(s.agent_id, text(d, "scope"), text(d, "message")))
    reopen = action(lambda s, d: desk.reopen_line(s.agent_id, text(d, "scope")))

    # Promises: inquiries registered from the card, new dates, status by reference, history.
    inquiry = action(lambda s, d: desk.register_inquiry(s.agent_id, text(d, "call_id"), d))
    new_date = action(
        lambda s, d: desk.promise_work.new_date(
            s.agent_id, text(d, "ref"), text(d, "date"), text(d, "reason")
        )
    )
    search = action(lambda s, d: desk.promise_work.search(s.agent_id, text(d, "ref")))
    history = action(lambda s, d: desk.history(s.agent_id, text(d, "call_id")))

    return [
        Route("/api/screen/inquiry", inquiry, methods=["POST"]),
        Route("/api/screen/promise/new-date", new_date, methods=["POST"]),
        Route("/api/screen/promise/search", search, methods=["POST"]),
        Route("/api/screen/history", history, methods=["POST"]),
        Route("/screen", page),
        Route("/screen/static/{name}", asset),
        Route("/api/screen/login", login, methods=["POST"]),
        Route("/api/screen/logout", logout, methods=["POST"]),
        Route("/api/screen/me", me),
        Route("/api/screen/ui", ui),
        Route("/api/screen/events", events),
        Route("/api/screen/view", view),
        Route("/api/screen/identity", identity, methods=["POST"]),
        Route("/api/screen/correction", correct, methods=["POST"]),
        Route("/api/screen/dismiss", dismiss, methods=["POST"]),
        Route("/api/screen/status", status, methods=["POST"]),
        Route("/api/screen/ring-in-meetings", ring_in_meetings, methods=["POST"]),
        Route("/api/screen/callback/take", take, methods=["POST"]),
        Route("/api/screen/callback/done", done, methods=["POST"]),
        Route("/api/screen/callback/release", release, methods=["POST"]),
        Route("/api/screen/closure/close", close, methods=["POST"]),
        Route("/api/screen/recordings", recording_list),
        Route("/api/screen/recordings/{name}", recording_file),
        Route("/api/screen/closure/reopen", reopen, methods=["POST"]),
    ]
