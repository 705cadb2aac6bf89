"""Prometheus metrics, computed at scrape time from the engine's own state.

Names follow Prometheus conventions: `switchboard_` prefix, base units in the name
(`_seconds`), counters end in `_total`. Labels are bounded: `loop` (from the config),
`state` (five values), `action` (AMI action names we send), `kind` (calendar source
kinds), `step` (IVR steps). Personal names appear only with `expose_agent_names`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from switchboard.ami.events import DeviceStatus
from switchboard.presence.polled import SourceHealth
from switchboard.promises.callbacks import CallbackCounts
from switchboard.routing.policy import ManualStatus, PauseReason
from switchboard.routing.queue_state import MemberState, QueueState
from switchboard.routing.roster import Agent, Roster
from switchboard.routing.stats import Buckets


class AgentState(StrEnum):
    AVAILABLE = "available"
    IN_CALL = "in_call"
    PAUSED_CALENDAR = "paused_calendar"
    PAUSED_BY_HAND = "paused_by_hand"
    LOGGED_OUT = "logged_out"


_BUSY = frozenset({DeviceStatus.INUSE, DeviceStatus.BUSY, DeviceStatus.RINGING,
                   DeviceStatus.RINGINUSE, DeviceStatus.ONHOLD})  # fmt: skip


# Pauses the calendar makes: the meeting itself, and the heads-up before it.
_CALENDAR = frozenset({PauseReason.MEETING.wire, PauseReason.HEADS_UP.wire})


def agent_state(member: MemberState | None, manual: ManualStatus | None) -> AgentState:
    """One agent's state in one loop, as the wallboard and the metrics count it."""
    if member is None or manual is ManualStatus.LEAVE:
        return AgentState.LOGGED_OUT
    if member.paused:
        # A pause the agent chose on the screen is a pause by hand, though the engine sent it.
        meeting = member.paused_reason in _CALENDAR
        return AgentState.PAUSED_CALENDAR if meeting else AgentState.PAUSED_BY_HAND
    if member.in_call or member.status in _BUSY:
        return AgentState.IN_CALL
    return AgentState.AVAILABLE


def loop_agents(
    roster: Roster, state: QueueState, manual: Mapping[str, ManualStatus]
) -> Iterator[tuple[str, Agent, AgentState]]:
    """(queue, agent, state) for every agent the roster puts in every loop."""
    for loop in roster.loops:
        members = state.loops.get(loop.queue)
        for agent in roster.members_of(loop):
            member = members.members.get(agent.interface) if members else None
            yield loop.queue, agent, agent_state(member, manual.get(agent.id))


@dataclass(frozen=True, slots=True)
class LoopFigures:
    """One loop's numbers as ops see them (metrics and wallboard read the same figures)."""

    waiting: int
    longest_wait_s: float
    offered: int
    answered: int
    abandoned: int
    answered_within_target: int
    timed_out: int = 0
    moved_on: int = 0

    @property
    def ended(self) -> int:
        return self.answered + self.abandoned + self.timed_out + self.moved_on

    @property
    def service_level(self) -> float | None:
        """Of the callers who left the loop (answered, hung up, timed out or moved on), the
        share answered within the target; None before the first."""
        return self.answered_within_target / self.ended if self.ended else None

    @property
    def abandon_rate(self) -> float | None:
        """Of the callers who left the loop, the share who hung up waiting."""
        return self.abandoned / self.ended if self.ended else None


def loop_figures(state: QueueState, queue: str, now: float) -> LoopFigures:
    loop = state.loops.get(queue)
    if loop is None:
        return LoopFigures(0, 0.0, 0, 0, 0, 0)
    c = loop.counters
    return LoopFigures(
        len(loop.callers),
        max((now - x.waiting_since for x in loop.callers.values()), default=0.0),
        c.offered,
        c.answered,
        c.abandoned,
        c.answered_within_target,
        c.timed_out,
        c.moved_on,
    )


def agents_by_state(
    roster: Roster, state: QueueState, manual: Mapping[str, ManualStatus]
) -> dict[str, dict[str, int]]:
    """Queue -> state -> how many of the loop's agents are in it (every state listed)."""
    tally = {loop.queue: {s.value: 0 for s in AgentState} for loop in roster.loops}
    for queue, _agent, agent_state in loop_agents(roster, state, manual):
        tally[queue][agent_state.value] += 1
    return tally


