"""EWS calendar view through exchangelib, on SOAP responses shaped per Microsoft's EWS
reference (GetFolder, FindItem with CalendarView), served by requests-mock."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests_mock
from exchangelib import Version
from exchangelib.version import EXCHANGE_2016

from switchboard.presence.busy import BusyInterval
from switchboard.presence.ews_source import ews_account, ews_fetch
from switchboard.presence.polled import PolledCalendar
from switchboard.presence.rules import classify

OSLO = ZoneInfo("Europe/Oslo")
ENDPOINT = "https://mail.example.org/EWS/Exchange.asmx"
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)

SOAP = 'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"'
MT = (
    'xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" '
    'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"'
)
VERSION_HEADER = (
    '<s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" '
    'MinorBuildNumber="6" Version="V2017_07_11" '
    'xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types"/></s:Header>'
)
WEST = (
    'Id="W. Europe Standard Time" '
    'Name="(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"'
)


def envelope(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope {SOAP}>{VERSION_HEADER}'
        f"<s:Body>{body}</s:Body></s:Envelope>"
    )


def get_folder(folder_id: str, tag: str, folder_class: str, name: str) -> str:
    return envelope(
        f"<m:GetFolderResponse {MT}><m:ResponseMessages>"
        '<m:GetFolderResponseMessage ResponseClass="Success">'
        "<m:ResponseCode>NoError</m:ResponseCode>"
        f'<m:Folders><{tag}><t:FolderId Id="{folder_id}" ChangeKey="AQAAABYAAAA="/>'
        f"<t:FolderClass>{folder_class}</t:FolderClass><t:DisplayName>{name}</t:DisplayName>"
        f"<t:TotalCount>0</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount></{tag}>"
        "</m:Folders></m:GetFolderResponseMessage></m:ResponseMessages></m:GetFolderResponse>"
    )


def item(item_id: str, start: str, end: str, all_day: bool, status: str, subject: str = "") -> str:
    return (
        f'<t:CalendarItem><t:ItemId Id="{item_id}" ChangeKey="DwAAABYAAAA="/>'
        + (f"<t:Subject>{subject}</t:Subject>" if subject else "")
        + f"<t:Start>{start}</t:Start><t:End>{end}</t:End>"
        f"<t:IsAllDayEvent>{str(all_day).lower()}</t:IsAllDayEvent>"
        f"<t:LegacyFreeBusyStatus>{status}</t:LegacyFreeBusyStatus>"
        f"<t:StartTimeZone {WEST}/><t:EndTimeZone {WEST}/></t:CalendarItem>"
    )


ITEMS = [
    item("AAMk-1", "2026-11-23T09:00:00Z", "2026-11-23T11:00:00Z", False, "Busy"),
    item("AAMk-2", "2026-11-23T12:00:00Z", "2026-11-23T13:00:00Z", False, "WorkingElsewhere"),
    # An all-day event on Tue 24 Nov in Oslo: midnight to midnight local, sent in UTC.
    item("AAMk-3", "2026-11-23T23:00:00Z", "2026-11-24T23:00:00Z", True, "Busy"),
]


def find_item(items: list[str]) -> str:
    return envelope(
        f"<m:FindItemResponse {MT}><m:ResponseMessages>"
        '<m:FindItemResponseMessage ResponseClass="Success">'
        "<m:ResponseCode>NoError</m:ResponseCode>"
        f'<m:RootFolder TotalItemsInView="{len(items)}" IncludesLastItemInRange="true">'
        f"<t:Items>{''.join(items)}</t:Items></m:RootFolder>"
        "</m:FindItemResponseMessage></m:ResponseMessages></m:FindItemResponse>"
    )


def exchange(request: object, context: object) -> str:
    body = request.body.decode()  # type: ignore[attr-defined]
    operation = re.search(r"<m:(\w+)", body)
    assert operation is not None
    if operation.group(1) == "GetFolder":
        if 'DistinguishedFolderId Id="root"' in body:
            return get_folder("AQMkroot", "t:Folder", "", "Top of Information Store")
        return get_folder("AQMkcal", "t:CalendarFolder", "IPF.Appointment", "Calendar")
    assert operation.group(1) == "FindItem"
    return find_item(ITEMS)


def account() -> Any:
    return ews_account(
        "anne@example.org", ENDPOINT, "svc-switchboard", "pw", version=Version(build=EXCHANGE_2016)
    )


async def test_a_calendar_view_becomes_busy_time_and_an_ignored_all_day_event() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, text=exchange)
        polled = PolledCalendar("anne", "ews", ews_fetch(account, OSLO), window=timedelta(days=2))
        await polled.refresh(NOW)
        find = mock.request_history[-1].body.decode()
    events = polled.events(NOW)
    assert events is not None
    verdict = classify(events)
    assert verdict.busy == (
        BusyInterval(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 11, tzinfo=UTC)),
    )
    (all_day,) = verdict.ignored_all_day
    assert (all_day.start, all_day.end) == (
        datetime(2026, 11, 24, tzinfo=OSLO),
        datetime(2026, 11, 25, tzinfo=OSLO),
    )
    # The view asks for the items' own zones (else all-day dates shift) and nothing private.
    assert 'FieldURI="calendar:StartTimeZone"' in find
    assert "item:Subject" not in find
    assert "<t:ExchangeImpersonation>" in find


async def test_an_ews_error_is_a_source_error() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, status_code=401, text="Unauthorized")
        polled = PolledCalendar("anne", "ews", ews_fetch(account, OSLO))
        assert not await polled.refresh(NOW)
    assert polled.health.last_error
    assert polled.events(NOW) is None


@pytest.mark.parametrize(
    ("status", "busy"),
    [
        ("Busy", True),
        ("OOF", True),
        ("Tentative", True),
        ("Free", False),
        ("WorkingElsewhere", False),
    ],
)
async def test_free_busy_status_decides(status: str, busy: bool) -> None:
    global ITEMS
    saved, ITEMS = ITEMS, [item("X", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", False, status)]
    try:
        with requests_mock.Mocker() as mock:
            mock.post(ENDPOINT, text=exchange)
            polled = PolledCalendar("anne", "ews", ews_fetch(account, OSLO))
            await polled.refresh(NOW)
    finally:
        ITEMS = saved
    events = polled.events(NOW)
    assert events is not None
    assert bool(classify(events).busy) is busy


async def test_with_calendar_codes_the_view_asks_for_subjects_and_reads_their_codes() -> None:
    from switchboard.presence.codes import SubjectCodes

    global ITEMS
    saved, ITEMS = (
        ITEMS,
        [
            item("X", "2026-11-23T09:00:00Z", "2026-11-23T10:00:00Z", False, "Free", "MØT: x"),
            item("Y", "2026-11-23T11:00:00Z", "2026-11-23T12:00:00Z", False, "Busy", ";Lunsj"),
        ],
    )
    codes = SubjectCodes(busy=("MØT:",), info=(";",))
    try:
        with requests_mock.Mocker() as mock:
            mock.post(ENDPOINT, text=exchange)
            polled = PolledCalendar("anne", "ews", ews_fetch(account, OSLO, codes))
            await polled.refresh(NOW)
            find = mock.request_history[-1].body.decode()
    finally:
        ITEMS = saved
    assert "item:Subject" in find
    events = polled.events(NOW)
    assert events is not None
    verdict = classify(events)
    assert [b.start.hour for b in verdict.busy] == [9]
    assert [e.start.hour for e in verdict.ignored_info_only] == [11]
    assert "Lunsj" not in repr(events)
