"""Batched EWS free/busy (GetUserAvailability), on responses shaped per Microsoft's reference."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import requests_mock

from switchboard.presence.busy import BusyInterval
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.ews_freebusy import EwsFreeBusy, looks_all_day
from switchboard.presence.ews_source import ews_account
from switchboard.presence.polled import PolledCalendar
from tests.presence.test_ews import ENDPOINT, MT, account, envelope

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
T = 'xmlns="http://schemas.microsoft.com/exchange/services/2006/types"'


def view(events: str) -> str:
    return (
        '<m:FreeBusyResponse><m:ResponseMessage ResponseClass="Success">'
        "<m:ResponseCode>NoError</m:ResponseCode></m:ResponseMessage>"
        f"<m:FreeBusyView><FreeBusyViewType {T}>FreeBusy</FreeBusyViewType>"
        f"<CalendarEventArray {T}>{events}</CalendarEventArray>"
        "</m:FreeBusyView></m:FreeBusyResponse>"
    )


def event(start: str, end: str, busy: str) -> str:
    return (
        f"<CalendarEvent><StartTime>{start}</StartTime><EndTime>{end}</EndTime>"
        f"<BusyType>{busy}</BusyType></CalendarEvent>"
    )


class Availability:
    def __init__(self) -> None:
        self.batches: list[int] = []

    def __call__(self, request: Any, context: Any) -> str:
        body = request.body.decode()
        assert "<m:GetUserAvailabilityRequest>" in body
        mailboxes = re.findall(r"<t:Address>([^<]+)</t:Address>", body)
        self.batches.append(len(mailboxes))
        views = []
        for mailbox in mailboxes:
            if mailbox == "anne0@example.org":
                views.append(
                    view(
                        event("2026-11-23T09:00:00", "2026-11-23T11:00:00", "Busy")
                        + event("2026-11-23T12:00:00", "2026-11-23T13:00:00", "Free")
                        # Outlook's all-day on Tue 24 Nov (Oslo), in UTC
                        + event("2026-11-23T23:00:00", "2026-11-24T23:00:00", "Busy")
                    )
                )
            else:
                views.append(view(""))
        return envelope(
            f"<m:GetUserAvailabilityResponse {MT}><m:FreeBusyResponseArray>"
            f"{''.join(views)}</m:FreeBusyResponseArray></m:GetUserAvailabilityResponse>"
        )


def swept(mailboxes: list[str]) -> tuple[EwsFreeBusy, list[PolledCalendar]]:
    """One sweep for the mailboxes, and a polled calendar per mailbox served by it."""
    service = ews_account("svc@example.org", ENDPOINT, "svc", "pw", version=account().version)
    batch = EwsFreeBusy(service.protocol, mailboxes, OSLO)
    return batch, [PolledCalendar(m.split("@")[0], "ews-fb", batch.fetch_for(m)) for m in mailboxes]


async def test_250_mailboxes_cost_three_availability_requests_per_cycle() -> None:
    mailboxes = [f"anne{i}@example.org" for i in range(250)]
    availability = Availability()
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, text=availability)
        batch, calendars = swept(mailboxes)
        presence = CalendarPresence(calendars, lambda: NOW)
        await presence.refresh_all()
    assert sorted(availability.batches) == [50, 100, 100]  # (batches go side by side)
    assert batch.requests == 3
    busy = presence.busy_intervals()
    assert len(busy) == 250
    assert busy["anne0"] == (
        BusyInterval(datetime(2026, 11, 23, 9, tzinfo=UTC), datetime(2026, 11, 23, 11, tzinfo=UTC)),
    )
    (all_day,) = presence.ignored_all_day("anne0")
    assert all_day.start == datetime(2026, 11, 24, tzinfo=OSLO)


async def test_each_mailbox_is_asked_once_per_cycle_whatever_second_it_polls_in() -> None:
    mailboxes = [f"anne{i}@example.org" for i in range(250)]
    availability = Availability()
    clock = [NOW]
    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, text=availability)
        batch, calendars = swept(mailboxes)
        presence = CalendarPresence(calendars, lambda: clock[0])
        for cycle in range(3):  # each calendar polls a second after the one before
            for n, calendar in enumerate(calendars):
                clock[0] = NOW + timedelta(minutes=cycle, seconds=n / 5)
                await presence.refresh(calendar)
    assert batch.sweeps == 3
    assert batch.requests == 9  # ceil(250 / 100) per cycle
    assert sorted(availability.batches) == [50] * 3 + [100] * 6
    assert len(presence.busy_intervals()) == 250


async def test_a_batch_that_fails_fails_only_its_own_mailboxes() -> None:
    mailboxes = [f"anne{i}@example.org" for i in range(150)]

    def flaky(request: Any, context: Any) -> str:
        if "anne120@" in request.body.decode():
            context.status_code = 500
            return "down"
        return Availability()(request, context)

    with requests_mock.Mocker() as mock:
        mock.post(ENDPOINT, text=flaky)
        _batch, calendars = swept(mailboxes)
        presence = CalendarPresence(calendars, lambda: NOW)
        await presence.refresh_all()
    assert len(presence.busy_intervals()) == 100  # the first batch's; the second's unknown
    assert "anne120" not in presence.busy_intervals()


def test_only_local_midnight_to_midnight_looks_all_day() -> None:
    midnight = datetime(2026, 11, 24, tzinfo=OSLO)
    assert looks_all_day(midnight, midnight + timedelta(days=1), OSLO)
    assert looks_all_day(midnight, midnight + timedelta(days=3), OSLO)
    assert not looks_all_day(midnight, midnight + timedelta(hours=15, minutes=30), OSLO)
    assert not looks_all_day(midnight.replace(hour=8), midnight + timedelta(days=1), OSLO)
