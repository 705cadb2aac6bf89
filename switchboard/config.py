"""The YAML configuration: validated at start, with errors that name file, line and fix."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ivr.menu import Choice, Menu
from routing.ami.client import AmiSettings
from routing.policy import ManualStatus
from routing.roster import Agent, Loop, Roster
from switchboard.yaml_lines import Path, YamlSyntaxError, load_with_lines

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]

FIXES: dict[str, str] = {
    "suffix": 'write three digits after a dash, quoted, e.g. suffix: "-111"',
    "digit": 'use a single key 0-9, quoted, e.g. digit: "1"',
    "interface": "write the dial string Asterisk uses, e.g. PJSIP/101",
    "id": "use lower-case letters, digits, '.', '_' or '-', e.g. id: kari.nordmann",
    "secret": "remove the secret from the file; name an environment variable with secret_env",
    "secret_env": "name the environment variable that holds the AMI secret",
    "status": "use available or leave",
    "calendar": "write ics:<file or https URL>, caldav:<calendar URL>, graph:<user e-mail> "
    "or ews:<mailbox>",
    "timezone": "use an IANA zone name, e.g. Europe/Oslo",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmiConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(5038, ge=1, le=65535)
    username: str
    secret_env: str = Field(pattern=r"^[A-Z_][A-Z0-9_]*$")
    action_timeout_s: float = Field(5.0, gt=0, le=60)
    ping_interval_s: float = Field(10.0, gt=0, le=300)
    ping_deadline_s: float = Field(5.0, gt=0, le=60)
    backoff_max_s: float = Field(30.0, gt=0, le=600)


class PresenceConfig(_Strict):
    timezone: str = "Europe/Oslo"
    poll_interval_s: float = Field(default=60.0, ge=1, le=3600)
    stale_after_s: float = Field(default=900.0, ge=10, le=86400)
    tentative_is_busy: bool = True
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


class AgentConfig(_Strict):
    id: Id
    name: str = Field(min_length=1)
    interface: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]*/\S+$")
    state_interface: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9]*:?/?\S+$")
    roles: tuple[Id, ...] = ()
    calendar: str | None = Field(None, pattern=r"^(ics|caldav|graph|ews):\S+$")
    status: Literal["available", "leave"] = "available"


class LoopConfig(_Strict):
    id: Id
    queue: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    suffix: str = Field(pattern=r"^-\d{3}$")
    digit: str = Field(pattern=r"^[0-9]$")
    language: Literal["no", "en"] = "no"
    agents: tuple[Id, ...] = ()
    roles: tuple[Id, ...] = ()

    @model_validator(mode="after")
    def _has_members(self) -> LoopConfig:
        if not self.agents and not self.roles:
            raise ValueError("a loop needs agents or roles; add `agents: [...]` or `roles: [...]`")
        return self


class SwitchboardConfig(_Strict):
    ami: AmiConfig
    presence: PresenceConfig = PresenceConfig()
    agents: tuple[AgentConfig, ...] = Field(min_length=1)
    loops: tuple[LoopConfig, ...] = Field(min_length=1)
    default_loop: Id

    @model_validator(mode="before")
    @classmethod
    def _no_secret_in_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("ami"), dict) and "secret" in data["ami"]:
            raise ValueError("ami.secret must not be in the file")
        return data


@dataclass(frozen=True, slots=True)
class Problem:
    source: str
    line: int
    where: str
    message: str
    fix: str = ""

    def __str__(self) -> str:
        fix = f" (fix: {self.fix})" if self.fix else ""
        return f"{self.source}:{self.line}: {self.where}: {self.message}{fix}"


class ConfigError(Exception):
    """Everything wrong with a config file, each problem with its line and a fix."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated config turned into the domain's own types."""

    roster: Roster
    manual: Mapping[str, ManualStatus]
    ami: AmiConfig
    menu: Menu
    source: str
    presence: PresenceConfig = field(default_factory=PresenceConfig)

    def calendar_location(self, agent: Agent) -> tuple[str, str] | None:
        """(kind, location) of an agent's calendar; a relative file is relative to the config."""
        if agent.calendar is None:
            return None
        kind, _, location = agent.calendar.partition(":")
        if kind in ("caldav", "graph", "ews") or location.startswith(("https://", "http://")):
            return kind, location
        if FsPath(location).is_absolute():
            return kind, location
        return kind, str(FsPath(self.source).resolve().parent / location)

    def ami_settings(self, environ: Mapping[str, str] = os.environ) -> AmiSettings:
        """AMI connection settings, with the secret read from the environment."""
        secret = environ.get(self.ami.secret_env)
        if not secret:
            raise ConfigError(
                [
                    Problem(
                        self.source,
                        0,
                        "ami.secret_env",
                        f"environment variable {self.ami.secret_env} is not set",
                        f"export {self.ami.secret_env}=<the AMI user's secret>",
                    )
                ]
            )
        a = self.ami
        return AmiSettings(
            a.host,
            a.port,
            a.username,
            secret,
            action_timeout_s=a.action_timeout_s,
            ping_interval_s=a.ping_interval_s,
            ping_deadline_s=a.ping_deadline_s,
            backoff_max_s=a.backoff_max_s,
        )


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _line_of(loc: tuple[Any, ...], lines: Mapping[Path, int]) -> int:
    for end in range(len(loc), -1, -1):
        if tuple(loc[:end]) in lines:
            return lines[tuple(loc[:end])]
    return 1