@dataclass(frozen=True, slots=True)
class EngineView:
    """What the collector reads; each field a plain getter, so tests can hand it anything."""

    roster: Callable[[], Roster]  # read each time: a reloaded config changes it
    state: Callable[[], QueueState]
    manual: Callable[[], Mapping[str, ManualStatus]]
    ami_connected: Callable[[], bool]
    reconnects: Callable[[], int]
    actions_sent: Callable[[], Mapping[str, int]]
    action_errors: Callable[[], int]
    reconcile_durations: Callable[[], Buckets]
    ivr_steps: Callable[[], Mapping[tuple[str, str], int]]
    calendar_health: Callable[[], Mapping[str, SourceHealth]]  # by agent id
    calendar_kinds: Mapping[str, str]  # agent id -> ics/caldav/graph/ews
    callbacks: Callable[[], CallbackCounts | None]
    is_leader: Callable[[], bool]
    phones_open: Callable[[], bool | None]  # None: no opening hours configured
    clock: Callable[[], datetime]
    service_level_s: float
    expose_agent_names: bool = False
    # The agent screen (None: not served by this engine).
    screen_sessions: Callable[[], int] | None = None
    identity_checks: Callable[[], Mapping[tuple[str, bool], int]] | None = None  # (method, ok)
    # AMI events by outcome: decoded, ignored, undecodable (None: not reported).
    ami_events: Callable[[], Mapping[str, int]] | None = None
    ui_language: str = "en"  # the wallboard's words, as the agent screen's (screen.ui_language)
    # Agents by loop and state kept up to date (None: counted by walking every member).
    agent_counts: Callable[[], dict[str, dict[str, int]]] | None = None


def counted_agents(v: EngineView) -> dict[str, dict[str, int]]:
    """Queue -> state -> agents: from the tally when there is one, else by walking."""
    if v.agent_counts is not None:
        return v.agent_counts()
    return agents_by_state(v.roster(), v.state(), v.manual())


def _histogram(name: str, doc: str, label: str, series: Mapping[str, Buckets]) -> Metric:
    family = HistogramMetricFamily(name, doc, labels=[label] if label else [])
    for value, b in series.items():
        family.add_metric([value] if label else [], b.cumulative(), b.total)
    return family


def _ratio(value: float | None) -> float:
    return math.nan if value is None else value


# One series per loop each, read off the loop's figures: (kind, name, help, figure).
_LOOP_SERIES: tuple[
    tuple[type[GaugeMetricFamily | CounterMetricFamily], str, str, Callable[[LoopFigures], float]],
    ...,
] = (
    (
        GaugeMetricFamily,
        "switchboard_loop_callers_waiting",
        "Callers waiting in the loop now.",
        lambda f: f.waiting,
    ),
    (
        GaugeMetricFamily,
        "switchboard_loop_longest_wait_seconds",
        "How long the longest-waiting caller has waited.",
        lambda f: f.longest_wait_s,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_offered",
        "Calls that joined the loop.",
        lambda f: f.offered,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_answered",
        "Calls an agent answered.",
        lambda f: f.answered,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_abandoned",
        "Callers who hung up waiting.",
        lambda f: f.abandoned,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_timed_out",
        "Callers whose wait in the loop ran out (the dialplan moved them on).",
        lambda f: f.timed_out,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_moved_on",
        "Callers the router moved on because nobody in the loop could answer.",
        lambda f: f.moved_on,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_ended",
        "Callers who left the loop: answered, abandoned, timed out or moved on "
        "(the service level's denominator).",
        lambda f: f.ended,
    ),
    (
        CounterMetricFamily,
        "switchboard_loop_calls_answered_within_target",
        "Calls answered within the service-level target.",
        lambda f: f.answered_within_target,
    ),
    (
        GaugeMetricFamily,
        "switchboard_loop_service_level_ratio",
        "Share of the callers who left the loop that were answered within the target "
        "(waits counted from the first loop), since start.",
        lambda f: _ratio(f.service_level),
    ),
)


