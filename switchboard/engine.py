"""The engine: one router, one AMI client, their tasks owned by one TaskGroup."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from switchboard import heap
from switchboard.ami.client import AmiClient, AmiSettings
from switchboard.ami.events import Event
from switchboard.cluster.lease import LeaderLease
from switchboard.cluster.manual_store import ManualStatusStore, RedisManualStore
from switchboard.cluster.periodic import every
from switchboard.cluster.redis_clients import redis_client
from switchboard.cluster.status_sharing import StatusSharing
from switchboard.config import ConfigError, Settings, WebConfig, load_config
from switchboard.ivr.forged import forged_problem
from switchboard.ivr.hours import is_open
from switchboard.ops.metrics import EngineView
from switchboard.ops.tally import AgentTally
from switchboard.ops.web import WebServer, ops_routes
from switchboard.presence.calendars import CalendarPresence
from switchboard.presence.factory import presence_from
from switchboard.presence.polled import SourceHealth
from switchboard.presence.rules import ignored_hint
from switchboard.presence.source import PresenceSource
from switchboard.promises.callbacks import CallbackCounts, count
from switchboard.promises.intake import CallbackIntake
from switchboard.promises.keeper import Mailer, PromiseKeeper
from switchboard.promises.promise import PromiseKind
from switchboard.promises.redis_store import RedisPromiseStore
from switchboard.promises.sealing import Sealer
from switchboard.promises.smtp import SmtpMailer, SmtpSettings
from switchboard.promises.status import StatusFeed
from switchboard.promises.store import MemoryPromiseStore, PromiseStore
from switchboard.quality import recordings as rec
from switchboard.quality.ratings import RatingStore, consent_of, score_of
from switchboard.reports.shell import Reports
from switchboard.reports.web import report_routes
from switchboard.reports_setup import reports_for
from switchboard.routing.policy import ManualStatus
from switchboard.routing.router import Clock, Router
from switchboard.screen.desk import Desk
from switchboard.screen.directory import HttpDirectory, MemberDirectory, SqliteDirectory
from switchboard.screen.greeting import Greetings
from switchboard.screen.kid import KidLayout
from switchboard.screen.logins import Sessions
from switchboard.screen.origin import networks
from switchboard.screen.web import COOKIE as SESSION_COOKIE
from switchboard.screen.web import screen_routes
from switchboard.supervision.switch import SupervisorSwitch

log = logging.getLogger("switchboard.engine")


def system_clock() -> datetime:
    return datetime.now(UTC)


def calendar_presence(
    settings: Settings, clock: Clock = system_clock, window: timedelta = timedelta(hours=36)
) -> CalendarPresence:
    """A polled calendar for every agent whose config names one (presence.factory)."""
    calendars = {
        agent.id: (agent.calendar or where[1], *where)
        for agent in settings.roster.agents.values()
        if (where := settings.calendar_location(agent)) is not None
    }
    return presence_from(settings.presence, calendars, clock, window)


class Engine:
    """Everything that runs against one Asterisk, built in one place."""

    def __init__(
        self,
        settings: Settings,
        ami: AmiSettings,
        presence: PresenceSource,
        clock: Clock = system_clock,
        promise_store: PromiseStore | None = None,  # callbacks and inquiries: one store
        *,
        web: WebConfig | None = None,  # None: no HTTP side (most tests)
        lease: LeaderLease | None = None,  # None: a single engine, always acting
        directory: MemberDirectory | None = None,  # None: no agent screen
        manual_store: ManualStatusStore | None = None,  # None: statuses kept in this engine
        reload_on_sighup: bool = False,  # `switchboard run`: SIGHUP re-reads settings.source
        mailer: Mailer | None = None,  # None: inquiries are not mailed
    ) -> None:
        self.reload_on_sighup = reload_on_sighup
        self._reloads: set[asyncio.Task[bool]] = set()
        self.lease = lease
        self.settings = settings
        self.clock = clock
        self.promise_store = promise_store
        # One outage record for every part that talks to Redis (the lease owns it).
        self.redis_outage = lease.outage if lease is not None else None
        self.is_leader: Callable[[], bool] = lease.is_leader if lease else (lambda: True)
        self.promises = (
            None
            if promise_store is None or settings.ivr is None
            else PromiseKeeper(
                promise_store,
                settings.ivr.hours,
                clock,
                promise_rules=settings.promises.rules(),
                mailer=mailer,
                agent_names={a.id: a.name for a in settings.roster.agents.values()},
                outage=self.redis_outage,
            )
        )
        self.pending = None if self.promises is None else self.promises.pending
        self.presence = presence
        self.tally = AgentTally()  # agents by loop and state for /metrics and the wallboard
        working_days = settings.ivr_config.callback_promise_working_days
        self.intake = None if promise_store is None else CallbackIntake(promise_store, working_days)
        self.router = Router(
            settings.roster,
            presence,
            clock,
            ivr=settings.ivr,
            intake=self.intake,
            service_level_s=settings.ivr_config.service_level_s,
            may_act=self.is_leader,
            zone=ZoneInfo(settings.presence.timezone),
            heap=heap,
        )
        if lease is not None:
            lease.on_change = self._leadership_changed
        self.router.start_with(settings.manual, settings.ring_in_meetings)
        self.manual_store = manual_store
        self.status_feed: StatusFeed | None = None  # the IVR's status by reference
        self.forged_events = 0  # dialplan events naming loops the plan does not have
        self.client = AmiClient(ami, self._on_event, self.router.on_connected)
        self.router.attach(self.client)
        self._stop = asyncio.Event()
        self.ratings = rating_store(settings)
        self.supervisor = (
            None
            if settings.ivr is None
            else SupervisorSwitch(
                settings.roster,
                settings.ivr,
                settings.supervisor.role,
                lambda: self.client,
                clock,
                may_act=self.is_leader,
            )
        )
        self.desk = None if directory is None else self._desk(directory)
        if self.desk is not None and self.supervisor is not None:
            self.supervisor.on_change = self.desk.changed
        self.sessions = Sessions(
            time.monotonic, settings.screen.session_idle_s, settings.screen.session_max_s
        )
        routes = (
            []
            if self.desk is None
            else screen_routes(
                self.desk,
                self.sessions,
                lambda: self.settings.logins,
                secure_cookie=settings.screen.secure_cookie,
                trusted_proxies=networks(settings.web.trusted_proxies),
            )
        )
        self.reports = self._reports()
        if self.reports is not None:
            self.router.on_moved(self.reports.note_moved)
        if self.reports is not None and self.desk is not None:
            language = settings.screen.ui_language
            routes = [*routes, *report_routes(self.reports, self._may_see_reports, language)]
        self.web = (
            None
            if web is None
            else WebServer(
                # One app, each package's routes side by side: ops', the screen's, the reports'.
                Starlette(
                    routes=[
                        *ops_routes(self.view(), self.refresh, stopping=self._stop.is_set),
                        *routes,
                    ]
                ),
                web.host,
                web.port,
            )
        )

    def _reports(self) -> Reports | None:
        """Reports from queue_log, when the config has a `reports:` section."""
        return reports_for(self.settings, self.clock, self.promise_store)

    async def _publish_statuses(self) -> None:
        """Keep the IVR's status-by-reference entries in AstDB."""
        plan, intake = self.settings.ivr, self.intake
        if plan is None or not plan.status_digit or intake is None:
            return
        assert self.promise_store is not None
        if self.status_feed is None:  # every promise kept: an open one may be years old
            self.status_feed = StatusFeed(
                self.promise_store, plan.hours.zone, keep=timedelta(days=3650)
            )
        self.status_feed.zone = plan.hours.zone  # (a reloaded config may move it)
        entries = await self.status_feed.entries(self.clock(), time.monotonic())
        await intake.publish_statuses(entries)

    def _may_see_reports(self, request: Request) -> bool:
        """A logged-in screen session of an agent with the reports role."""
        session = self.sessions.get(request.cookies.get(SESSION_COOKIE))
        if session is None or self.settings.reports is None:
            return False
        agent = self.settings.roster.agents.get(session.agent_id)
        return agent is not None and self.settings.reports.role in agent.roles

    def _desk(self, directory: MemberDirectory) -> Desk:
        s = self.settings.screen
        presence = self.presence
        if self.promises is not None:
            self.promises.member_facts = partial(_member_facts, directory)

        def hints(agent_id: str) -> list[str]:
            if not isinstance(presence, CalendarPresence):
                return []
            return [ignored_hint(e, presence.zone) for e in presence.ignored(agent_id)]

        return Desk(
            self.router,
            directory,
            greetings=Greetings(s.organisation, s.greetings),
            closings=self.settings.closings,
            supervisor=self.supervisor,
            recordings=recording_access(self.settings),
            calendar_health=self._calendar_health,
            kid_layout=KidLayout(
                s.kid.member_digits, s.kid.min_length, s.kid.max_length, s.kid.algorithms
            ),
            zone=ZoneInfo(self.settings.presence.timezone),
            all_day_hints=hints,
            manual_store=self.manual_store,
            promises=self.promises,
            forget_callback=self.intake.forget if self.intake and self.router.has_ivr else None,
            language=s.ui_language,
        )

    def _calendar_health(self, agent_id: str) -> SourceHealth | None:
        presence = self.presence
        if not isinstance(presence, CalendarPresence):
            return None
        calendar = presence.calendars.get(agent_id)
        return calendar.health if calendar is not None else None

    def _on_event(self, event: Event) -> None:
        problem = forged_problem(event, self.settings.ivr)
        if problem is not None:
            self._refuse_forged(problem)
            return
        self.router.on_event(event)
        if self.desk is not None:
            self.desk.on_event(event)
        if self.ratings is not None and self.is_leader():  # counted once, by the acting engine
            self._count_quality(event)

    def _count_quality(self, event: Event) -> None:
        assert self.ratings is not None
        assert self.settings.ivr is not None
        now = self.clock()
        if (rated := score_of(event, self.settings.ivr.rating.scale)) is not None:
            self.ratings.add(*rated, now)
        elif (consent := consent_of(event)) is not None:
            self.ratings.add_consent(*consent, now)

    def _refuse_forged(self, problem: str) -> None:
        """Count a dialplan event that cannot be ours; log the first few, then every 1000th
        (a flood of forgeries must not become a flood of log lines)."""
        self.forged_events += 1
        if self.forged_events <= 10 or self.forged_events % 1000 == 0:
            log.warning("dialplan event refused (%d so far): %s", self.forged_events, problem)

    def view(self) -> EngineView:
        """What ops see of this engine (metrics and wallboard read it at request time)."""
        router, client = self.router, self.client
        calendars = self.presence.calendars if isinstance(self.presence, CalendarPresence) else {}
        kinds = {
            agent.id: (agent.calendar or "").partition(":")[0]
            for agent in self.settings.roster.agents.values()
        }
        return EngineView(
            roster=lambda: self.settings.roster,
            state=lambda: router.state,
            manual=lambda: router.manual,
            ami_connected=client.connected.is_set,
            reconnects=lambda: client.reconnects,
            actions_sent=lambda: router.actions_sent,
            action_errors=lambda: router.action_errors,
            reconcile_durations=lambda: router.reconcile_durations,
            ivr_steps=lambda: router.calls.steps,
            calendar_health=lambda: {a: c.health for a, c in calendars.items()},
            calendar_kinds=kinds,
            callbacks=self._callback_counts,
            is_leader=lambda: self.is_leader(),
            phones_open=self._phones_open,
            clock=self.clock,
            service_level_s=self.settings.ivr_config.service_level_s,
            expose_agent_names=self.settings.web.expose_agent_names,
            screen_sessions=None if self.desk is None else self.sessions.__len__,
            identity_checks=None if self.desk is None else self.desk.identity_counts.copy,
            ami_events=lambda: {**client.event_counts(), "forged": self.forged_events},
            agent_counts=lambda: self.tally.read(
                router.roster, router.state, router.manual, router.touched
            ),
            ui_language=self.settings.screen.ui_language,
        )

    def _leadership_changed(self, leader: bool) -> None:
        if leader:
            self.router.became_leader()
            if self.status_feed is not None:
                self.status_feed.start_over()  # the other engine's writes: read them all

    def _phones_open(self) -> bool | None:
        plan = self.settings.ivr
        return None if plan is None else is_open(plan.hours, self.clock())

    async def refresh(self) -> None:
        """Re-read open callback requests (from the store, so asynchronous; at most once a
        second for every wallboard, scrape and screen together)."""
        if self.pending is not None:
            await self.pending.refresh()

    def _callback_counts(self) -> CallbackCounts | None:
        """Open and overdue callbacks now (None before the store was first read)."""
        if self.pending is None or self.pending.requests is None:
            return None
        callbacks = [p for p in self.pending.requests if p.kind is PromiseKind.CALLBACK]
        return count(callbacks, self.clock())

    def reload(self) -> None:
        """SIGHUP: re-read the config file in the background (the handler must not block)."""
        task = asyncio.get_running_loop().create_task(self.reload_config())
        self._reloads.add(task)
        task.add_done_callback(self._reloads.discard)

    async def reload_config(self) -> bool:
        """Re-read the config: validated first, a bad file keeps the running one and says why.

        The roster, the YAML statuses and the IVR plan (loops, hours) take effect at once;
        AMI, web, Redis and calendar sources are built at start and wait for a restart.
        """
        path = self.settings.source
        try:
            fresh = load_config(path)
        except ConfigError as bad:
            log.error(
                "config %s not reloaded, the running one stays: %d problem(s)",
                path,
                len(bad.problems),
            )
            for problem in bad.problems:
                log.error("  %s", problem)
            return False
        except OSError as exc:
            log.error("config %s not reloaded, the running one stays: %s", path, exc)
            return False
        old, self.settings = self.settings, fresh
        self.router.use_roster(fresh.roster)
        if fresh.ivr is not None:
            self.router.use_plan(fresh.ivr)
        if self.desk is not None:
            self.desk.use_roster(fresh.roster)
        if self.promises is not None:  # the catalogue and texts; the mail server at restart
            self.promises.rules = fresh.promises.rules()
            if fresh.ivr is not None:
                self.promises.hours = fresh.ivr.hours
            self.promises.agent_names = {a.id: a.name for a in fresh.roster.agents.values()}
        for agent_id in fresh.roster.agents:
            was, now = old.manual.get(agent_id), fresh.manual.get(agent_id)
            if was != now:  # only what the file changed: a status set on the screen stays
                status = now or ManualStatus.AVAILABLE
                self.router.set_manual_status(agent_id, status)
                if self.manual_store is not None:
                    try:
                        await self.manual_store.save(agent_id, status)
                    except Exception as exc:  # the store is an adapter: the router has it
                        log.warning("status of %s not shared through the store: %s", agent_id, exc)
        later = [
            name
            for name, changed in (
                ("ami", old.ami != fresh.ami),
                ("web", old.web != fresh.web),
                ("redis", old.redis != fresh.redis),
                ("promises.mail", old.promises.mail != fresh.promises.mail),
                ("presence", old.presence != fresh.presence),
                ("calendars", _calendars(old) != _calendars(fresh)),
            )
            if changed
        ]
        log.info(
            "config %s reloaded: %d agents in %d loops%s",
            path,
            len(fresh.roster.agents),
            len(fresh.roster.loops),
            f"; changes to {', '.join(later)} take effect at the next restart" if later else "",
        )
        return True

    async def _settle(self) -> None:
        """A standby engine decides nothing, so its router never settles the heap after a
        first pass (routing.catch_up): what start-up built is frozen after a minute."""
        for _ in range(120):
            if self.router.catch_up.settles or self.router.catch_up.held:
                return  # the router settles (or is about to)
            await asyncio.sleep(0.5)
        frozen = heap.settle()
        log.info("start-up done: %d objects set aside from garbage collection", frozen)

    async def run(self) -> None:
        """Run until `stop()`; a failing task stops the others and surfaces its error."""
        if self.reload_on_sighup:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self.reload)
        async with asyncio.TaskGroup() as tasks:
            client = tasks.create_task(self.client.run())
            background = [tasks.create_task(self.router.run()), tasks.create_task(self._settle())]
            if self.supervisor is not None:
                background.append(tasks.create_task(self.supervisor.run()))
            if (access := recording_access(self.settings)) is not None:
                keep = self.settings.ivr_config.recording.keep_days
                background.append(tasks.create_task(prune_recordings(access[0], keep)))
            if isinstance(self.presence, CalendarPresence):
                background.append(tasks.create_task(self.presence.run()))
            if self.lease is not None:
                background.append(tasks.create_task(self.lease.run()))
            if self.manual_store is not None:
                sharing = StatusSharing(
                    self.manual_store,
                    self.router,
                    lambda agent_id: agent_id in self.settings.roster.agents,
                    self.redis_outage,
                    self.desk.changed if self.desk is not None else lambda: None,
                )
                background.append(tasks.create_task(sharing.run()))
            if self.promises is not None:
                background.append(tasks.create_task(self.promises.run(self.is_leader)))
            if self.intake is not None and self.router.has_ivr:
                statuses = every(
                    2.0,
                    self._publish_statuses,
                    failed="reference statuses not published to Asterisk",
                    may_act=self.is_leader,
                    logger=log,
                )
                background.append(tasks.create_task(statuses))
            if self.reports is not None and self.settings.reports is not None:
                every_s = self.settings.reports.every_s
                background.append(tasks.create_task(self.reports.run(self.is_leader, every_s)))
            if self.web is not None:
                web = tasks.create_task(self.web.serve())
            await self._stop.wait()
            if self.desk is not None:
                self.desk.close()
            if self.web is not None:
                self.web.stop()
                await web
            await self.client.stop()
            for task in background:
                task.cancel()
            await client
        if self.reload_on_sighup:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if isinstance(self.presence, CalendarPresence):
            await self.presence.aclose()

    def stop(self) -> None:
        self._stop.set()