def load_config(path: FsPath | str) -> Settings:
    """Read and validate a config file; raises ConfigError listing every problem."""
    source = str(path)
    try:
        text = FsPath(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([Problem(source, 0, "file", f"cannot read: {exc.strerror}")]) from None
    return parse_config(text, source)


def parse_config(text: str, source: str) -> Settings:
    """Validate config text (`source` names it in errors)."""
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise ConfigError(
            [
                Problem(
                    source,
                    exc.line,
                    "file",
                    f"not valid YAML: {exc.problem}",
                    "check quoting and indentation",
                )
            ]
        ) from None
    try:
        config = SwitchboardConfig.model_validate(data)
    except ValidationError as invalid:
        problems = []
        for err in invalid.errors():
            loc = tuple(err["loc"])
            last = next((p for p in reversed(loc) if isinstance(p, str)), "")
            fix = FIXES.get(last, "")
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                fix = FIXES.get(last, "remove it, or check its spelling and indentation")
                message = "unknown key"
            elif err["type"] == "missing":
                fix = f"add `{last}:`"
            elif "secret" in message:
                fix, loc = FIXES["secret"], ("ami", "secret")
            problems.append(Problem(source, _line_of(loc, lines), _dotted(loc), message, fix))
        raise ConfigError(problems) from None
    return _build(config, lines, source)


def _build(config: SwitchboardConfig, lines: Mapping[Path, int], source: str) -> Settings:
    problems: list[Problem] = []

    def problem(loc: tuple[Any, ...], message: str, fix: str) -> None:
        problems.append(Problem(source, _line_of(loc, lines), _dotted(loc), message, fix))

    agents: dict[str, Agent] = {}
    interfaces: dict[str, str] = {}
    for i, a in enumerate(config.agents):
        if a.id in agents:
            problem(
                ("agents", i, "id"),
                f"agent id {a.id!r} is used twice",
                "give each agent its own id",
            )
        if a.interface in interfaces:
            problem(
                ("agents", i, "interface"),
                f"interface {a.interface} is also {interfaces[a.interface]}'s",
                "each agent needs their own phone interface",
            )
        interfaces[a.interface] = a.id
        agents[a.id] = Agent(
            a.id,
            a.name,
            a.interface,
            a.state_interface or a.interface,
            frozenset(a.roles),
            a.calendar,
        )
    p = config.presence
    configured = {
        "graph": (
            all((p.graph_tenant, p.graph_client_id, p.graph_secret_env)),
            "set presence.graph_tenant, graph_client_id and graph_secret_env",
        ),
        "ews": (
            all((p.ews_endpoint, p.ews_username, p.ews_password_env)),
            "set presence.ews_endpoint, ews_username and ews_password_env",
        ),
    }
    for i, a in enumerate(config.agents):
        kind = (a.calendar or "").partition(":")[0]
        if kind in configured and not configured[kind][0]:
            problem(
                ("agents", i, "calendar"),
                f"a {kind}: calendar, but {kind} access is not configured",
                configured[kind][1],
            )
    held_roles = {role for a in agents.values() for role in a.roles}
    loops: list[Loop] = []
    digits: dict[str, str] = {}
    for i, lc in enumerate(config.loops):
        for j, agent_id in enumerate(lc.agents):
            if agent_id not in agents:
                problem(
                    ("loops", i, "agents", j),
                    f"no agent with id {agent_id!r}",
                    "use one of: " + ", ".join(sorted(agents)),
                )
        for j, role in enumerate(lc.roles):
            if role not in held_roles:
                problem(
                    ("loops", i, "roles", j),
                    f"no agent holds role {role!r}, so it adds nobody",
                    "roles held: " + (", ".join(sorted(held_roles)) or "none"),
                )
        if lc.digit in digits:
            problem(
                ("loops", i, "digit"),
                f"digit {lc.digit} already leads to {digits[lc.digit]}",
                "give each loop its own digit",
            )
        digits[lc.digit] = lc.id
        loops.append(Loop(lc.id, lc.queue, lc.title, lc.suffix, lc.agents, lc.roles))
    by_id = {loop.id: loop for loop in loops}
    if config.default_loop not in by_id:
        problem(
            ("default_loop",), f"no loop {config.default_loop!r}", "use one of: " + ", ".join(by_id)
        )
    if problems:
        raise ConfigError(problems)
    manual = {a.id: ManualStatus(a.status) for a in config.agents if a.status != "available"}
    return Settings(
        roster=Roster(agents, tuple(loops)),
        manual=manual,
        ami=config.ami,
        menu=Menu(
            tuple(Choice(lc.digit, lc.queue, lc.title, lc.language) for lc in config.loops),
            by_id[config.default_loop].queue,
        ),
        source=source,
        presence=config.presence,
    )