class EngineCollector(Collector):
    def __init__(self, view: EngineView) -> None:
        self.view = view

    def collect(self) -> Iterator[Metric]:
        v = self.view
        yield from self._loops(v, v.state(), v.clock().timestamp())
        yield from self._agents(v)
        yield from self._engine(v)
        yield from self._calendars(v)
        yield from self._callbacks(v)
        yield from self._screen(v)

    def _loops(self, v: EngineView, state: QueueState, now: float) -> Iterator[Metric]:
        # The `loop` label is the loop's id on every metric (the IVR steps' too), never the
        # Asterisk queue's name: the English loop is `english` although its queue is `switchboard`.
        loops = [(loop.id, loop.queue) for loop in v.roster().loops]
        families = [kind(name, text, labels=["loop"]) for kind, name, text, _ in _LOOP_SERIES]
        for loop_id, queue in loops:
            f = loop_figures(state, queue, now)
            for family, (*_, figure) in zip(families, _LOOP_SERIES, strict=True):
                family.add_metric([loop_id], figure(f))
        yield from families
        yield GaugeMetricFamily(
            "switchboard_service_level_target_seconds",
            "The configured service-level target.",
            value=v.service_level_s,
        )
        yield _histogram(
            "switchboard_loop_wait_before_answer_seconds",
            "How long answered callers waited.",
            "loop",
            {i: state.loops[q].counters.waits for i, q in loops if q in state.loops},
        )

    def _agents(self, v: EngineView) -> Iterator[Metric]:
        counts = GaugeMetricFamily(
            "switchboard_loop_agents", "Agents of the loop by state.", labels=["loop", "state"]
        )
        loop_of = {loop.queue: loop.id for loop in v.roster().loops}
        for queue, states in counted_agents(v).items():
            for state_name, n in states.items():
                counts.add_metric([loop_of[queue], state_name], n)
        yield counts
        if v.expose_agent_names:
            named = GaugeMetricFamily(
                "switchboard_agent_state",
                "1 for each agent's state in each loop (only with expose_agent_names).",
                labels=["loop", "agent", "state"],
            )
            for queue, agent, state in loop_agents(v.roster(), v.state(), v.manual()):
                named.add_metric([loop_of[queue], agent.id, state.value], 1)
            yield named

    def _engine(self, v: EngineView) -> Iterator[Metric]:
        yield GaugeMetricFamily(
            "switchboard_ami_connected",
            "1 while the AMI connection is up.",
            value=v.ami_connected(),
        )
        yield GaugeMetricFamily(
            "switchboard_leader",
            "1 when this engine holds the lease and acts.",
            value=v.is_leader(),
        )
        open_now = v.phones_open()
        if open_now is not None:
            yield GaugeMetricFamily(
                "switchboard_phones_open", "1 during opening hours.", value=open_now
            )
        yield CounterMetricFamily(
            "switchboard_ami_reconnects", "AMI reconnections since start.", value=v.reconnects()
        )
        sent = CounterMetricFamily(
            "switchboard_ami_actions", "AMI actions sent, by action.", labels=["action"]
        )
        for action, n in sorted(v.actions_sent().items()):
            sent.add_metric([action], n)
        yield sent
        if v.ami_events is not None:
            events = CounterMetricFamily(
                "switchboard_ami_events",
                "AMI events received, by outcome: decoded, ignored (of no use to us), forged "
                "(decoded, but naming a loop our plan lacks; also counted as decoded), "
                "undecodable (known but malformed).",
                labels=["outcome"],
            )
            for outcome, n in sorted(v.ami_events().items()):
                events.add_metric([outcome], n)
            yield events
        yield CounterMetricFamily(
            "switchboard_ami_action_errors",
            "AMI actions refused or not answered.",
            value=v.action_errors(),
        )
        yield _histogram(
            "switchboard_reconcile_duration_seconds",
            "Time one reconcile pass took to decide and hand its actions over (the running "
            "router does not wait for Asterisk's replies).",
            "",
            {"": v.reconcile_durations()},
        )
        steps = CounterMetricFamily(
            "switchboard_ivr_steps", "IVR steps callers took.", labels=["step", "loop"]
        )
        for (step, loop), n in sorted(v.ivr_steps().items()):
            steps.add_metric([step, loop], n)
        yield steps

    def _calendars(self, v: EngineView) -> Iterator[Metric]:
        now = v.clock()
        age = GaugeMetricFamily(
            "switchboard_calendar_oldest_success_age_seconds",
            "Age of the oldest last successful fetch among sources of this kind.",
            labels=["kind"],
        )
        never = GaugeMetricFamily(
            "switchboard_calendar_sources_never_fetched",
            "Sources of this kind with no successful fetch yet.",
            labels=["kind"],
        )
        errors = CounterMetricFamily(
            "switchboard_calendar_fetch_errors", "Failed calendar fetches.", labels=["kind"]
        )
        by_kind: dict[str, list[SourceHealth]] = {}
        for agent_id, health in v.calendar_health().items():
            by_kind.setdefault(v.calendar_kinds.get(agent_id, "other"), []).append(health)
        for kind, healths in sorted(by_kind.items()):
            ages = [a for h in healths if (a := h.age_s(now)) is not None]
            age.add_metric([kind], max(ages, default=math.nan))
            never.add_metric([kind], sum(h.last_success is None for h in healths))
            errors.add_metric([kind], sum(h.errors for h in healths))
        yield from (age, never, errors)

    def _callbacks(self, v: EngineView) -> Iterator[Metric]:
        counts = v.callbacks()
        if counts is None:
            return
        yield GaugeMetricFamily(
            "switchboard_callbacks_open", "Callback requests not yet done.", value=counts.open
        )
        yield GaugeMetricFamily(
            "switchboard_callbacks_overdue",
            "Open callback requests past their promise.",
            value=counts.overdue,
        )

    def _screen(self, v: EngineView) -> Iterator[Metric]:
        if v.screen_sessions is None or v.identity_checks is None:
            return
        yield GaugeMetricFamily(
            "switchboard_screen_sessions",
            "Agents logged in to the screen on this engine.",
            value=v.screen_sessions(),
        )
        checks = CounterMetricFamily(
            "switchboard_identity_checks",
            "Identity checks finished, by method and outcome (no personal data).",
            labels=["method", "verified"],
        )
        for (method, verified), n in sorted(v.identity_checks().items()):
            checks.add_metric([method, "true" if verified else "false"], n)
        yield checks
