"""The agent screen's shell: folds queue events, asks the directory, runs identity checks.

Every decision is made by the pure modules (agent_calls, identity, record_checks, board,
card); this class only fetches, keeps per-call state and wakes the browsers that show it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from switchboard.ami.events import Event, RawEvent
from switchboard.cluster.manual_store import ManualStatusStore
from switchboard.ivr.plan import IvrPlan
from switchboard.presence.polled import SourceHealth
from switchboard.promises.keeper import NewInquiry, PromiseKeeper
from switchboard.promises.promise import PromiseKind
from switchboard.quality import recordings as rec
from switchboard.routing.policy import AUTOPAUSE_REASON, ManualStatus
from switchboard.routing.privacy import masked_number
from switchboard.routing.roster import Agent, Roster
from switchboard.routing.view import RouterView
from switchboard.screen import identity as wizard
from switchboard.screen.agent_calls import AgentCalls
from switchboard.screen.answers import Refused, asked, verdict
from switchboard.screen.board import BoardRow, board, loop_notes
from switchboard.screen.calendar_health import health_text
from switchboard.screen.card import CallContext, Json, card_json
from switchboard.screen.closing import Closings
from switchboard.screen.closures_panel import closures_json, switch_json
from switchboard.screen.directory import DirectoryError, MemberDirectory
from switchboard.screen.fnr import check_fnr
from switchboard.screen.greeting import Greetings
from switchboard.screen.kid import KidLayout
from switchboard.screen.meeting_notes import opted_in_notes
from switchboard.screen.member import (
    CORRECTABLE,
    Correction,
    IdentityRecord,
    Member,
    correction_problem,
)
from switchboard.screen.promise_work import PromiseWork
from switchboard.screen.texts import localise_card, localise_view, say
from switchboard.supervision.closures import ClosureRefused
from switchboard.supervision.switch import SupervisorSwitch

log = logging.getLogger("switchboard.screen")
DEFAULT_GREETINGS = Greetings()
DEFAULT_KID_LAYOUT = KidLayout()
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(slots=True)
class CallNotes:
    """What the screen learnt about one call: directory answer, identity checks per agent."""

    members: list[Member] = field(default_factory=list)
    lookup_problem: str = ""
    looked_up: bool = False
    checks: dict[str, wizard.IdentityCheck] = field(default_factory=dict)
    checked: dict[str, Member] = field(default_factory=dict)  # agent id -> member checked


class Desk:
    """Per-agent call cards, identity checks and status, for the screen's web routes."""

    def __init__(
        self,
        router: RouterView,
        directory: MemberDirectory,
        *,
        greetings: Greetings = DEFAULT_GREETINGS,
        closings: Closings | None = None,
        supervisor: SupervisorSwitch | None = None,
        recordings: tuple[Path, str] | None = None,  # (directory, access role)
        calendar_health: Callable[[str], SourceHealth | None] = lambda _agent: None,
        kid_layout: KidLayout = DEFAULT_KID_LAYOUT,
        zone: ZoneInfo = OSLO,
        all_day_hints: Callable[[str], list[str]] = lambda _agent: [],
        manual_store: ManualStatusStore | None = None,
        clock: Callable[[], float] = time.time,
        promises: PromiseKeeper | None = None,
        forget_callback: Callable[[str], Awaitable[None]] | None = None,  # AstDB clean-up
        language: str = "en",  # the screen's own words: "no" or "en"
    ) -> None:
        self.language = language
        self.promises = promises
        self.forget_callback = forget_callback
        self.router = router
        self.directory = directory
        self.greetings = greetings
        self.closings = closings or Closings()
        self.supervisor = supervisor
        self.recordings = recordings
        self.calendar_health = calendar_health
        self.kid_layout = kid_layout
        self.zone = zone
        self.all_day_hints = all_day_hints
        self.manual_store = manual_store
        self.clock = clock
        self.calls = AgentCalls(router.roster)
        self.promise_work = PromiseWork(
            promises,
            router.roster,
            zone=zone,
            language=language,
            clock=router.clock,
            changed=self.changed,
            forget_callback=forget_callback,
        )
        self.notes: dict[str, CallNotes] = {}
        self.use_roster(router.roster)
        self.plan: IvrPlan | None = router.plan
        self._changed = asyncio.Event()
        self._lookups: set[asyncio.Task[None]] = set()
        self.identity_counts: Counter[tuple[str, bool]] = Counter()  # (method, verified)
        self._version = 0  # counts changes; the board cache is keyed on it
        self._agent_changed: dict[str, asyncio.Event] = {}
        self.board_refresh_s = 1.0
        # The board as every screen gets it: (computed at, version, text); version moves
        # only when the text does, so a screen sends it only when something on it changed.
        self._board_text: tuple[float, int, str] = (float("-inf"), 0, "[]")
        self.closed = False  # the engine is stopping: event streams end

    def use_roster(self, roster: Roster) -> None:
        """Take a new roster (the config was reloaded): names, loops and titles from it."""
        self.roster = roster
        self.calls.roster = roster
        self.promise_work.use_roster(roster)
        self.titles = {loop.queue: loop.title for loop in roster.loops}
        self.loop_titles = {loop.id: loop.title for loop in roster.loops}
        self.agent_names = {a.id: a.name for a in roster.agents.values()}
        self.agent_loops = {
            agent_id: {loop.id for loop in loops}
            for agent_id, loops in roster.loops_by_agent().items()
        }
        # The next board_json() builds the board anew (the version carries on).
        _at, version, text = getattr(self, "_board_text", (0.0, 0, "[]"))
        self._board_text = (float("-inf"), version, text)

    # --- events in ---------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        if type(event) is RawEvent:  # most of the stream: no call changes on it
            return
        changed = self.calls.apply(event, self.clock())
        if not changed:
            return
        self._forget_gone()
        for agent_id in changed:
            card = self.calls.of(agent_id)
            if card is not None and card.call_id not in self.notes:
                notes = self.notes[card.call_id] = CallNotes()
                look_up = self._look_up(card.call_id, card.number, notes)
                task = asyncio.get_running_loop().create_task(look_up)
                self._lookups.add(task)
                task.add_done_callback(self._lookups.discard)
        self.changed(changed)  # only their screens now; everyone's board at its next refresh

    async def _look_up(self, call_id: str, number: str, notes: CallNotes) -> None:
        try:
            notes.members = await self.directory.by_phone(number)
        except DirectoryError as exc:
            notes.lookup_problem = str(exc)
            log.warning("member lookup for call %s failed: %s", masked_number(number), exc)
        notes.looked_up = True
        if self.notes.get(call_id) is notes:
            self.changed(self.calls.showing(call_id))

    def close(self) -> None:
        """End every open event stream (the engine is stopping)."""
        self.closed = True
        self.changed()

    def changed(self, agents: Iterable[str] | None = None) -> None:
        """Wake the screens of `agents` (None: every screen); each rebuilds its own part and
        sends it if it differs. The board, shared by all, follows at its refresh."""
        self._version += 1
        if agents is None:
            self._changed.set()
            self._changed = asyncio.Event()
            return
        for agent_id in agents:
            mine = self._agent_changed.pop(agent_id, None)
            if mine is not None:
                mine.set()

    async def wait_for_change(self, timeout_s: float, agent_id: str | None = None) -> None:
        """Until a change for everyone, one for `agent_id`, or `timeout_s`."""
        waits = [self._changed.wait()]
        if agent_id is not None:
            waits.append(self._agent_changed.setdefault(agent_id, asyncio.Event()).wait())
        tasks = [asyncio.ensure_future(w) for w in waits]
        try:
            await asyncio.wait(tasks, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    # --- what one agent sees -----------------------------------------------------------

    def view(self, agent_id: str) -> Json:
        """The agent's whole screen: themselves, their call (only theirs), and the board."""
        view = self._own_view(agent_id)
        view["board"] = json.loads(self.board_json()[1])
        return view

    def own_json(self, agent_id: str) -> str:
        """The agent's own part of the view (all but the board), serialised."""
        return json.dumps(self._own_view(agent_id), ensure_ascii=False)

    def board_json(self) -> tuple[int, str]:
        """The board serialised once for every screen: (version, text), at most once per
        board_refresh_s (what changes it is queue events, meetings, statuses: many a second)."""
        at = time.monotonic()
        computed_at, version, text = self._board_text
        if at - computed_at >= self.board_refresh_s:
            json_rows = self._board(self.router.clock())
            if self.language == "no":
                json_rows = [{**r, "detail": say(str(r["detail"]), "no")} for r in json_rows]
            fresh = json.dumps(json_rows, ensure_ascii=False)
            self._board_text = (at, version + (fresh != text), fresh)
        return self._board_text[1], self._board_text[2]

    def _own_view(self, agent_id: str) -> Json:
        agent = self.roster.agents[agent_id]
        status = self.router.manual.get(agent_id, ManualStatus.AVAILABLE)
        now = self.router.clock()
        mine = self._row(agent, now)
        view: Json = {
            "language": self.language,
            "me": {
                "id": agent.id,
                "name": agent.name,
                "status": status.value,
                # What the queues make of it: e.g. "in a meeting until 11:00" (calls go elsewhere).
                "presence": mine.presence.value,
                "detail": mine.detail,
                # The loop's follow-up time after a call, counted down on the screen.
                "follow_up_until": _epoch(self.router.follow_ups.get(agent_id)),
                # "Ring me in meetings if nobody else can" (None: no loop of theirs offers it).
                "ring_in_meetings": self._ring_in_meetings(agent_id),
                "calendar": health_text(self.calendar_health(agent_id), now, self.zone),
            },
            "statuses": [s.value for s in ManualStatus],
            "hints": self.all_day_hints(agent_id) + _paused_at_phone_hint(mine),
            "call": self._card(agent_id),
            "callbacks": self.promise_work.rows(agent_id, now, PromiseKind.CALLBACK),
            "inquiries": self.promise_work.rows(agent_id, now, PromiseKind.INQUIRY),
            "topics": self.promise_work.topics(),
            "closures": [],
            "switch": None,
            # The earliest anyone is back is when the loop can answer again.
            "loop_notes": loop_notes(
                self.roster,
                self.router.state,
                self.router.busy,  # (the router's reading: a source builds its answer anew)
                now,
                self.zone,
                self.router.staff(),
            )
            + opted_in_notes(
                self.roster,
                self.router.state,
                self.router.busy,
                now,
                self.zone,
                self.router.opted_in,
                self.router.ring_opted_in,
            ),
        }
        if self.supervisor is not None:
            view["closures"] = closures_json(self.supervisor.closures, self.loop_titles)
            if self.supervisor.is_supervisor(agent_id):
                view["switch"] = switch_json(
                    self.loop_titles, self.supervisor.plan.closures.messages
                )
        view["board"] = []
        view = localise_view(view, self.language)
        del view["board"]
        return view

    def _row(self, agent: Agent, now: datetime) -> BoardRow:
        """The agent's own row, as the board would show it now (without building the board)."""
        busy = self.router.busy
        return board(
            self.roster,
            self.router.state,
            self.router.manual,
            {agent.id: busy.get(agent.id, ())},
            now,
            self.zone,
            self.router.back_early,
            agents=[agent],
        )[0]

    def _board(self, now: datetime) -> list[Json]:
        """The board is the same for every screen: computed once per refresh for all."""
        rows = board(
            self.roster,
            self.router.state,
            self.router.manual,
            self.router.presence.busy_intervals(),
            now,
            self.zone,
            self.router.back_early,
        )
        return [
            {
                "id": r.agent_id,
                "name": r.name,
                "presence": r.presence.value,
                "detail": r.detail,
                "calendar": health_text(self.calendar_health(r.agent_id), now, self.zone),
            }
            for r in rows
        ]

    def _card(self, agent_id: str) -> Json | None:
        call = self.calls.of(agent_id)
        if call is None:
            return None
        notes = self.notes.get(call.call_id) or CallNotes()
        ctx = CallContext(
            call,
            self.roster.agents[agent_id].name,
            self.router.calls.facts(call.call_id),
            notes.members,
            notes.lookup_problem if notes.looked_up else "",
            notes.checks.get(agent_id, wizard.IdentityCheck()),
            notes.checked.get(agent_id),
        )
        return localise_card(
            card_json(ctx, self.plan, self.greetings, self.titles, self.closings), self.language
        )

    # --- what one agent does -----------------------------------------------------------

    def _own_call(self, agent_id: str, call_id: str) -> CallNotes:
        call = self.calls.of(agent_id)
        if call is None or call.call_id != call_id:
            raise Refused("that call is not on your screen")
        return self.notes.setdefault(call_id, CallNotes())

    async def answer_identity(
        self, agent_id: str, call_id: str, answer: Mapping[str, object]
    ) -> Json | None:
        """One step of the identity check; typed numbers are checked and then dropped."""
        notes = self._own_call(agent_id, call_id)
        check = notes.checks.get(agent_id, wizard.IdentityCheck())
        parsed = await verdict(
            check, answer, notes.checked.get(agent_id), self.directory, self.kid_layout
        )
        after = wizard.advance(check, parsed)
        notes.checks[agent_id] = after
        if after.member_id and after.member_id != check.member_id:
            member = await asked(self.directory.get(after.member_id))
            if member is not None:
                notes.checked[agent_id] = member
        if isinstance(parsed, wizard.Restart):
            notes.checked.pop(agent_id, None)
        if after.done and not check.done:
            await self._record(agent_id, call_id, after)
        self.changed()
        # The card as it is now: a new call may have rung in while the directory answered.
        return self._card(agent_id)

    async def _record(self, agent_id: str, call_id: str, check: wizard.IdentityCheck) -> None:
        record = IdentityRecord(
            call_id,
            check.member_id,
            check.verified,
            str(check.method or ""),
            str(check.agreement or ""),
            agent_id,
            self.router.clock(),
        )
        method = check.method.name.lower() if check.method else "none"
        self.identity_counts[(method, check.verified)] += 1
        call = self.calls.of(agent_id)
        log.info(
            "identity check on call %s by %s: %s",
            masked_number(call.number if call else ""),
            agent_id,
            wizard.outcome_text(check) or "not verified",
        )
        try:
            await self.directory.record_identity(record)
        except DirectoryError as exc:
            log.error("identity check outcome not recorded in the directory: %s", exc)
            raise Refused(f"outcome not recorded: {exc}") from None

    async def correct(
        self, agent_id: str, call_id: str, member_id: str, field_name: str, value: str
    ) -> Json | None:
        """Write a record correction back through the directory, as this agent, now."""
        notes = self._own_call(agent_id, call_id)
        shown = {m.id for m in notes.members} | {m.id for m in notes.checked.values()}
        if member_id not in shown:
            raise Refused("that member is not on your call")
        if field_name not in CORRECTABLE:
            raise Refused(f"{field_name!r} cannot be corrected here")
        value = value.strip()
        if field_name == "fnr":
            verdict = check_fnr(value)
            if not verdict.ok:
                raise Refused(verdict.problem)
            value = verdict.digits
        elif (problem := correction_problem(field_name, value)) is not None:
            raise Refused(problem)
        correction = Correction(member_id, field_name, value, agent_id, self.router.clock())
        member = await asked(self.directory.correct(correction))
        notes.members = [member if m.id == member_id else m for m in notes.members]
        for agent, checked in list(notes.checked.items()):
            if checked.id == member_id:
                notes.checked[agent] = member
        log.info("record corrected by %s: %s of member %s", agent_id, field_name, member_id)
        self.changed()
        # The card as it is now: a new call may have rung in while the directory answered.
        return self._card(agent_id)

    def dismiss(self, agent_id: str, call_id: str) -> None:
        if not self.calls.dismiss(agent_id, call_id):
            raise Refused("only a finished call's card can be closed")
        self._forget_gone()
        self.changed()

    def _forget_gone(self) -> None:
        for call_id in self.calls.take_gone():
            self.notes.pop(call_id, None)  # nobody shows it any more: forget what we learnt

    async def set_status(self, agent_id: str, status: str) -> None:
        """The agent's own status: available, a pause with a reason, or leave."""
        try:
            manual = ManualStatus(status)
        except ValueError:
            raise Refused(
                "status must be one of: " + ", ".join(s.value for s in ManualStatus)
            ) from None
        if self.manual_store is not None:
            await self.manual_store.save(agent_id, manual)
        self.router.set_manual_status(agent_id, manual, by_person=True)
        log.info("%s set their status to %s on the screen", agent_id, manual.value)
        self.changed()

    async def set_ring_in_meetings(self, agent_id: str, choice: str) -> None:
        """The agent's own "ring me in meetings if nobody else can" (loops that honour it);
        kept in the shared store, so the other engine follows it too."""
        if choice not in ("on", "off"):
            raise Refused("choose on or off")
        if self.manual_store is not None:
            await self.manual_store.save_opt_in(agent_id, choice == "on")
        self.router.set_ring_in_meetings(agent_id, choice == "on")
        log.info("%s turned ring-in-meetings %s on the screen", agent_id, choice)
        self.changed()

    def _ring_in_meetings(self, agent_id: str) -> Json | None:
        """The toggle, for an agent in a loop that offers calls to those who opted in."""
        honour = self.router.ring_opted_in
        if not any(loop.queue in honour for loop in self.roster.loops_of(agent_id)):
            return None
        return {"on": agent_id in self.router.opted_in}

    # --- recordings (the access role only) -----------------------------------------------

    def _recording_access(self, agent_id: str) -> Path:
        agent = self.roster.agents[agent_id]
        if self.recordings is None:
            raise Refused("no loop records calls")
        directory, role = self.recordings
        if not rec.may_access(agent.roles, role):
            log.warning("%s asked for recordings without the %s role: refused", agent_id, role)
            raise Refused(f"recordings are for the {role} role only")
        return directory

    def recording_list(self, agent_id: str) -> list[Json]:
        directory = self._recording_access(agent_id)
        log.info("%s listed the recordings", agent_id)
        return [
            {"name": r.name, "size": r.size, "modified": r.modified}
            for r in rec.recordings(directory)
        ]

    def recording_file(self, agent_id: str, name: str) -> Path:
        path = rec.path_of(self._recording_access(agent_id), name)
        if path is None:
            raise Refused("no such recording")
        log.info("%s fetched recording %s", agent_id, name)  # the name holds no number
        return path

    # --- the supervisor's switch --------------------------------------------------------

    async def close_line(self, agent_id: str, scope: str, message: str) -> None:
        """Close a loop (or the whole line, scope ALL) now with a chosen message."""
        if self.supervisor is None:
            raise Refused("closing from the screen needs the IVR")
        try:
            await self.supervisor.close(agent_id, scope, message)
        except ClosureRefused as refused:
            raise Refused(str(refused)) from None
        self.changed()

    async def reopen_line(self, agent_id: str, scope: str) -> None:
        if self.supervisor is None:
            raise Refused("closing from the screen needs the IVR")
        try:
            await self.supervisor.reopen(agent_id, scope)
        except ClosureRefused as refused:
            raise Refused(str(refused)) from None
        self.changed()

    # --- promises: callbacks and inquiries (screen.promise_work) ------------------------

    async def register_inquiry(
        self, agent_id: str, call_id: str, form: Mapping[str, object]
    ) -> Json:
        """Register an inquiry from the caller card: the reference to read out comes back."""
        notes = self._own_call(agent_id, call_id)
        call = self.calls.of(agent_id)
        assert call is not None
        topic, member_id = str(form.get("topic") or ""), str(form.get("member_id") or "")
        contact, note = str(form.get("contact") or ""), str(form.get("note") or "")
        if contact not in ("caller-calls-back", "we-call-member", "we-call-caller"):
            raise Refused("agree with the caller who calls whom")
        member = None
        if member_id:
            shown = {m.id: m for m in notes.members} | {m.id: m for m in notes.checked.values()}
            member = shown.get(member_id)
            if member is None:
                raise Refused("that member is not on your call")
        loop = self.roster.loop_for_queue(call.queue)
        loop_id = loop.id if loop else next(iter(sorted(self.agent_loops[agent_id])), "")
        new = NewInquiry(
            topic=topic,
            loop=loop_id,
            agent_id=agent_id,
            agent_name=self.agent_names.get(agent_id, agent_id),
            call_id=call_id,
            number=call.number,
            member_id=member.id if member else "",
            member_name=member.name if member else "",
            member_number=member.member_number if member else "",
            contact=contact,
            note=note,
        )
        return await self.promise_work.register(new)

    async def history(self, agent_id: str, call_id: str) -> Json:
        """The caller's and the card's members' earlier callbacks and inquiries."""
        notes = self._own_call(agent_id, call_id)
        call = self.calls.of(agent_id)
        assert call is not None
        members = {m.id for m in notes.members} | {m.id for m in notes.checked.values()}
        return await self.promise_work.history(members, call.number)


def _epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def _paused_at_phone_hint(row: BoardRow) -> list[str]:
    """A pause made at the phone is not the engine's to lift: the agent must know where to go."""
    if row.phone_pause is None:
        return []
    if row.phone_pause == AUTOPAUSE_REASON:
        return [
            "Calls rang out unanswered, so you were paused (Auto-Pause): press Available "
            "when you are back (or *46 at your phone)"
        ]
    return [
        f"You are paused at your phone ({row.phone_pause or 'no reason'}): "
        "unpause there to take queue calls again; the screen never lifts a pause it did not make"
    ]
