"""The reports as the config asks for them: one way for the engine and the commands (the
commands import this, not the engine, so they start in a fraction of the time)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from switchboard.config import Settings
from switchboard.promises.store import PromiseStore
from switchboard.reports import store as reports_store
from switchboard.reports.shell import Reports


def reports_for(
    settings: Settings, clock: Callable[[], datetime], promises: PromiseStore | None = None
) -> Reports | None:
    """The reports the config asks for (its `reports:` section), with the database migrated;
    None without one. The engine reads on every minute; `switchboard reports-read` now."""
    r = settings.reports
    if r is None:
        return None
    return Reports(
        reports_store.connect(settings.reports_database()),
        Path(r.queue_log),
        ZoneInfo(settings.presence.timezone),
        clock,
        promises=promises,
        loop_of_queue={loop.queue: loop.id for loop in settings.roster.loops},
        service_level_s=settings.ivr_config.service_level_s,
        keep_days=r.keep_days,
    )
