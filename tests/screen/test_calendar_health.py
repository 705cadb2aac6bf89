"""Calendar health on the board and the agent's own screen: last read, or failing since."""

from datetime import datetime
from zoneinfo import ZoneInfo

from switchboard.presence.polled import SourceHealth
from switchboard.screen.calendar_health import health_text
from switchboard.screen.texts import localise_view

OSLO = ZoneInfo("Europe/Oslo")
NOW = datetime(2026, 11, 23, 10, 40, tzinfo=OSLO)


def at(hour: int, minute: int) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=OSLO)


def test_a_healthy_calendar_says_when_it_was_last_read() -> None:
    assert health_text(SourceHealth("ics", last_success=at(10, 31)), NOW, OSLO) == (
        "calendar read 10:31"
    )


def test_a_failing_calendar_says_since_when_and_what_was_read_last() -> None:
    failing = SourceHealth(
        "ics", last_success=at(9, 58), last_error="timeout", last_error_at=at(10, 12)
    )
    assert health_text(failing, NOW, OSLO) == "calendar failing since 10:12 (last read 09:58)"
    never = SourceHealth("ics", last_error="404", last_error_at=at(8, 0))
    assert health_text(never, NOW, OSLO) == "calendar failing since 08:00 (never read)"
    # Read again after the failure: healthy.
    back = SourceHealth("ics", last_success=at(10, 30), last_error_at=at(10, 12))
    assert health_text(back, NOW, OSLO) == "calendar read 10:30"


def test_no_calendar_says_nothing_and_norwegian_screens_read_it_in_bokmal() -> None:
    assert health_text(None, NOW, OSLO) == ""
    view: dict[str, object] = {
        "me": {"detail": "", "calendar": "calendar failing since 10:12 (last read 09:58)"},
        "hints": [],
        "board": [{"detail": "", "calendar": "calendar read 10:31"}],
        "callbacks": [],
    }
    out = localise_view(view, "no")
    assert out["me"]["calendar"] == "kalenderen feiler siden 10:12 (sist lest 09:58)"  # type: ignore[index]
    assert out["board"][0]["calendar"] == "kalender lest 10:31"  # type: ignore[index]