def recording_access(settings: Settings) -> tuple[Path, str] | None:
    """Where recordings are and who may reach them, when a loop records."""
    plan = settings.ivr
    if plan is None or not any(r.service.record for r in plan.routes.values()):
        return None
    return Path(plan.recording.directory), settings.ivr_config.recording.access_role


async def prune_recordings(directory: Path, keep_days: int, every_s: float = 3600.0) -> None:
    """Delete expired recordings where the engine can see them (on the Asterisk host)."""

    async def prune() -> None:
        gone = await asyncio.to_thread(rec.prune, directory, keep_days)
        if gone:
            log.info("deleted %d recording(s) older than %d days", len(gone), keep_days)

    await every(every_s, prune, failed="recordings not pruned", logger=log)


def rating_store(settings: Settings) -> RatingStore | None:
    """The ratings and consent counts, when a loop asks for a rating or for consent."""
    plan = settings.ivr
    if plan is None or not any(r.service.rating or r.service.record for r in plan.routes.values()):
        return None
    return RatingStore(settings.data_file(settings.ivr_config.rating.store))


def _calendars(settings: Settings) -> dict[str, str | None]:
    return {a.id: a.calendar for a in settings.roster.agents.values()}


def production_engine(
    settings: Settings, environ: Mapping[str, str] = os.environ, holder: str | None = None
) -> Engine:
    """The engine `switchboard run` starts: calendars, Redis store and lease when configured."""
    from switchboard.data_key import read

    ami = settings.ami_settings(environ)
    directory = member_directory(settings, environ)
    store: PromiseStore
    lease = None
    manual_store: ManualStatusStore | None = None
    if settings.redis is None:
        log.warning(
            "no redis: section in the config: callback requests are kept in memory only "
            "(they also stay in Asterisk's AstDB until done) and no second engine can stand by"
        )
        store = MemoryPromiseStore()
    else:
        redis = redis_client(settings.redis, environ)
        store = RedisPromiseStore(
            redis,
            Sealer(read(settings.redis.data_key_env, environ).encode()),
            keep_days=settings.promises.keep_days,
        )
        holder = holder or f"{socket.gethostname()}:{os.getpid()}"
        # Behind sentinels, a lease counts once a replica has it (see ops.lease).
        replicas = 1 if settings.redis.sentinels else 0
        lease = LeaderLease(redis, holder, settings.redis.lease_s, min_replicas=replicas)
        manual_store = RedisManualStore(redis)
    return Engine(
        settings,
        ami,
        calendar_presence(settings),
        promise_store=store,
        web=settings.web,
        lease=lease,
        directory=directory,
        manual_store=manual_store,
        reload_on_sighup=True,
        mailer=mailer(settings, environ),
    )


