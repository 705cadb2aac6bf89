"""The YAML configuration: validated at start, with errors that name file, line and fix."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import holidays
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from switchboard.ami.client import AmiSettings
from switchboard.cluster.config import RedisConfig
from switchboard.config_checks import cross_field_problems, fix_for
from switchboard.ivr.closure import Closures
from switchboard.ivr.consent import Recording
from switchboard.ivr.features import FeatureCodes
from switchboard.ivr.hours import WEEKDAYS, OpeningHours, Span, parse_span
from switchboard.ivr.menu import Choice, Menu
from switchboard.ivr.plan import IvrPlan, LoopRoute, Prompts, overflow_cycle
from switchboard.ivr.rating import Rating
from switchboard.ivr.service import Announcements, LoopService, WhenAllInMeetings
from switchboard.presence.config import PresenceConfig
from switchboard.promises.config import PromisesConfig
from switchboard.reports.config import ReportsConfig
from switchboard.routing.policy import ManualStatus
from switchboard.routing.roster import Agent, Loop, Roster
from switchboard.screen.closing import Closings
from switchboard.screen.greeting import DEFAULT_ORGANISATION, DEFAULT_TEMPLATES
from switchboard.service_config import (
    AnnounceConfig,
    ClosingConfig,
    FeatureCodesConfig,
    RatingConfig,
    RecordingConfig,
    SupervisorConfig,
)
from switchboard.yaml_lines import Path, YamlSyntaxError, load_with_lines, read_text

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=64)]


def _norway(value: Any) -> Any:
    """YAML 1.1 reads a bare `no` as false: here it can only mean Norwegian."""
    return "no" if value is False else value


Language = Annotated[Literal["no", "en"], BeforeValidator(_norway)]

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
    "overflow_to": "name a loop id, or `callback` for the callback offer",
    "closed_dates": 'write dates as "YYYY-MM-DD", quoted',
    "holidays": "use a country code the `holidays` library knows, e.g. NO",
    "login": "paste what `switchboard password-hash` prints (scrypt$...)",
    "directory": "write sqlite:<file> or the CRM's https:// base URL",
    "subject_codes": "give each prefix one meaning: list it under busy or under info, not both",
}
# The end may be 24:00: open to midnight (a 24/7 office: 00:00-24:00).
SPAN = r"^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$"


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
    # Written into the generated manager.conf: where AMI listens, whom it lets in.
    bind: str = "127.0.0.1"
    permit: tuple[str, ...] = ("127.0.0.1/255.255.255.255",)


class AgentConfig(_Strict):
    id: Id
    name: str = Field(min_length=1)
    interface: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9]*/\S+$")
    state_interface: str | None = Field(None, pattern=r"^[A-Za-z][A-Za-z0-9]*:?/?\S+$")
    roles: tuple[Id, ...] = ()
    calendar: str | None = Field(None, pattern=r"^(ics|caldav|graph|ews):\S+$")
    status: Literal["available", "leave"] = "available"
    # The agent screen's password, as `switchboard password-hash` prints it (never the password).
    login: str | None = Field(None, pattern=r"^scrypt\$\d+\$\d+\$\d+\$\S+\$\S+$")
    # "Ring me in meetings if nobody else can" (loops with when_all_in_meetings: ring_opted_in).
    ring_in_meetings: bool = False


class LoopConfig(_Strict):
    id: Id
    queue: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    title: str
    suffix: str = Field(pattern=r"^-\d{3}$")
    digit: str = Field(pattern=r"^[0-9]$")
    language: Language = "no"
    agents: tuple[Id, ...] = ()
    roles: tuple[Id, ...] = ()
    strategy: Literal["ringall", "rrmemory", "leastrecent", "fewestcalls", "linear"] = "rrmemory"
    wait_s: int = Field(120, ge=10, le=3600)  # level 1: waiting this long moves the caller on
    overflow_to: str = "callback"  # the next level: another loop id, or the callback offer
    unstaffed_after_s: int | None = Field(
        30, ge=0, le=3600
    )  # router: sooner when nobody can answer
    # The craft of the loop (docs/craft.md); every default keeps today's behaviour.
    wrapup_s: int = Field(0, ge=0, le=600)  # Asterisk's wrapuptime after each call
    follow_up_s: int = Field(0, ge=0, le=1800)  # or: the engine's follow-up pause, countdown
    announce: AnnounceConfig = AnnounceConfig()
    record: bool = False  # ask callers; record only on an active yes
    rating: bool = False  # a rating by keypress after the agent hangs up
    autopause_after: int = Field(0, ge=0, le=10)  # calls rung out in a row before a pause
    keep_place: bool = True  # moved callers keep their place by original call time
    when_all_in_meetings: Literal["wait", "move_on", "ring_opted_in"] = "wait"
    heads_up_min: int | None = Field(None, ge=0, le=60)  # null: presence.heads_up_min

    @model_validator(mode="after")
    def _has_members(self) -> LoopConfig:
        if not self.agents and not self.roles:
            raise ValueError("a loop needs agents or roles; add `agents: [...]` or `roles: [...]`")
        if self.wrapup_s and self.follow_up_s:
            raise ValueError(
                "wrapup_s (Asterisk rests the agent) and follow_up_s (the engine's pause, "
                "ended early on the screen) are two ways to the same thing: choose one"
            )
        return self


class HoursConfig(_Strict):
    """Opening hours per weekday ("08:30-12:30"), public holidays and extra closed days."""

    mon: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ("08:30-12:30", "13:00-16:30")
    tue: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ("08:30-12:30", "13:00-16:30")
    wed: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ("08:30-12:30", "13:00-16:30")
    thu: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ("08:30-12:30", "13:00-16:30")
    fri: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ("08:30-12:30", "13:00-16:00")
    sat: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ()
    sun: tuple[Annotated[str, Field(pattern=SPAN)], ...] = ()
    holidays: str | None = "NO"
    closed_dates: tuple[date, ...] = ()

    @field_validator("holidays")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if value is not None and value not in holidays.list_supported_countries():
            raise ValueError(f"no public holidays known for {value!r}")
        return value


class IvrConfig(_Strict):
    max_tries: int = Field(default=3, ge=1, le=9)
    response_timeout_s: int = Field(default=5, ge=1, le=30)
    callback_digit: str = Field(default="5", pattern=r"^[0-9*#]$")
    # The menu key for "hear the status of a reference" ("" = not offered).
    status_digit: str = Field(default="", pattern=r"^([0-9*#]|)$")
    callback_promise_working_days: int = Field(default=2, ge=1, le=20)
    service_level_s: int = Field(default=20, ge=1, le=600)  # "answered within" target for metrics
    prompts: dict[str, str] = {}
    feature_codes: FeatureCodesConfig = FeatureCodesConfig()
    recording: RecordingConfig = RecordingConfig()
    rating: RatingConfig = RatingConfig()


class WebConfig(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    expose_agent_names: bool = False  # agent ids as metric labels: off, names are personal
    # Proxies (addresses or networks) whose X-Forwarded-For is believed; nobody else's is.
    trusted_proxies: tuple[str, ...] = ()

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"{entry!r} is not an IP address or network") from None
        return value


class KidConfig(_Strict):
    member_digits: int = Field(default=7, ge=1, le=20)  # the KID starts with the member number
    min_length: int = Field(default=9, ge=2, le=25)
    max_length: int = Field(default=25, ge=2, le=25)
    algorithms: tuple[Literal["mod10", "mod11"], ...] = Field(
        default=("mod10", "mod11"), min_length=1
    )


class ScreenConfig(_Strict):
    """The agent screen: greeting texts, the member directory, KID layout, sessions."""

    ui_language: Language = "en"  # the screen's own labels and messages

    organisation: dict[str, str] = dict(DEFAULT_ORGANISATION)  # by language: no, en
    greetings: dict[str, str] = dict(DEFAULT_TEMPLATES)
    closing: ClosingConfig = ClosingConfig()  # the card's last line, in the call's language
    # sqlite:<file> (relative to this config) or the base URL of a CRM with the HTTP shape.
    directory: str = Field(default="sqlite:members.db", pattern=r"^(sqlite:\S+|https?://\S+)$")
    directory_token_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    # Seals the SQLite directory's hash key (a key as `switchboard gen-key` prints it).
    fnr_key_env: str = Field(default="SWITCHBOARD_DATA_KEY", pattern=r"^[A-Z_][A-Z0-9_]*$")
    placeholder_personal_numbers: tuple[Annotated[str, Field(pattern=r"^\d{5}$")], ...] = ("00100",)
    kid: KidConfig = KidConfig()
    # Identity-check outcomes in the SQLite directory are deleted after this (a CRM keeps its own).
    keep_identity_checks_days: int = Field(default=400, ge=1, le=3650)
    session_idle_s: int = Field(default=1800, ge=60, le=86400)
    session_max_s: int = Field(default=36000, ge=300, le=7 * 86400)
    secure_cookie: bool = False  # True behind HTTPS (the README's deployment does so)

    @field_validator("organisation", "greetings")
    @classmethod
    def _known_placeholders(cls, value: dict[str, str]) -> dict[str, str]:
        for language, text in value.items():
            if language not in ("no", "en"):
                raise ValueError(f"language {language!r}: use no or en")
            try:
                text.format(organisation="", name="")
            except (KeyError, IndexError, ValueError):
                raise ValueError(
                    f"greeting {language!r} may use only {{organisation}} and {{name}}"
                ) from None
        return value


class SwitchboardConfig(_Strict):
    ami: AmiConfig
    presence: PresenceConfig = PresenceConfig()
    hours: HoursConfig = HoursConfig()
    ivr: IvrConfig = IvrConfig()
    web: WebConfig = WebConfig()
    redis: RedisConfig | None = None
    screen: ScreenConfig = ScreenConfig()
    supervisor: SupervisorConfig = SupervisorConfig()
    promises: PromisesConfig = PromisesConfig()
    reports: ReportsConfig | None = None  # None: no reports store, no /reports page
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
    ivr: IvrPlan | None = None  # None only in hand-built test settings
    ivr_config: IvrConfig = field(default_factory=IvrConfig)
    strategies: Mapping[str, str] = field(default_factory=dict)
    web: WebConfig = field(default_factory=WebConfig)
    redis: RedisConfig | None = None
    screen: ScreenConfig = field(default_factory=lambda: ScreenConfig())
    logins: Mapping[str, str] = field(default_factory=dict)  # agent id -> password hash
    supervisor: SupervisorConfig = field(default_factory=SupervisorConfig)
    closings: Closings = field(default_factory=Closings)
    promises: PromisesConfig = field(default_factory=lambda: PromisesConfig())
    reports: ReportsConfig | None = None
    ring_in_meetings: frozenset[str] = frozenset()  # agents who opted in (in the YAML)
    # Where relative data files go (SWITCHBOARD_STATE_DIR, or systemd's $STATE_DIRECTORY);
    # None: beside the config, as on a laptop.
    state_dir: str | None = None

    def data_file(self, location: str) -> FsPath:
        """A file the engine writes: as given when absolute, else in the state directory."""
        path = FsPath(location)
        if path.is_absolute():
            return path
        return FsPath(self.state_dir or FsPath(self.source).resolve().parent) / path

    def reports_database(self) -> str:
        """The reports database URL, a relative SQLite file placed in the state directory."""
        assert self.reports is not None
        url = self.reports.database
        if not url.startswith("sqlite:///") or url.startswith("sqlite:////"):
            return url
        return "sqlite:///" + str(self.data_file(url[len("sqlite:///") :]))

    def directory_location(self) -> str:
        """The directory setting, with a relative SQLite file placed in the state directory."""
        kind, _, location = self.screen.directory.partition(":")
        if kind != "sqlite" or location == ":memory:":
            return self.screen.directory
        return "sqlite:" + str(self.data_file(location))

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

    def required_env(
        self, variable: str, where: str, what: str, environ: Mapping[str, str] = os.environ
    ) -> str:
        """A secret the config names by variable; ConfigError (with the export to run) if unset."""
        value = environ.get(variable)
        if not value:
            raise ConfigError(
                [
                    Problem(
                        self.source,
                        0,
                        where,
                        f"environment variable {variable} is not set",
                        f"export {variable}=<{what}>",
                    )
                ]
            )
        return value

    def ami_settings(self, environ: Mapping[str, str] = os.environ) -> AmiSettings:
        """AMI connection settings, with the secret read from the environment."""
        secret = self.required_env(
            self.ami.secret_env, "ami.secret_env", "the AMI user's secret", environ
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
            secret_env=a.secret_env,
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


# Where the engine finds Asterisk, Redis and its own web port differs per host (compose,
# systemd, a laptop) while the people and loops do not: these may come from the environment.
ENV_OVERRIDES: dict[str, tuple[str, str]] = {
    "SWITCHBOARD_AMI_HOST": ("ami", "host"),
    "SWITCHBOARD_AMI_BIND": ("ami", "bind"),
    "SWITCHBOARD_AMI_PERMIT": ("ami", "permit"),  # comma-separated address/mask pairs
    "SWITCHBOARD_REDIS_URL": ("redis", "url"),
    "SWITCHBOARD_WEB_HOST": ("web", "host"),
    "SWITCHBOARD_WEB_PORT": ("web", "port"),
    "SWITCHBOARD_DIRECTORY": ("screen", "directory"),
}


def load_config(path: FsPath | str, environ: Mapping[str, str] = os.environ) -> Settings:
    """Read and validate a config file; raises ConfigError listing every problem."""
    source = str(path)
    try:
        text = read_text(FsPath(path))
    except OSError as exc:
        raise ConfigError(
            [Problem(source, 0, "file", f"cannot read: {exc.strerror}", _READ_FIX)]
        ) from None
    except YamlSyntaxError as exc:
        raise ConfigError([Problem(source, exc.line, "file", exc.problem, exc.fix)]) from None
    return parse_config(text, source, environ)


_READ_FIX = "check the path, and that the user running switchboard may read it"


def _apply_environment(data: Any, environ: Mapping[str, str]) -> None:
    if not isinstance(data, dict):
        return
    for variable, (section, key) in ENV_OVERRIDES.items():
        if variable in environ:
            block = data.get(section)
            if not isinstance(block, dict):
                block = data[section] = {}
            value: Any = environ[variable]
            block[key] = value.split(",") if key == "permit" else value


def parse_config(text: str, source: str, environ: Mapping[str, str] | None = None) -> Settings:
    """Validate config text (`source` names it in errors); `environ` may override endpoints.

    Field errors and errors across fields are reported together, each with a fix."""
    try:
        data, lines = load_with_lines(text)
    except YamlSyntaxError as exc:
        raise ConfigError([Problem(source, exc.line, "file", exc.problem, exc.fix)]) from None
    _apply_environment(data, environ or {})

    def problem(loc: tuple[Any, ...], message: str, fix: str) -> Problem:
        return Problem(source, _line_of(loc, lines), _dotted(loc), message, fix)

    cross = [problem(*found) for found in cross_field_problems(data, PROMPT_NAMES)]
    try:
        config = SwitchboardConfig.model_validate(data)
    except ValidationError as invalid:
        problems = []
        for err in invalid.errors():
            loc = tuple(err["loc"])
            last = next((p for p in reversed(loc) if isinstance(p, str)), "")
            fix = FIXES.get(last, "") or fix_for(err)
            message = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                fix = FIXES.get(last, "remove it, or check its spelling and indentation")
                message = "unknown key"
            elif err["type"] == "missing":
                fix = f"add `{last}:`"
            elif "secret" in message:
                fix, loc = FIXES["secret"], ("ami", "secret")
            problems.append(problem(loc, message, fix))
        seen = {(p.line, p.where) for p in problems}
        raise ConfigError(problems + [p for p in cross if (p.line, p.where) not in seen]) from None
    if cross:
        raise ConfigError(cross)
    return replace(_build(config, lines, source), state_dir=state_dir(environ or {}))


def state_dir(environ: Mapping[str, str]) -> str | None:
    """SWITCHBOARD_STATE_DIR, else the first of systemd's $STATE_DIRECTORY (the unit's
    StateDirectory=, the one place a hardened unit may write), else None (beside the config)."""
    chosen = environ.get("SWITCHBOARD_STATE_DIR") or environ.get("STATE_DIRECTORY", "")
    return chosen.split(":")[0] or None


PROMPT_NAMES = frozenset(f.name for f in fields(Prompts))


def _build(config: SwitchboardConfig, lines: Mapping[Path, int], source: str) -> Settings:
    """The domain's types from a config whose fields and cross-references are checked."""
    agents = {
        a.id: Agent(
            a.id,
            a.name,
            a.interface,
            a.state_interface or a.interface,
            frozenset(a.roles),
            a.calendar,
        )
        for a in config.agents
    }
    loops = [Loop(lc.id, lc.queue, lc.title, lc.suffix, lc.agents, lc.roles) for lc in config.loops]
    by_id = {loop.id: loop for loop in loops}
    hours = _hours(config.hours, ZoneInfo(config.presence.timezone))
    routes = {
        lc.id: LoopRoute(
            lc.id,
            lc.queue,
            lc.suffix,
            lc.language,
            lc.wait_s,
            lc.overflow_to,
            lc.unstaffed_after_s,
            _service(lc, config.presence.heads_up_min),
        )
        for lc in config.loops
    }
    if cycle := overflow_cycle(routes):
        index = next(i for i, lc in enumerate(config.loops) if lc.id == cycle[0])
        loc = ("loops", index, "overflow_to")
        raise ConfigError(
            [
                Problem(
                    source,
                    _line_of(loc, lines),
                    _dotted(loc),
                    "overflow goes round in a circle ("
                    + " -> ".join(cycle)
                    + "), never to a callback",
                    "end the chain with `overflow_to: callback`",
                )
            ]
        )
    menu = Menu(
        tuple(Choice(lc.digit, lc.queue, lc.title, lc.language) for lc in config.loops),
        by_id[config.default_loop].queue,
    )
    plan = IvrPlan(
        menu=menu,
        routes=routes,
        default_loop=config.default_loop,
        hours=hours,
        max_tries=config.ivr.max_tries,
        response_timeout_s=config.ivr.response_timeout_s,
        callback_digit=config.ivr.callback_digit,
        status_digit=config.ivr.status_digit,
        prompts=Prompts(**config.ivr.prompts),
        features=_features(config.ivr.feature_codes),
        recording=Recording(
            directory=config.ivr.recording.directory.rstrip("/"),
            consent_digit=config.ivr.recording.consent_digit,
            keep_days=config.ivr.recording.keep_days,
        ),
        rating=Rating(scale=config.ivr.rating.scale),
        closures=Closures(
            messages=config.supervisor.messages,
            offer_callback=config.supervisor.offer_callback,
            holiday_notice_days=config.supervisor.holiday_notice_days,
        ),
    )
    manual = {a.id: ManualStatus(a.status) for a in config.agents if a.status != "available"}
    return Settings(
        roster=Roster(agents, tuple(loops)),
        manual=manual,
        ami=config.ami,
        menu=menu,
        source=source,
        presence=config.presence,
        ivr=plan,
        ivr_config=config.ivr,
        strategies={lc.id: lc.strategy for lc in config.loops},
        web=config.web,
        redis=config.redis,
        screen=config.screen,
        logins={a.id: a.login for a in config.agents if a.login},
        supervisor=config.supervisor,
        closings=Closings(config.screen.closing.lines),
        promises=config.promises,
        reports=config.reports,
        ring_in_meetings=frozenset(a.id for a in config.agents if a.ring_in_meetings),
    )


def _service(lc: LoopConfig, heads_up_min: int) -> LoopService:
    a = lc.announce
    return LoopService(
        wrapup_s=lc.wrapup_s,
        follow_up_s=lc.follow_up_s,
        announce=Announcements(a.position, a.wait, a.every_s, a.position_limit),
        record=lc.record,
        rating=lc.rating,
        autopause_after=lc.autopause_after,
        keep_place=lc.keep_place,
        when_all_in_meetings=WhenAllInMeetings(lc.when_all_in_meetings),
        heads_up_s=60 * (heads_up_min if lc.heads_up_min is None else lc.heads_up_min),
    )


def _features(codes: FeatureCodesConfig) -> FeatureCodes | None:
    if not codes.enabled:
        return None
    return FeatureCodes(codes.pause, codes.resume, codes.reason)


def _hours(config: HoursConfig, zone: ZoneInfo) -> OpeningHours:
    """Spans are checked (order, overlap) by config_checks before this builds them."""
    weekly = tuple(
        tuple(Span(*parse_span(text)) for text in getattr(config, day)) for day in WEEKDAYS
    )
    public = holidays.country_holidays(config.holidays) if config.holidays else frozenset()
    return OpeningHours(weekly, zone, public, frozenset(config.closed_dates))
