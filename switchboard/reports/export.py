"""The figures as CSV and as a page with plots (bokmål or English). No personal data:
loops, periods, counts and agent names only."""

from __future__ import annotations

import csv
import html
import io
from datetime import date, timedelta

from switchboard.reports.figures import TARGET_KEPT, Report
from switchboard.reports.window import Window

COLUMNS = {
    "en": ["period", "loop", "offered", "answered", "within service level", "abandoned",
           "moved on", "answer time p50 (s)", "answer time p90 (s)", "promises due",
           "promises kept", "kept share", "kept target"],
    "no": ["periode", "sløyfe", "tilbudt", "besvart", "innen servicenivå", "lagt på",
           "flyttet videre", "svartid p50 (s)", "svartid p90 (s)", "løfter til frist",
           "løfter holdt", "andel holdt", "mål holdt"],
}  # fmt: skip
AGENT_COLUMNS = {
    "en": ["period", "agent", "answered", "talk time (s)"],
    "no": ["periode", "agent", "besvart", "samtaletid (s)"],
}


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def loop_rows(report: Report) -> list[list[str]]:
    rows = []
    for (period, loop), f in sorted(report.loops.items()):
        rows.append(
            [
                period, loop, str(f.offered), str(f.answered), str(f.within_service_level),
                str(f.abandoned), str(f.moved_on), str(f.percentile(50) or ""),
                str(f.percentile(90) or ""), str(f.promises_due), str(f.promises_kept),
                _share(f.kept_share), f"{TARGET_KEPT:.2f}",
            ]
        )  # fmt: skip
    return rows


def agent_rows(report: Report) -> list[list[str]]:
    return [
        [period, agent, str(a.answered), str(a.talk_s)]
        for (period, agent), a in sorted(report.agents.items())
    ]


def _clean(cell: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: never from us.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@") else cell


def to_csv(report: Report, language: str = "en") -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(COLUMNS[language])
    for row in loop_rows(report):
        w.writerow([_clean(c) for c in row])
    w.writerow([])
    w.writerow(AGENT_COLUMNS[language])
    for row in agent_rows(report):
        w.writerow([_clean(c) for c in row])
    return out.getvalue()


TITLES = {
    "en": ("Reports", "Calls per loop", "offered", "answered", "abandoned", "Agents",
           "Promises kept (target 95 %)", "CSV", "earlier", "later"),
    "no": ("Rapporter", "Samtaler per sløyfe", "tilbudt", "besvart", "lagt på", "Agenter",
           "Løfter holdt (mål 95 %)", "CSV", "tidligere", "senere"),
}  # fmt: skip


def _bars(report: Report, language: str) -> str:
    """An SVG bar chart: offered, answered and abandoned per loop and period."""
    t = TITLES[language]
    items = sorted(report.loops.items())
    top = max((f.offered for _, f in items), default=0) or 1
    width, bar = 40 + len(items) * 70, 18
    parts = [
        f'<svg role="img" aria-label="{html.escape(t[1])}" width="{width}" height="200" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, ((period, loop), f) in enumerate(items):
        x = 30 + i * 70
        for j, (value, colour) in enumerate(
            ((f.offered, "#1c7ed6"), (f.answered, "#2b8a3e"), (f.abandoned, "#c92a2a"))
        ):
            h = round(150 * value / top)
            parts.append(
                f'<rect x="{x + j * bar}" y="{160 - h}" width="{bar - 2}" height="{h}" '
                f'fill="{colour}"><title>{html.escape(f"{loop} {period}")}: {value}</title></rect>'
            )
        parts.append(
            f'<text x="{x}" y="175" font-size="10">{html.escape(loop)}</text>'
            f'<text x="{x}" y="190" font-size="9">{html.escape(period)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _query(window: Window, end: date) -> str:
    count = len(window.keys())
    return f"period={window.period.value}&end={end.isoformat()}&count={count}"


def page(report: Report, window: Window, language: str = "en") -> str:
    """The window's figures, with links to the window before and after it and to its CSV."""
    t = TITLES[language]
    here = _query(window, window.later() - timedelta(days=1))
    keys = window.keys()
    earlier = html.escape(f"/reports?{_query(window, window.earlier())}&lang={language}")
    later = html.escape(f"/reports?{_query(window, window.later())}&lang={language}")
    nav = (
        f'<nav><a data-testid="earlier" href="{earlier}">&larr; {t[8]}</a> '
        f"{html.escape(keys[0])} &ndash; {html.escape(keys[-1])} "
        f'<a data-testid="later" href="{later}">{t[9]} &rarr;</a></nav>'
    )
    csv_href = f"/reports.csv?{here}"
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS[language])
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in loop_rows(report)
    )
    ahead = "".join(f"<th>{html.escape(c)}</th>" for c in AGENT_COLUMNS[language])
    abody = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
        for row in agent_rows(report)
    )
    lang = "nb" if language == "no" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Switchboard — {html.escape(t[0])}</title></head><body>"
        f"<h1>{html.escape(t[0])} ({html.escape(report.period.value)})</h1>"
        f'{nav}<p><a href="{html.escape(csv_href)}">{t[7]}</a></p>'
        f"<h2>{html.escape(t[1])}</h2>{_bars(report, language)}"
        f'<table data-testid="loops"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        f'<h2>{html.escape(t[5])}</h2><table data-testid="agents"><thead><tr>{ahead}</tr>'
        f"</thead><tbody>{abody}</tbody></table></body></html>"
    )