def mailer(settings: Settings, environ: Mapping[str, str] = os.environ) -> SmtpMailer | None:
    """The department inboxes' SMTP server, when the config names one."""
    m = settings.promises.mail
    if m is None:
        return None
    password = ""
    if m.password_env:
        password = settings.required_env(
            m.password_env, "promises.mail.password_env", "the SMTP password", environ
        )
    return SmtpMailer(SmtpSettings(m.host, m.port, m.starttls, m.username, password))


async def _member_facts(directory: MemberDirectory, member_id: str) -> tuple[str, str]:
    member = await directory.get(member_id)
    return ("", "") if member is None else (member.name, member.member_number)


def member_directory(
    settings: Settings, environ: Mapping[str, str] = os.environ
) -> MemberDirectory:
    """The configured directory: the embedded SQLite file, or a CRM over HTTP."""
    s = settings.screen
    where = settings.directory_location()
    if where.startswith("sqlite:"):
        from switchboard.data_key import read
        from switchboard.screen.directory_key import hash_key

        path = where.removeprefix("sqlite:")
        data_key = read(s.fnr_key_env, environ)
        return SqliteDirectory(
            path,
            hash_key(path, data_key) if path != ":memory:" else data_key.encode(),
            frozenset(s.placeholder_personal_numbers),
            timedelta(days=s.keep_identity_checks_days),
        )
    token = environ.get(s.directory_token_env, "") if s.directory_token_env else ""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return HttpDirectory(httpx.AsyncClient(base_url=where, timeout=5.0, headers=headers))
