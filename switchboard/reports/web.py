"""The reports page and CSV, for a logged-in agent with the reports role only (the figures
carry agent names and talk times)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from switchboard.reports.export import page, to_csv
from switchboard.reports.figures import Period
from switchboard.reports.shell import Reports

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def report_routes(
    reports: Reports, may_see: Callable[[Request], bool], language: str = "en"
) -> list[BaseRoute]:
    def _period(request: Request) -> Period | None:
        try:
            return Period(request.query_params.get("period", "day"))
        except ValueError:
            return None

    async def html_page(request: Request) -> Response:
        if not may_see(request):
            return Response("log in on /screen with the reports role", 403, headers=HEADERS)
        period = _period(request)
        if period is None:
            return Response("period must be day, week or quarter", 400, headers=HEADERS)
        lang = request.query_params.get("lang", language)
        lang = lang if lang in ("no", "en") else language
        body = page(await reports.report(period), lang, f"/reports.csv?period={period.value}")
        return HTMLResponse(body, headers=HEADERS)

    async def csv_file(request: Request) -> Response:
        if not may_see(request):
            return Response("log in on /screen with the reports role", 403, headers=HEADERS)
        period = _period(request)
        if period is None:
            return Response("period must be day, week or quarter", 400, headers=HEADERS)
        text = to_csv(await reports.report(period), language)
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={
                **HEADERS,
                "Content-Disposition": f'attachment; filename="switchboard-{period.value}.csv"',
            },
        )

    return [Route("/reports", html_page), Route("/reports.csv", csv_file)]
