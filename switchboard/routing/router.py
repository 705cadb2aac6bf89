"""The router's imperative shell: events in, snapshot on connect, reconcile, actions out."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence, Set
from datetime import datetime, timedelta, tzinfo

from switchboard.ami import actions
from switchboard.ami.client import AmiClient
from switchboard.ami.connection import Reply
from switchboard.ami.errors import ActionFailed, ActionTimeout, AmiError
from switchboard.ami.events import (
    AgentComplete,
    AgentConnect,
    AgentRingNoAnswer,
    CallbackRequested,
    Event,
    MemberEvent,
    QueueMemberPause,
    RawEvent,
)
from switchboard.ami.pipeline import Outcome
from switchboard.ivr.plan import IvrPlan
from switchboard.ivr.service import WhenAllInMeetings
from switchboard.presence.busy import BusyInterval, busy_at
from switchboard.presence.source import PresenceSource
from switchboard.routing.after_call import (
    autopause_changes,
    autopause_due,
    follow_up_until,
    ring_outs,
)
from switchboard.routing.attention import Attention, Touched
from switchboard.routing.boundaries import BoundaryIndex, MeetingCache, moments
from switchboard.routing.calls import CallBook
from switchboard.routing.catch_up import CatchUp, Heap
from switchboard.routing.dispatch import Dispatch, NotLeader, change_key
from switchboard.routing.ivr_duties import Intake, IvrDuties
from switchboard.routing.narration import grouped, narrate
from switchboard.routing.overrides import BACK_EARLY_FAMILY, read_back_early, stored
from switchboard.routing.ownership import OWNED_FAMILY, MemberKey, read_owned
from switchboard.routing.policy import (
    AUTOPAUSE_REASON,
    RESUME_REASON,
    DesiredMember,
    ManualStatus,
    PauseReason,
    back_early_until,
    desired_members,
    heads_up,
)
from switchboard.routing.queue_state import Change, MemberState, QueueState
from switchboard.routing.reconciler import (
    AddMember,
    AutoPause,
    ForgetOwnership,
    MemberChange,
    PauseMember,
    Plan,
    RecordOwnership,
    RemoveMember,
    UnpauseMember,
    brings,
    plan,
)
from switchboard.routing.roster import Roster
from switchboard.routing.staffing import LoopStaff, StaffIndex
from switchboard.routing.stats import DURATION_BUCKETS_S, Buckets

log = logging.getLogger("switchboard.router")
TELL_AFTER_S = 0.1  # changes done within this are told together
Clock = Callable[[], datetime]


class Router:
    """Keeps every loop's members as the policy wants them, over one AMI client."""

    # A pass hands its actions to the pipeline and the loop goes on (bench/designs.py keeps
    # the earlier design that waited for every reply, to measure against).
    waits_for_replies = False

    def __init__(
        self,
        roster: Roster,
        presence: PresenceSource,
        clock: Clock,
        *,
        ivr: IvrPlan | None = None,
        intake: Intake | None = None,  # callback requests into the promise store
        service_level_s: float = 20.0,
        may_act: Callable[[], bool] = lambda: True,  # False on a standby engine
        zone: tzinfo | None = None,  # the office's time zone, for times in the log
        window: int = 64,  # AMI actions outstanding at once
        presence_check_s: float = 5.0,  # re-read calendars this often even when not told
        leads: Mapping[str, timedelta] | None = None,  # queue -> heads-up (default: the plan's)
        heap: Heap | None = None,  # held while catching up after a snapshot (switchboard.heap)
    ) -> None:
        self._zone = zone
        self._presence_check_s = presence_check_s
        # What the next pass must decide, and the indexes that keep a pass small.
        self._attention = Attention()
        # What changed since ops last counted agents by state (ops.tally reads and clears it).
        self._touched = Touched()
        # Per loop, who can answer and who is in a meeting (the IVR duties and the screen's
        # loop notes ask on every pass and view), kept from the memberships touched.
        self._staff_index = StaffIndex()
        self._staff_touched = Touched()
        self._boundaries: BoundaryIndex[str] = BoundaryIndex()  # agent ids
        self._meetings = MeetingCache()
        self._busy: dict[str, Sequence[BusyInterval]] = {}
        self._presence_news = True
        self._presence_read_at = float("-inf")
        self._passes = 0  # reconcile passes run (benches read these)
        self._decided_count = 0  # memberships decided over all passes
        self._may_act = may_act
        self._roster = roster
        self._presence = presence
        self.clock = clock
        self._state = QueueState(service_level_s)
        self._reconcile_durations = Buckets(DURATION_BUCKETS_S)
        self._manual: dict[str, ManualStatus] = {}
        self._client: AmiClient | None = None
        self._action_errors = 0
        self._wake = asyncio.Event()
        # Member changes sent and not yet answered: the events they cause are expected.
        self._dispatch = Dispatch(window, self._settle, self._freed)
        self._done_lines: list[tuple[str, str]] = []  # (why, loop) of changes done, untold
        self._telling: asyncio.TimerHandle | None = None
        # Every membership as last decided: a snapshot (an Asterisk restart) is compared
        # against it, and only what changed since is decided again (30,000 in a large office).
        self._decided: dict[MemberKey, DesiredMember] | None = None
        self._catch_up = CatchUp(heap)
        self._needs_snapshot = True
        self._snapshot_lock = asyncio.Lock()
        self._reported: set[str] = set()
        # The memberships this engine created, as Asterisk keeps the record (None: unread).
        self._owned: dict[MemberKey, str] | None = None
        self._ownership_due = False  # a snapshot was taken and the record not yet read
        # Agents back early from a meeting: the calendar does not pause them until then.
        self._back_early: dict[str, datetime] = {}
        self._early_unsaved: set[str] = set()
        self._calls = CallBook()
        # After a call: the loops' follow-up pauses (agent id -> end) and ring-outs in a row.
        # "Ring me in meetings if nobody else can": who said so (the loops that honour it, and
        # the heads-up each loop gives before a meeting, come from the plan: `_serve`).
        self._opted_in: set[str] = set()
        self._given_leads = leads
        self._serve(ivr)
        self._follow_ups: dict[str, datetime] = {}
        self._ring_outs: dict[str, int] = {}
        self._autopause_due: set[str] = set()
        self._lift_autopause: set[str] = set()
        self._ivr = (
            None
            if ivr is None
            else IvrDuties(
                ivr,
                self._state,
                intake,
                self._count,
                self._report,
                self.staff,
            )
        )
        presence.subscribe(self._presence_changed)

    # --- what others may read (ops, the screen, the engine; see routing.view) ----------

    @property
    def roster(self) -> Roster:
        return self._roster

    @property
    def state(self) -> QueueState:
        """Every loop's members and callers as Asterisk last said (read-only to others)."""
        return self._state

    @property
    def calls(self) -> CallBook:
        return self._calls

    @property
    def presence(self) -> PresenceSource:
        return self._presence

    @property
    def manual(self) -> Mapping[str, ManualStatus]:
        """Each agent's own status (set through `set_manual_status`)."""
        return self._manual

    @property
    def back_early(self) -> Mapping[str, datetime]:
        return self._back_early

    @property
    def follow_ups(self) -> Mapping[str, datetime]:
        return self._follow_ups

    @property
    def opted_in(self) -> Set[str]:
        return self._opted_in

    @property
    def ring_opted_in(self) -> Set[str]:
        return self._ring_opted_in

    @property
    def owned(self) -> Mapping[MemberKey, str] | None:
        """The memberships this engine created, as Asterisk keeps the record (None: unread)."""
        return self._owned

    @property
    def touched(self) -> Touched:
        """What changed since ops last counted agents by state (ops.tally reads and clears it)."""
        return self._touched

    @property
    def catch_up(self) -> CatchUp:
        return self._catch_up

    @property
    def passes(self) -> int:
        """Reconcile passes run (benches read these)."""
        return self._passes

    @property
    def decided(self) -> int:
        """Memberships decided over all passes."""
        return self._decided_count

    @property
    def actions_sent(self) -> Mapping[str, int]:
        return self._dispatch.actions_sent

    @property
    def action_errors(self) -> int:
        """Actions refused or unanswered, the router's and its IVR duties'."""
        return self._action_errors + (self._ivr.errors if self._ivr is not None else 0)

    @property
    def reconcile_durations(self) -> Buckets:
        return self._reconcile_durations

    @property
    def has_ivr(self) -> bool:
        return self._ivr is not None

    def use_plan(self, plan: IvrPlan) -> None:
        """A reloaded config's menu plan: the IVR duties follow it from now, and every loop's
        service (follow-up, autopause, heads-up, ringing in meetings) from the next pass."""
        if self._ivr is not None:
            self._ivr.use_plan(plan)
        self._serve(plan)
        self._attention.everything()
        now = self.clock()
        for agent_id in self._roster.agents:  # heads-ups may start at other moments now
            self._index_agent(agent_id, now)
        self.wake()

    def _serve(self, plan: IvrPlan | None) -> None:
        self._services = {r.queue: r.service for r in plan.routes.values()} if plan else {}
        self._ring_opted_in = {
            queue
            for queue, svc in self._services.items()
            if svc.when_all_in_meetings is WhenAllInMeetings.RING_OPTED_IN
        }
        # The loops that stop offering calls before a member's meeting, and how long before.
        self._leads = (
            dict(self._given_leads)
            if self._given_leads is not None
            else {
                queue: timedelta(seconds=svc.heads_up_s)
                for queue, svc in self._services.items()
                if svc.heads_up_s
            }
        )

    def on_moved(self, note: Callable[[str, str], None]) -> None:
        """Be told (call id, queue) of every caller the IVR duties move on."""
        if self._ivr is not None:
            self._ivr.on_moved = note

    def _touch(self, key: MemberKey) -> None:
        """A membership changed (ops' tally and the staff index recount it)."""
        self._touched.keys.add(key)
        self._staff_touched.keys.add(key)

    def staff(self) -> dict[str, LoopStaff]:
        """Every loop's members, those who could answer now and those in a meeting."""
        return self._staff_index.read(self._state, self._staff_touched)

    def attach(self, client: AmiClient) -> None:
        self._client = client
        if self._ivr is not None:
            self._ivr.attach(client)

    def wake(self) -> None:
        """Ask for a reconcile pass soon (something relevant changed)."""
        self._wake.set()

    @property
    def plan(self) -> IvrPlan | None:
        """The menu plan the IVR duties follow (None without an IVR)."""
        return self._ivr.plan if self._ivr is not None else None

    @property
    def busy(self) -> Mapping[str, Sequence[BusyInterval]]:
        """Busy intervals per agent as the router last read them (kept fresh: when told,
        and every presence_check_s)."""
        return self._busy

    def _presence_changed(self) -> None:
        self._presence_news = True
        self.wake()

    def use_roster(self, roster: Roster) -> None:
        """A reloaded config: from the next pass, the new roster decides who is where."""
        self._roster = roster
        self._attention.everything()
        self._touched.everything = True
        self._reported.clear()  # conflicts are worth saying again against the new roster
        self.wake()

    def set_manual_status(
        self, agent_id: str, status: ManualStatus, *, by_person: bool = False
    ) -> None:
        """A status from the config, the store or (`by_person`) the agent on the screen.

        An agent who says "available" on the screen during a meeting is back early from it.
        """
        if agent_id not in self._roster.agents:
            raise KeyError(f"no agent {agent_id!r} in the roster")
        self._manual[agent_id] = status
        self._attention.agent(agent_id)
        self._touched.agents.add(agent_id)
        if by_person:
            self._follow_ups.pop(agent_id, None)  # their own word ends the follow-up early
        if by_person and status is ManualStatus.AVAILABLE:
            # Back from an autopause: the person said so (the engine never lifts it alone).
            self._lift_autopause.add(agent_id)
            self._ring_outs[agent_id] = 0
            now = self.clock()
            busy = self.busy
            meeting = busy_at(busy.get(agent_id, ()), now)
            if meeting is not None:
                self._came_back_early(agent_id, meeting.end, "said available on the screen")
            elif (soon := self._heads_up(agent_id, busy, now)) is not None:
                self._came_back_early(
                    agent_id, soon.start, "said available on the screen", "a heads-up"
                )
        self.wake()

    def start_with(
        self, manual: Mapping[str, ManualStatus], ring_in_meetings: Iterable[str] = ()
    ) -> None:
        """The config's starting point: each agent's own status and who rings in meetings."""
        for agent_id, status in manual.items():
            self.set_manual_status(agent_id, status)
        self._opted_in.update(ring_in_meetings)

    def set_ring_in_meetings(self, agent_id: str, on: bool) -> bool:
        """The agent's own choice: offered calls in meetings when nobody else in a loop can.

        Returns whether it changed anything."""
        if agent_id not in self._roster.agents:
            raise KeyError(f"no agent {agent_id!r} in the roster")
        if (agent_id in self._opted_in) == on:
            return False
        if on:
            self._opted_in.add(agent_id)
        else:
            self._opted_in.discard(agent_id)
        self._attention.agent(agent_id)
        self._touched.agents.add(agent_id)
        self.wake()
        return True

    def local(self, moment: datetime) -> datetime:
        """A moment in the office's time zone (log lines say times as the office reads them)."""
        return moment.astimezone(self._zone) if self._zone else moment.astimezone()

    def _heads_up(
        self, agent_id: str, busy: Mapping[str, Sequence[BusyInterval]], now: datetime
    ) -> BusyInterval | None:
        """The meeting one of the agent's loops gives a heads-up for now, if any."""
        leads = [self._leads[loop.queue] for loop in self._roster.loops_of(agent_id)
                 if loop.queue in self._leads]  # fmt: skip
        if not leads:
            return None
        return heads_up(agent_id, busy, self._back_early, now, max(leads))

    def _came_back_early(
        self, agent_id: str, until: datetime, how: str, what: str = "a meeting"
    ) -> None:
        if self._back_early.get(agent_id) == until:
            return
        self._back_early[agent_id] = until
        self._early_unsaved.add(agent_id)
        self._attention.agent(agent_id)
        self._index_agent(agent_id, self.clock())
        name = self._roster.agents[agent_id].name if agent_id in self._roster.agents else agent_id
        log.info(
            "%s is back early from %s, until %s (%s): the engine leaves them available",
            name,
            what,
            f"{self.local(until):%H:%M %z}",
            how,
        )

    def _watch_own_unpause(self, event: MemberEvent) -> bool:
        """A person's own unpause during an engine meeting pause; True when it was one.

        Only a QueueMemberPause says so: app_queue raises it for every pause change,
        whoever made it. A QueueMemberStatus (a ring, an answer) carries the pause as it
        was when published, and manager.c may deliver it after the reply to the engine's
        own pause: read as an unpause, it kept people ringing through their meeting."""
        if not isinstance(event, QueueMemberPause) or event.paused:
            return False
        before = self._state.loops.get(event.queue)
        was = before.members.get(event.interface) if before else None
        agent = self._roster.agent_by_interface(event.interface)
        if was is None or not was.paused or agent is None:
            return False
        until = back_early_until(
            agent.id,
            was.paused_reason,
            event.paused,
            event.paused_reason,
            # The router's own reading (fresh within presence_check_s): a source may build
            # its whole answer on each call, and this runs on every unpause event.
            self.busy,
            self.clock(),
        )
        if until is None:
            return False
        what = "a heads-up" if was.paused_reason == PauseReason.HEADS_UP.wire else "a meeting"
        self._came_back_early(agent.id, until, f"unpaused in {event.queue} by hand", what)
        return True

    # --- input -----------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        """Fold an AMI event into the model; member changes trigger a reconcile."""
        if type(event) is RawEvent:  # most of the stream: nothing the router reads
            return
        member = event if isinstance(event, MemberEvent) else None
        back_early = member is not None and self._watch_own_unpause(member)
        before = self._decisive(member) if member else None
        if isinstance(event, AgentComplete | AgentConnect | AgentRingNoAnswer):
            self._after_call(event)
        change = self._state.apply(event, self.clock().timestamp())
        if member is not None:
            self._touch((member.queue, member.interface))
        self._calls.apply(event)
        if not back_early:
            narrate(event, self._roster, self._manual)
        if member is not None and self._unexpected(member, before):
            # Login, pause or its reason moved, not by the engine's own action in flight:
            # that membership needs a decision. A ring, an answer or a hangup
            # (QueueMemberStatus) moves none of them: no pass.
            self._attention.member((member.queue, member.interface))
            self.wake()
        elif isinstance(event, CallbackRequested) and self._ivr and self._ivr.intake:
            self._ivr.intake.due = True
            self.wake()
        elif change is not Change.NONE and (
            self._ivr is not None or (change is Change.MEMBERS and self.waits_for_replies)
        ):
            self.wake()

    def _after_call(self, event: AgentComplete | AgentConnect | AgentRingNoAnswer) -> None:
        if isinstance(event, AgentComplete):
            due = follow_up_until(event, self._roster, self._services, self._manual, self.clock())
            if due is not None:
                agent_id, until = due
                self._follow_ups[agent_id] = until
                self._manual[agent_id] = ManualStatus.FOLLOW_UP
                self._touched.agents.add(agent_id)
                self._attention.agent(agent_id)
                self._index_agent(agent_id, self.clock())
                log.info(
                    "%s has follow-up time until %s after a call in %s",
                    event.member_name,
                    f"{self.local(until):%H:%M:%S %z}",
                    event.queue,
                )
                self.wake()
            return
        self._ring_outs = ring_outs(self._ring_outs, event, self._roster)
        agent = self._roster.agent_by_interface(event.interface)
        if (
            isinstance(event, AgentRingNoAnswer)
            and agent is not None
            and autopause_due(event, self._ring_outs.get(agent.id, 0), self._services)
        ):
            self._autopause_due.add(agent.id)
            self.wake()

    def _unexpected(self, member: MemberEvent, before: tuple[str, bool, str] | None) -> bool:
        """Whether the event moved what the policy reads, other than as an action of the
        engine still in flight asked (at a meeting start, 3,000 pauses' own events each
        asked for a pass that found nothing to do)."""
        after = self._decisive(member)
        if after == before:
            return False
        sent = self._dispatch.sent_for((member.queue, member.interface))
        seen = None if after is None else after[1:]
        return not sent or not any(brings(change, seen) for change in sent)

    def _decisive(self, event: MemberEvent) -> tuple[str, bool, str] | None:
        """What the policy and the reconciler read of the event's member, as we have it."""
        loop = self._state.loops.get(event.queue)
        m = loop.members.get(event.interface) if loop else None
        return None if m is None else (m.membership, m.paused, m.paused_reason)

    async def on_connected(self) -> None:
        """Fresh connection: re-read the truth, then re-decide (never replay the past)."""
        self._needs_snapshot = True
        if self._may_act():
            self._catch_up.begin()
        await self._dispatch.give_up()  # what waits was decided on the old connection
        if self._ivr is not None:
            self._ivr.reconnected()
        await self._fresh_snapshot()
        self.wake()

    async def _fresh_snapshot(self) -> None:
        """One snapshot however many ask at once (a pass and the connect may meet here)."""
        async with self._snapshot_lock:
            if self._needs_snapshot:
                await self._snapshot()

    # --- the loop --------------------------------------------------------------------

    async def run(self) -> None:
        """Reconcile on every relevant change and at the next known boundary in time."""
        try:
            await self._run()
        finally:  # (stopping)
            await self._dispatch.give_up()
            await self._catch_up.close()
            if self._telling is not None:  # what was done is told before the engine stops
                self._telling.cancel()
                self._told()

    async def _run(self) -> None:
        while True:
            if self._can_act():
                now = self.clock()
                wake_at = self._next_wake(now)
                delay = None if wake_at is None else max(0.0, wake_at - now.timestamp())
            else:
                # Boundaries that pass while nothing can be sent stay due (only a pass consumes
                # them), so waiting for them would spin a core on a standby engine or through an
                # AMI outage. A connect or a takeover wakes us; look again now and then anyway.
                delay = self._presence_check_s
            try:
                async with asyncio.timeout(delay):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            if self._can_act():
                await self.reconcile(wait=self.waits_for_replies)

    def _can_act(self) -> bool:
        return self._client is not None and self._client.connected.is_set() and self._may_act()

    def _boundary_wakes(self, now: datetime) -> list[float]:
        """When a calendar moment is next due (the heap's head), and the next re-read."""
        boundary_at = self._boundaries.next_at()
        times = [] if boundary_at is None else [boundary_at]
        return [*times, self._presence_read_at + self._presence_check_s]

    def _next_wake(self, now: datetime) -> float | None:
        times = self._boundary_wakes(now)
        if self._ivr is not None and (due := self._ivr.next_wake()) is not None:
            times.append(due)
        times += [until.timestamp() for until in self._follow_ups.values()]
        return min(times, default=None)

    async def reconcile(self, *, wait: bool = True) -> Plan:
        """One pass: desired vs. actual, send the difference, note what Asterisk accepted
        (with `wait`, once every reply is in; the running loop does not wait)."""
        started = time.perf_counter()
        try:
            return await self._reconcile(wait)
        finally:
            self._reconcile_durations.observe(time.perf_counter() - started)

    async def _reconcile(self, wait: bool) -> Plan:
        if self._needs_snapshot:
            try:
                await self._fresh_snapshot()
            except AmiError as exc:
                log.warning("no fresh queue snapshot (%s); reconcile postponed", exc)
                return Plan()
        now = self.clock()
        self._end_follow_ups(now)
        await self._autopause(wait)
        await self._keep_back_early(now)
        todo = self._decide(now)
        for note in todo.notes:
            self._report(note)
        await self._carry_out_all(todo.changes, wait=wait)
        if self._ownership_due and await self._read_ownership():
            more = self._decide(self.clock())
            for note in more.notes:
                self._report(note)
            await self._carry_out_all(more.changes, wait=wait)
            todo = Plan(todo.changes + more.changes, todo.notes + more.notes)
        self._catch_up.passed(self._dispatch.answered)
        if self._ivr is not None:
            await self._ivr.run_once(now)
        return todo

    def _end_follow_ups(self, now: datetime) -> None:
        """A follow-up pause the engine gave returns by itself (unless the person changed it)."""
        for agent_id in [a for a, until in self._follow_ups.items() if until <= now]:
            del self._follow_ups[agent_id]
            if self._manual.get(agent_id) is ManualStatus.FOLLOW_UP:
                self._manual[agent_id] = ManualStatus.AVAILABLE
                self._attention.agent(agent_id)
                self._touched.agents.add(agent_id)
                log.info("%s's follow-up time is over: available again", agent_id)

    async def _autopause(self, wait: bool) -> None:
        """Pause agents whose calls rang out too often; lift it for those who say they are back
        (through the pipeline, like every other change: the events it causes are expected)."""
        members = self._state.members() if self._autopause_due or self._lift_autopause else {}
        changes = autopause_changes(
            self._autopause_due, self._lift_autopause, self._roster, members, self._ring_outs
        )
        self._autopause_due.clear()
        self._lift_autopause.clear()
        await self._carry_out_all(changes, wait=wait)

    def _decide(self, now: datetime) -> Plan:
        """The plan for what changed: the same changes a full recompute would give."""
        self._read_presence(now)
        for agent_id in self._boundaries.pop_due(now):
            self._attention.agent(agent_id)
        if not self._attention:
            return Plan()
        todo = self._attention.take()
        self._passes += 1
        agents = set(todo.agents)
        for queue, interface in todo.keys:
            agents.update(self._roster.agents_at(queue, interface))
        if todo.full:
            if todo.recompute or self._decided is None:
                desired = self._desired(now, self._busy, meetings=self._meetings)
                self._decided_count += len(desired)
                self._decided = desired
            elif agents:
                self._decide_again(now, agents)
            return self._plan_settled(self._decided, self._state.members(), self._record())
        desired = self._decide_again(now, agents)
        keys = desired.keys() | todo.keys
        actual = {}
        for queue, interface in keys:
            loop = self._state.loops.get(queue)
            have = loop.members.get(interface) if loop else None
            if have is not None:
                actual[(queue, interface)] = have
        owned = self._record()
        mine = None if owned is None else {k: owned[k] for k in keys if k in owned}
        return self._plan_settled(desired, actual, mine, self._roster.queues())

    def _record(self) -> dict[MemberKey, str] | None:
        """The memberships the engine created, for a plan (None: not read, or not afresh
        since a snapshot: nothing outside the roster is touched then)."""
        return None if self._ownership_due else self._owned

    def _decide_again(self, now: datetime, agents: set[str]) -> dict[MemberKey, DesiredMember]:
        """The memberships of `agents` decided afresh (and kept for the next full look)."""
        desired = self._desired(now, self._busy, agents=agents, meetings=self._meetings)
        self._decided_count += len(desired)
        if self._decided is not None:
            self._decided.update(desired)
        return desired

    def _plan_settled(
        self,
        desired: Mapping[MemberKey, DesiredMember],
        actual: Mapping[MemberKey, MemberState],
        owned: Mapping[MemberKey, str] | None,
        managed: Collection[str] | None = None,
    ) -> Plan:
        """The plan for every membership with no action of the engine still in flight; the
        others are decided again once theirs is answered (what Asterisk has of them is
        about to change, so a decision now would send the same action twice)."""
        unsettled = self._dispatch.settled(desired, actual, owned)
        if unsettled:
            desired = {k: v for k, v in desired.items() if k not in unsettled}
            actual = {k: v for k, v in actual.items() if k not in unsettled}
            if owned is not None:
                owned = {k: v for k, v in owned.items() if k not in unsettled}
        return plan(desired, actual, owned, managed)

    def _desired(
        self,
        now: datetime,
        busy: Mapping[str, Sequence[BusyInterval]],
        *,
        agents: Collection[str] | None = None,
        meetings: MeetingCache | None = None,
    ) -> dict[tuple[str, str], DesiredMember]:
        """The pure policy over the router's inputs, for `agents` (None: everyone)."""
        return desired_members(
            self._roster,
            self._manual,
            busy,
            now,
            self._back_early,
            self._zone or now.tzinfo,
            agents=agents,
            meetings=meetings,
            leads=self._leads,
            opted_in=self._opted_in,
            ring_opted_in=self._ring_opted_in,
        )

    def _read_presence(self, now: datetime) -> None:
        """Take in calendars that changed (when told, and every presence_check_s anyway:
        a calendar turning stale changes what counts without telling anyone)."""
        at = now.timestamp()
        if not self._presence_news and at < self._presence_read_at + self._presence_check_s:
            return
        self._presence_news = False
        self._presence_read_at = at
        changes = self._presence.take_changes()
        if changes is None:  # the first read (or a source that cannot say): all of it
            fresh = self._presence.busy_intervals()
            news = {a: fresh.get(a) for a in self._busy.keys() | fresh.keys()}
        else:  # only the agents the source says changed: 10,000 calendars, a few moved
            news = {a: self._presence.busy_of(a) for a in changes}
        for agent_id, busy in news.items():
            if self._busy.get(agent_id) is busy:
                continue
            if busy is None:
                del self._busy[agent_id]
            else:
                self._busy[agent_id] = busy
            self._attention.agent(agent_id)
            self._meetings.forget(agent_id)
        for agent_id in self._attention.agents:
            self._index_agent(agent_id, now)

    def _index_agent(self, agent_id: str, now: datetime) -> None:
        """Put the agent's next moments of change (meetings, a back-early end) in the heap."""
        leads = {self._leads[loop.queue] for loop in self._roster.loops_of(agent_id)
                 if loop.queue in self._leads}  # fmt: skip
        times = moments(self._busy.get(agent_id, ()), leads)
        for until in (self._back_early.get(agent_id), self._follow_ups.get(agent_id)):
            if until is not None:
                times.append(until)
        self._boundaries.replace(agent_id, times, now)

    async def _keep_back_early(self, now: datetime) -> None:
        """Forget overrides that ran out; write new ones to AstDB (best effort: kept here)."""
        assert self._client is not None
        for agent_id in [a for a, until in self._back_early.items() if until <= now]:
            del self._back_early[agent_id]
            self._attention.agent(agent_id)
            self._early_unsaved.discard(agent_id)
            # A stale entry left behind is ignored when read: it has run out.
            with contextlib.suppress(AmiError):
                await self._client.send(actions.db_del(BACK_EARLY_FAMILY, agent_id))
        for agent_id in sorted(self._early_unsaved):
            until = self._back_early[agent_id]
            try:
                await self._client.send(actions.db_put(BACK_EARLY_FAMILY, agent_id, stored(until)))
            except AmiError as exc:
                log.warning("back-early override of %s not stored in Asterisk: %s", agent_id, exc)
                return
            self._early_unsaved.discard(agent_id)

    def _count(self, action: str, n: int = 1) -> None:
        self._dispatch.count(action, n)

    def _report(self, note: str) -> None:
        if note not in self._reported:
            self._reported.add(note)
            log.warning("%s", note)

    def became_leader(self) -> None:
        """Taking over from another engine: re-read the truth, then act on it."""
        self._needs_snapshot = True
        self._attention.everything()
        self._catch_up.begin()
        if self._ivr is not None:
            self._ivr.reconnected()
        self.wake()

    async def _carry_out_all(self, changes: Sequence[MemberChange], *, wait: bool) -> None:
        """Send the changes pipelined (up to `window` outstanding, each member's in order);
        with `wait`, return once everything sent so far is answered."""
        assert self._client is not None
        client = self._client

        async def send(action: actions.Action, left: float) -> Reply:
            if not self._may_act():  # the lease lapsed mid-plan: the other engine acts
                raise NotLeader(f"{action.name} not sent: the lease lapsed")
            return await client.send(action, timeout=left)

        self._dispatch.carry_out(changes, send, client.settings.action_timeout_s)
        if wait:
            await self._dispatch.answered()

    def _freed(self, key: MemberKey) -> None:
        """A membership left out of a pass while its action was in flight has its answer."""
        self._attention.member(key)
        self.wake()

    def _settle(
        self, change: MemberChange, key: MemberKey, outcome: Outcome
    ) -> Sequence[MemberChange]:
        """Take in Asterisk's answer to a change; returns the record to write after it."""
        if isinstance(outcome, NotLeader):
            return ()
        if isinstance(outcome, ActionFailed):
            self._action_errors += 1
            log.error(
                "%s refused by Asterisk: %s (will re-read queues)", change.why, outcome.message
            )
            self._needs_snapshot = True
            self._attention.everything()
            self.wake()
            return ()
        if isinstance(outcome, AmiError):
            self._action_errors += 1
            log.warning("%s not done: %s", change.why, outcome)
            # Unanswered is not undone: a stalled Asterisk may still carry it out, late.
            if isinstance(outcome, ActionTimeout):
                self._needs_snapshot = True
            self._attention.member(key)  # decided again on the next pass
            return ()
        if not isinstance(change, RecordOwnership | ForgetOwnership) and log.isEnabledFor(
            logging.INFO
        ):
            self._tell(change)
        self._note_done(change)
        if isinstance(change, AddMember) and self._owned is not None:
            m = change.member
            # AstDB outlives an Asterisk restart: a record it still holds (read at connect)
            # is not written again, which halves the actions that bring 30,000 back.
            if self._owned.get(key) != m.agent_id:
                return (RecordOwnership(m.queue, m.interface, m.agent_id),)
        elif isinstance(change, RemoveMember) and key in (self._owned or {}):
            return (ForgetOwnership(change.queue, change.interface),)
        return ()

    def _tell(self, change: MemberChange) -> None:
        """Log what was done, one line per person for the changes of a moment (composed
        only when someone reads it; `narration.grouped`)."""
        self._done_lines.append((change.why, change_key(change)[0]))
        if self._telling is None:
            self._telling = asyncio.get_running_loop().call_later(TELL_AFTER_S, self._told)

    def _told(self) -> None:
        self._telling = None
        lines, self._done_lines = self._done_lines, []
        for line in grouped(lines):
            log.info("%s", line)

    def _note_done(self, change: MemberChange) -> None:
        """Record what Asterisk accepted, before its event arrives."""
        self._touch(change_key(change))
        owned = self._owned if self._owned is not None else {}
        if isinstance(change, RecordOwnership):
            owned[(change.queue, change.interface)] = change.agent_id
        elif isinstance(change, ForgetOwnership):
            owned.pop((change.queue, change.interface), None)
        elif isinstance(change, RemoveMember):
            self._state.note_removed(change.queue, change.interface)
        elif isinstance(change, AutoPause):
            reason = AUTOPAUSE_REASON if change.paused else RESUME_REASON
            self._state.note_paused(change.queue, change.interface, change.paused, reason)
        elif isinstance(change, PauseMember):
            m = change.member
            self._state.note_paused(m.queue, m.interface, True, change.reason.wire)
        elif isinstance(change, UnpauseMember):
            m = change.member
            self._state.note_paused(m.queue, m.interface, False, RESUME_REASON)
        else:
            m = change.member
            reason = m.pause.wire if m.pause else ""
            self._state.note_added(m.queue, m.interface, m.name, m.state_interface, reason)

    def _load_snapshot(self, reply: Reply) -> None:
        self._state.load_snapshot(reply.items, self.clock().timestamp())
        self._staff_touched.everything = True

    async def _snapshot(self) -> None:
        """Read the members (and who is back early) afresh; the record of what the engine
        created is read after the first pass's actions are answered (`_read_ownership`):
        pauses and logins do not depend on it, and after an Asterisk restart the 30,000
        records of a large office would hold them up."""
        assert self._client is not None
        # Folded in as the reply completes, before any later event: Asterisk's totals in
        # it (QueueParams) then line up exactly with the events counted so far.
        status = self._client.send(actions.queue_status(), at_reply=self._load_snapshot)
        early = self._client.send(actions.db_get_tree(BACK_EARLY_FAMILY))
        folded, overrides = await asyncio.gather(status, early, return_exceptions=True)
        if isinstance(folded, BaseException):
            raise folded
        if isinstance(overrides, ActionFailed):
            pass  # (no entry, or no permission: reported when the record is read)
        elif isinstance(overrides, BaseException):
            raise overrides
        else:
            now = self.clock()
            for agent_id, until in read_back_early(overrides.items, now).items():
                if agent_id not in self._back_early or until > self._back_early[agent_id]:
                    self._back_early[agent_id] = until  # (another engine's, or ours before)
                    self._attention.agent(agent_id)
                    self._index_agent(agent_id, now)
        self._touched.everything = True
        self._attention.recheck()  # a fresh truth: compare everyone against it
        if self._owned is None:  # never read (start-up, taking over) or refused: read now
            await self._read_ownership()
        else:
            # Read again once the first pass's actions are answered (until then nothing
            # outside the roster is touched); meanwhile what it held, this engine's own
            # writes, says which new memberships still need their record written.
            self._ownership_due = True
        self._needs_snapshot = False
        members = self._state.members()
        log.info(
            "queue snapshot: %d loops, %d members, %d paused",
            len(self._state.loops),
            len(members),
            sum(m.paused for m in members.values()),
        )

    async def _read_ownership(self) -> bool:
        """Read which memberships the engine created, once what was sent is answered (so
        the pauses go first); True when read or refused for good, and a full pass is due."""
        assert self._client is not None
        await self._dispatch.answered()
        try:
            owned = await self._client.send(actions.db_get_tree(OWNED_FAMILY))
        except ActionFailed as refused:
            # Without the record nothing outside the roster is removed (fail safe).
            self._owned = None
            self._report(
                f"cannot read which memberships the engine created ({refused.message}); "
                "give the AMI user `system` read and write in manager.conf (see "
                "`switchboard asterisk-config`); until then stale memberships stay"
            )
        except AmiError as exc:
            log.warning("the record of the engine's memberships not read (%s); next pass", exc)
            self._ownership_due = True
            return False
        else:
            self._owned = read_owned(owned.items)
        self._ownership_due = False
        self._attention.recheck()  # removals and records could not be decided before
        return True
