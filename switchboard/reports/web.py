"""The reports page and CSV, for a logged-in agent with the reports role only (the figures
carry agent names and talk times)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from switchboard.reports.export import page, to_csv
from switchboard.reports.figures import Period
from switchboard.reports.shell import Reports
from switchboard.reports.window import Window

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def report_routes(
    reports: Reports, may_see: Callable[[Request], bool], language: str = "en"
) -> list[BaseRoute]:
    def _window(request: Request) -> Window | str:
        """The window asked for, or what is wrong with the query."""
        q = request.query_params
        try:
            period = Period(q.get("period", "day"))
        except ValueError:
            return "period must be day, week or quarter"
        try:
            end = date.fromisoformat(q["end"]) if "end" in q else None
        except ValueError:
            return "end must be a date, YYYY-MM-DD"
        count = q.get("count", "")
        if count and not (count.isascii() and count.isdigit() and len(count) <= 3):
            return "count must be a whole number of periods"
        return reports.window(period, end, int(count) if count else None)

    async def html_page(request: Request) -> Response:
        if not may_see(request):
            return Response("log in on /screen with the reports role", 403, headers=HEADERS)
        window = _window(request)
        if isinstance(window, str):
            return Response(window, 400, headers=HEADERS)
        lang = request.query_params.get("lang", language)
        lang = lang if lang in ("no", "en") else language
        body = page(await reports.report(window), window, lang)
        return HTMLResponse(body, headers=HEADERS)

    async def csv_file(request: Request) -> Response:
        if not may_see(request):
            return Response("log in on /screen with the reports role", 403, headers=HEADERS)
        window = _window(request)
        if isinstance(window, str):
            return Response(window, 400, headers=HEADERS)
        text = to_csv(await reports.report(window), language)
        name = f"switchboard-{window.period.value}-{window.first}-{window.after}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={**HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )

    return [Route("/reports", html_page), Route("/reports.csv", csv_file)]
