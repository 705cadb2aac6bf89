"""The `presence:` section of the YAML config: time zone, polling, staleness, calendar codes,
each calendar source's account, and what one calendar may cost the engine."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from switchboard.presence.codes import NO_CODES, SubjectCodes


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


CodePrefix = Annotated[str, Field(min_length=1, max_length=16, pattern=r"\S")]


class SubjectCodesConfig(_Strict):
    """Calendar codes at the start of a subject (the Nordic habit); off by default."""

    enabled: bool = False
    busy: tuple[CodePrefix, ...] = ("MØT:",)  # out of the queue, whatever show-as says
    info: tuple[CodePrefix, ...] = (";",)  # information only: never out of the queue

    @model_validator(mode="after")
    def _apart(self) -> SubjectCodesConfig:
        SubjectCodes(self.busy, self.info)  # a prefix that is both busy and info is refused
        return self

    def codes(self) -> SubjectCodes:
        return SubjectCodes(self.busy, self.info) if self.enabled else NO_CODES


class PresenceConfig(_Strict):
    timezone: str = "Europe/Oslo"
    poll_interval_s: float = Field(default=60.0, ge=1, le=3600)
    stale_after_s: float = Field(default=900.0, ge=10, le=86400)
    tentative_is_busy: bool = True
    subject_codes: SubjectCodesConfig = SubjectCodesConfig()  # "MØT:", ";" (docs/craft.md)
    heads_up_min: int = Field(default=0, ge=0, le=60)  # every loop's, unless it sets its own
    caldav_username: str = "switchboard"
    caldav_password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    graph_tenant: str | None = None
    graph_client_id: str | None = None
    graph_secret_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    ews_endpoint: str | None = Field(default=None, pattern=r"^https?://\S+$")
    ews_username: str | None = None
    ews_password_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    ews_auth_type: Literal["NTLM", "basic", "digest"] = "NTLM"
    ews_impersonation: bool = True  # False: the service account has delegate access instead
    # calendar_view: one request per mailbox, exact all-day flag; free_busy: one request per
    # 100 mailboxes, all-day read from midnight-to-midnight spans.
    ews_mode: Literal["calendar_view", "free_busy"] = "calendar_view"
    # Calendar limits (docs/calendars.md): what one calendar may cost the engine.
    calendar_workers: int = Field(default=2, ge=1, le=16)
    calendar_read_deadline_s: float = Field(default=10.0, ge=1, le=120)
    calendar_fetch_deadline_s: float = Field(default=20.0, ge=1, le=300)
    calendar_max_mib: int = Field(default=20, ge=1, le=20)
    calendar_max_events: int = Field(default=5_000, ge=100, le=100_000)
    calendar_max_expansion_steps: int = Field(default=200_000, ge=1_000, le=10_000_000)

    @model_validator(mode="after")
    def _graph_complete(self) -> PresenceConfig:
        graph = (self.graph_tenant, self.graph_client_id, self.graph_secret_env)
        if any(graph) and not all(graph):
            raise ValueError(
                "Graph needs graph_tenant, graph_client_id and graph_secret_env together"
            )
        ews = (self.ews_endpoint, self.ews_username, self.ews_password_env)
        if any(ews) and not all(ews):
            raise ValueError("EWS needs ews_endpoint, ews_username and ews_password_env together")
        return self

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value
