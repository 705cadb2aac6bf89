"""The `reports:` section: where the SQL store is and which queue_log to read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReportsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # sqlite:///<file> (embedded) or postgresql+psycopg://user@host/db (production).
    database: str = Field(
        default="sqlite:///reports.db", pattern=r"^(sqlite:///\S+|postgresql(\+psycopg)?://\S+)$"
    )
    queue_log: str = "/var/log/asterisk/queue_log"  # tailed on the Asterisk host
    every_s: float = Field(default=60.0, ge=1, le=3600)  # how often the file is read on
    role: str = Field(default="supervisor", min_length=1, max_length=64)  # who may see them
    # Retention: queue_log lines and promise outcomes older than this are deleted (on every
    # read-on and by `switchboard reports-prune`); 400 days keeps a year and a quarter.
    keep_days: int = Field(default=400, ge=1, le=3650)
