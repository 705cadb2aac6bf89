"""Exchange Server on premises through EWS (exchangelib): a calendar view per mailbox.

exchangelib is blocking, so every call runs off the event loop. Only start, end, the all-day
flag and the free/busy status are asked for (the subject too with calendar codes on: read for
its code, then dropped). exchangelib turns all-day items into dates
with an *inclusive* end, converted with the item's own time-zone fields (they are requested
with the view; without them it would use this process's zone and shift the date), so the
end here is the day after the last date.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from switchboard.presence.calendar import CalendarEvent, CalendarRead, ShowAs
from switchboard.presence.codes import NO_CODES, SubjectCodes, coded
from switchboard.presence.polled import Fetch

_STATUS = {
    "Free": ShowAs.FREE,
    "Tentative": ShowAs.TENTATIVE,
    "Busy": ShowAs.BUSY,
    "OOF": ShowAs.OUT_OF_OFFICE,
    "WorkingElsewhere": ShowAs.WORKING_ELSEWHERE,
    "NoData": ShowAs.BUSY,  # the event exists; honour it rather than guess it away
}
FIELDS = (
    "start",
    "end",
    "is_all_day",
    "legacy_free_busy_status",
    "_start_timezone",
    "_end_timezone",
)


def ews_account(
    mailbox: str,
    endpoint: str,
    username: str,
    password: str,
    *,
    impersonation: bool = True,
    auth_type: str = "NTLM",
    version: Any = None,
) -> Any:
    """An exchangelib Account without autodiscover (the EWS endpoint is configured).

    The auth type is given, not guessed: guessing costs a probe request per start.
    """
    from exchangelib import DELEGATE, IMPERSONATION, Account, Configuration, Credentials

    config = Configuration(
        service_endpoint=endpoint,
        credentials=Credentials(username, password),
        auth_type=auth_type,
        version=version,
    )
    access = IMPERSONATION if impersonation else DELEGATE
    return Account(mailbox, config=config, autodiscover=False, access_type=access)


def _event(item: Any, local: tzinfo, codes: SubjectCodes = NO_CODES) -> CalendarEvent:
    status, info = _STATUS.get(str(item.legacy_free_busy_status), ShowAs.BUSY), False
    if codes.on:  # the subject is read for its code only, and not kept
        status, info = coded(status, codes.read(str(getattr(item, "subject", None) or "")))
    if item.is_all_day:
        first: date = item.start if not isinstance(item.start, datetime) else item.start.date()
        last: date = item.end if not isinstance(item.end, datetime) else item.end.date()
        start = datetime.combine(first, time(), tzinfo=local)
        end = datetime.combine(last + timedelta(days=1), time(), tzinfo=local)
        return CalendarEvent(start, end, True, status, info)
    return CalendarEvent(item.start, item.end, False, status, info)


def _view(
    account: Any, start: datetime, end: datetime, local: tzinfo, codes: SubjectCodes = NO_CODES
) -> list[CalendarEvent]:
    from exchangelib import EWSDateTime, EWSTimeZone

    def ews(moment: datetime) -> Any:
        u = moment.astimezone(UTC)
        return EWSDateTime(
            u.year, u.month, u.day, u.hour, u.minute, u.second, tzinfo=EWSTimeZone("UTC")
        )

    view = account.calendar.view(start=ews(start), end=ews(end))
    fields = (*FIELDS, "subject") if codes.on else FIELDS  # subjects only when codes need them
    return [_event(item, local, codes) for item in view.only(*fields)]


def ews_fetch(account: Callable[[], Any], local: tzinfo, codes: SubjectCodes = NO_CODES) -> Fetch:
    """A fetch function for PolledCalendar; `account` builds (or returns) the Account."""
    built: list[Any] = []

    async def fetch(start: datetime, end: datetime) -> CalendarRead:
        def work() -> list[CalendarEvent]:
            if not built:
                built.append(account())
            return _view(built[0], start, end, local, codes)

        events = await asyncio.to_thread(work)
        return CalendarRead(tuple(sorted(events, key=lambda e: e.start)), ())

    return fetch
