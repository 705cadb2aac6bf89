"""Microsoft Graph calendarView/delta, on responses shaped as Microsoft documents them."""

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from switchboard.presence.busy import BusyInterval
from switchboard.presence.graph_source import GraphCalendar, GraphError
from switchboard.presence.rules import classify

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
CTX = "https://graph.microsoft.com/v1.0/$metadata#Collection(event)"
DELTA = "https://graph.microsoft.com/v1.0/users/anne%40example.org/calendarView/delta?$deltatoken=R0usmci39"
NEXT = "https://graph.microsoft.com/v1.0/users/anne%40example.org/calendarView/delta?$skiptoken=R0usmcCM996"


def event(eid: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    item = {
        "@odata.type": "#microsoft.graph.event",
        "@odata.etag": 'W/"EZ9r3czxY0m2jz8c45czkwAAFXcvIw=="',
        "id": eid,
        "subject": "Salary talk",
        "isAllDay": False,
        "isCancelled": False,
        "showAs": "busy",
        "type": "singleInstance",
        "sensitivity": "normal",
        "start": {"dateTime": f"{start}.0000000", "timeZone": "UTC"},
        "end": {"dateTime": f"{end}.0000000", "timeZone": "UTC"},
    }
    item.update(extra)
    return item


# All-day items come in the event's own zone, whatever outlook.timezone asked for.
ALL_DAY = {
    **event("AAMk-3", "2026-11-24T00:00:00", "2026-11-25T00:00:00", isAllDay=True),
    "start": {"dateTime": "2026-11-24T00:00:00.0000000", "timeZone": "W. Europe Standard Time"},
    "end": {"dateTime": "2026-11-25T00:00:00.0000000", "timeZone": "W. Europe Standard Time"},
}


class Graph:
    """Answers like Graph: a two-page full sync, then a delta."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.delta_pages: list[dict[str, Any]] = []
        self.expire_delta = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        url = str(request.url)
        if "deltatoken" in url:
            if self.expire_delta:
                return httpx.Response(410, json={"error": {"code": "SyncStateNotFound"}})
            return httpx.Response(200, json=self.delta_pages.pop(0))
        if "skiptoken" in url:
            return httpx.Response(
                200,
                json={
                    "@odata.context": CTX,
                    "@odata.deltaLink": DELTA,
                    "value": [
                        event(
                            "AAMk-2", "2026-11-23T10:00:00", "2026-11-23T11:00:00", showAs="free"
                        ),
                        ALL_DAY,
                    ],
                },
            )
        return httpx.Response(
            200,
            json={
                "@odata.context": CTX,
                "@odata.nextLink": NEXT,
                "value": [
                    event("AAMk-1", "2026-11-23T09:00:00", "2026-11-23T11:00:00", type="occurrence")
                ],
            },
        )


async def _token() -> str:
    return "eyJ0eXAi.test"


def _calendar(graph: Graph) -> GraphCalendar:
    http = httpx.AsyncClient(transport=httpx.MockTransport(graph))
    return GraphCalendar("anne@example.org", http, _token, OSLO)


async def test_a_full_sync_follows_pages_and_applies_the_house_rules() -> None:
    graph = Graph()
    calendar = _calendar(graph)
    result = await calendar.fetch(NOW, NOW + timedelta(hours=36))
    verdict = classify(result.events)
    assert verdict.busy == (
        BusyInterval(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 11, tzinfo=UTC)),
    )
    (all_day,) = verdict.ignored_all_day
    assert all_day.start == datetime(2026, 11, 24, tzinfo=OSLO)
    first = graph.requests[0]
    assert "/users/anne%40example.org/calendarView/delta?startDateTime=" in str(first.url)
    assert first.headers["Authorization"] == "Bearer eyJ0eXAi.test"
    assert 'outlook.timezone="UTC"' in first.headers["Prefer"]
    assert "Salary" not in repr(result)


async def test_a_later_poll_fetches_only_the_changes() -> None:
    graph = Graph()
    calendar = _calendar(graph)
    await calendar.fetch(NOW, NOW + timedelta(hours=36))
    graph.delta_pages.append(
        {
            "@odata.context": CTX,
            "@odata.deltaLink": DELTA,
            "value": [
                {
                    "@odata.type": "#microsoft.graph.event",
                    "id": "AAMk-1",
                    "@removed": {"reason": "deleted"},
                },
                event("AAMk-2", "2026-11-23T10:00:00", "2026-11-23T11:00:00", showAs="oof"),
            ],
        }
    )
    result = await calendar.fetch(NOW, NOW + timedelta(hours=36))
    assert len(graph.requests) == 3  # two pages of full sync, then one delta
    assert classify(result.events).busy == (
        BusyInterval(
            datetime(2026, 11, 23, 10, tzinfo=UTC), datetime(2026, 11, 23, 11, tzinfo=UTC)
        ),
    )


async def test_an_expired_delta_token_means_a_fresh_full_sync() -> None:
    graph = Graph()
    calendar = _calendar(graph)
    await calendar.fetch(NOW, NOW + timedelta(hours=36))
    graph.expire_delta = True
    result = await calendar.fetch(NOW, NOW + timedelta(hours=36))
    assert len(graph.requests) == 5
    assert len(classify(result.events).busy) == 1


async def test_throttling_is_a_source_error_with_the_retry_hint() -> None:
    def throttled(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429, headers={"Retry-After": "30"}, json={"error": {"code": "TooManyRequests"}}
        )

    calendar = GraphCalendar(
        "anne@example.org",
        httpx.AsyncClient(transport=httpx.MockTransport(throttled)),
        _token,
        OSLO,
    )
    with pytest.raises(
        GraphError, match=r"429 TooManyRequests for anne@example\.org; retry after 30 s"
    ):
        await calendar.fetch(NOW, NOW + timedelta(hours=36))


def _one_page(*items: dict[str, Any]) -> GraphCalendar:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, json={"@odata.context": CTX, "@odata.deltaLink": DELTA, "value": list(items)}
        )

    return GraphCalendar(
        "anne@example.org", httpx.AsyncClient(transport=httpx.MockTransport(answer)), _token, OSLO
    )


async def test_a_windows_zone_name_is_resolved_when_the_prefer_header_was_not_applied() -> None:
    pacific = {
        **event("AAMk-1", "2026-11-23T01:00:00", "2026-11-23T02:00:00"),
        "start": {"dateTime": "2026-11-23T01:00:00.0000000", "timeZone": "Pacific Standard Time"},
        "end": {"dateTime": "2026-11-23T02:00:00.0000000", "timeZone": "Pacific Standard Time"},
    }
    result = await _one_page(pacific).fetch(NOW, NOW + timedelta(hours=36))
    assert classify(result.events).busy == (
        BusyInterval(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 10, tzinfo=UTC)),
    )
    assert result.problems == ()


async def test_incomplete_items_are_skipped_and_reported_by_position_the_rest_kept() -> None:
    # Microsoft's own delta sample has items without start; others come with odd zones.
    no_start = {k: v for k, v in event("AAMk-1", "x", "x").items() if k not in ("start", "end")}
    martian = {
        **event("AAMk-2", "2026-11-23T09:00:00", "2026-11-23T10:00:00"),
        "start": {"dateTime": "2026-11-23T09:00:00.0000000", "timeZone": "Mars/Olympus"},
    }
    good = event("AAMk-3", "2026-11-23T12:00:00", "2026-11-23T13:00:00")
    result = await _one_page(no_start, martian, good).fetch(NOW, NOW + timedelta(hours=36))
    assert [e.start for e in result.events] == [datetime(2026, 11, 23, 12, tzinfo=UTC)]
    assert result.problems == (
        "item 1 of the sync has no start or end; skipped",
        "item 2 of the sync is in unknown time zone 'Mars/Olympus'; skipped",
    )
    assert "Salary" not in repr(result)


async def test_calendar_codes_in_graph_subjects_decide_before_show_as() -> None:
    from switchboard.presence.codes import SubjectCodes

    graph = Graph()
    graph_items = [
        event("C-1", "2026-11-23T09:00:00", "2026-11-23T10:00:00", showAs="free", subject="MØT: X"),
        event("C-2", "2026-11-23T11:00:00", "2026-11-23T12:00:00", subject=";Lunsj"),
        event("C-3", "2026-11-23T13:00:00", "2026-11-23T14:00:00", subject=None),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        graph.requests.append(request)
        return httpx.Response(
            200, json={"@odata.context": CTX, "@odata.deltaLink": DELTA, "value": graph_items}
        )

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    codes = SubjectCodes(busy=("MØT:",), info=(";",))
    calendar = GraphCalendar("anne@example.org", http, _token, OSLO, codes)
    result = await calendar.fetch(NOW, NOW + timedelta(hours=36))
    verdict = classify(result.events)
    assert [(b.start.hour, b.end.hour) for b in verdict.busy] == [(9, 10), (13, 14)]
    (info,) = verdict.ignored_info_only
    assert info.start == datetime(2026, 11, 23, 11, tzinfo=UTC)
    assert "Lunsj" not in repr(result)
    assert "MØT" not in repr(result)
