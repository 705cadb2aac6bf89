"""The engine's HTTP side for ops: /metrics (exactly), the wallboard, and a health check."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from switchboard.ops.metrics import EngineCollector, EngineView, counted_agents, loop_figures
from switchboard.resources import package_folder

STATIC = package_folder("switchboard.ops", "static")


def wallboard_data(view: EngineView) -> dict[str, object]:
    """Per loop: waiting, longest wait, agents by state, service level; callbacks."""
    state = view.state()
    now = view.clock().timestamp()
    agents = counted_agents(view)
    loops = []
    for loop in view.roster().loops:
        f = loop_figures(state, loop.queue, now)
        level = f.service_level
        loops.append(
            {
                "id": loop.id,
                "queue": loop.queue,
                "title": loop.title,
                "waiting": f.waiting,
                "longest_wait_s": round(f.longest_wait_s),
                "offered": f.offered,
                "answered": f.answered,
                "abandoned": f.abandoned,
                "timed_out": f.timed_out,
                "moved_on": f.moved_on,
                "abandon_rate": None if f.abandon_rate is None else round(f.abandon_rate, 3),
                "service_level": None if level is None else round(level, 3),
                "agents": agents[loop.queue],
            }
        )
    counts = view.callbacks()
    return {
        "loops": loops,
        "service_level_target_s": view.service_level_s,
        "callbacks": None if counts is None else {"open": counts.open, "overdue": counts.overdue},
        "ami_connected": view.ami_connected(),
        "leader": view.is_leader(),
        "phones_open": view.phones_open(),  # None: no opening hours configured
        "language": view.ui_language,
    }


def build_app(view: EngineView) -> Starlette:
    """The ops routes alone, as an app (the engine mounts them beside the screen's)."""
    return Starlette(routes=ops_routes(view))


def ops_routes(
    view: EngineView,
    refresh: Callable[[], Awaitable[None]] = lambda: asyncio.sleep(0),
    push_interval_s: float = 1.0,
    stopping: Callable[[], bool] = lambda: False,  # streams end when the engine stops
) -> list[BaseRoute]:
    """Metrics, the wallboard and the health check; `refresh` updates anything read
    asynchronously (callback counts)."""
    registry = CollectorRegistry(auto_describe=True)
    registry.register(EngineCollector(view))

    async def metrics(_: Request) -> Response:
        await refresh()
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    async def wallboard(_: Request) -> Response:
        return FileResponse(STATIC / "wallboard.html", media_type="text/html")

    async def wallboard_script(_: Request) -> Response:
        return FileResponse(STATIC / "wallboard.js", media_type="text/javascript")

    async def wallboard_style(_: Request) -> Response:
        return FileResponse(STATIC / "wallboard.css", media_type="text/css")

    async def wallboard_json(_: Request) -> Response:
        await refresh()
        return JSONResponse(wallboard_data(view))

    async def wallboard_events(request: Request) -> Response:
        async def stream() -> AsyncIterator[str]:
            while not stopping() and not await request.is_disconnected():
                await refresh()
                yield f"data: {json.dumps(wallboard_data(view))}\n\n"
                await asyncio.sleep(push_interval_s)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def health(_: Request) -> Response:
        ok = view.ami_connected() or not view.is_leader()
        return JSONResponse({"ami_connected": view.ami_connected()}, status_code=200 if ok else 503)

    # Plain routes, not a Mount: a mounted app answers /metrics with a 307 to /metrics/,
    # which some scrapers do not follow.
    return [
        Route("/metrics", metrics),
        Route("/wallboard", wallboard),
        Route("/wallboard/wallboard.js", wallboard_script),
        Route("/wallboard/wallboard.css", wallboard_style),
        Route("/api/wallboard", wallboard_json),
        Route("/api/wallboard/events", wallboard_events),
        Route("/healthz", health),
    ]


class WebServer:
    """uvicorn inside our event loop, stoppable."""

    def __init__(self, app: Starlette, host: str, port: int) -> None:
        # Open event streams (wallboards, agent screens) must not hold a stop up for long.
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=3,
            # The client address is the socket's; screen.origin reads X-Forwarded-For itself,
            # and only from the proxies the config trusts (uvicorn would trust 127.0.0.1).
            proxy_headers=False,
        )
        self.server = uvicorn.Server(config)

    @property
    def port(self) -> int:
        sockets = self.server.servers[0].sockets if self.server.servers else []
        return int(sockets[0].getsockname()[1]) if sockets else 0

    async def serve(self) -> None:
        await self.server.serve()

    async def wait_started(self) -> None:
        while not self.server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
            await asyncio.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
