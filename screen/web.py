"""The agent screen over HTTP: login, one event stream per agent, and the agent's actions.

Security: a session cookie (HttpOnly, SameSite=Strict) plus a per-session token in a header
on every change; a strict Content-Security-Policy (no inline script); every view is built
for the session's own agent, so no request can reach another agent's caller.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from screen.answers import Refused
from screen.desk import Desk
from screen.logins import Session, Sessions
from screen.texts import say

STATIC = Path(__file__).parent / "static"
COOKIE = "sb_session"
CSRF_HEADER = "x-switchboard-csrf"
log = logging.getLogger("switchboard.screen.web")

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
) -> list[BaseRoute]:
    """Routes under /screen and /api/screen for the engine's web app."""

    def _refused(message: str, status: int = 400) -> Response:
        return _json({"error": say(message, desk.language)}, status)

    def session_of(request: Request) -> Session | None:
        return sessions.get(request.cookies.get(COOKIE))

    def changing(request: Request) -> Session | Response:
        session = session_of(request)
        if session is None:
            return _refused("not logged in (or the session expired)", 401)
        if request.headers.get(CSRF_HEADER) != session.csrf:
            return _refused("missing or wrong request token: reload the page", 403)
        return session

    async def body(request: Request) -> dict[str, object]:
        try:
            data = await request.json()
        except ValueError:
            raise Refused("the request body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused("the request body must be a JSON object")
        return data

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
        try:
            data = await body(request)
        except Refused as refused:
            return _refused(str(refused))
        agent, password = data.get("agent"), data.get("password")
        if not isinstance(agent, str) or not isinstance(password, str):
            return _refused("give agent and password")
        if sessions.locked_out(agent):
            return _refused("too many wrong passwords: wait five minutes", 429)
        token = await sessions.log_in(agent, password, logins())
        if token is None:
            log.warning("failed screen login for %r", agent[:64])
            return _refused("unknown agent or wrong password", 401)
        response = _json({"ok": True})
        response.set_cookie(
            COOKIE, token, httponly=True, samesite="strict", secure=secure_cookie, path="/"
        )
        return response

    async def logout(request: Request) -> Response:
        sessions.log_out(request.cookies.get(COOKIE))
        response = _json({"ok": True})
        response.delete_cookie(COOKIE, path="/")
        return response

    async def ui(_: Request) -> Response:
        """What the login page needs before anyone logs in: the language to label it in."""
        return _json({"language": desk.language})

    async def me(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return _refused("not logged in", 401)
        return _json({"agent": session.agent_id, "csrf": session.csrf})

    async def view(request: Request) -> Response:
        """The same view as the stream, once (for clients that cannot keep a stream open)."""
        session = session_of(request)
        if session is None:
            return _refused("not logged in", 401)
        await desk.refresh_callbacks()
        return _json(desk.view(session.agent_id))

    async def events(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return _refused("not logged in", 401)
        token = request.cookies.get(COOKIE)

        async def stream() -> AsyncIterator[str]:
            sent = ""
            while not desk.closed and not await request.is_disconnected():
                if sessions.get(token) is None:  # expired or logged out elsewhere
                    yield "event: expired\ndata: {}\n\n"
                    return
                await desk.refresh_callbacks()
                view = json.dumps(desk.view(session.agent_id), ensure_ascii=False)
                if view != sent:
                    sent = view
                    yield f"data: {view}\n\n"
                await desk.wait_for_change(board_refresh_s)

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
            except Refused as refused:
                return _refused(str(refused))
            return _json(result if result is not None else {"ok": True})

        return endpoint

    def text(data: Mapping[str, object], key: str) -> str:
        value = data.get(key)
        if not isinstance(value, str):
            raise Refused(f"give {key}")
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
    take = action(lambda s, d: desk.take_callback(s.agent_id, text(d, "ref")))
    done = action(lambda s, d: desk.finish_callback(s.agent_id, text(d, "ref")))
    release = action(lambda s, d: desk.release_callback(s.agent_id, text(d, "ref")))

    return [
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
        Route("/api/screen/callback/take", take, methods=["POST"]),
        Route("/api/screen/callback/done", done, methods=["POST"]),
        Route("/api/screen/callback/release", release, methods=["POST"]),
    ]
