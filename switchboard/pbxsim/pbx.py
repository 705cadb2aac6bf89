"""The simulated PBX: queues, members and calls, emitting the events Asterisk would."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.pbxsim import frames
from switchboard.pbxsim.frames import Pairs, SimChannel
from switchboard.pbxsim.queue_log import QueueLogFile

AGENT = "agent,all"
CALL = "call,all"
DTMF = "dtmf,all"

NOT_INUSE, INUSE, RINGING = 1, 2, 6
RING_TIMEOUT_S = 10.0  # queues.conf `timeout`, as in the lab


class SimError(Exception):
    """An action Asterisk would refuse; the text is Asterisk's own message."""


@dataclass(slots=True)
class SimMember:
    queue: str
    interface: str
    name: str
    state_interface: str
    membership: str = "dynamic"
    penalty: int = 0
    calls_taken: int = 0
    last_call: int = 0
    last_pause: int = 0
    login_time: int = 0
    in_call: bool = False
    status: int = NOT_INUSE
    paused: bool = False
    paused_reason: str = ""
    idle_since: float = 0.0
    call_ended: float = 0.0  # when the last call ended (wrapuptime counts from it)

    def block(self) -> Pairs:
        return [
            ("Queue", self.queue),
            ("MemberName", self.name),
            ("Interface", self.interface),
            ("StateInterface", self.state_interface),
            ("Membership", self.membership),
            ("Penalty", str(self.penalty)),
            ("CallsTaken", str(self.calls_taken)),
            ("LastCall", str(self.last_call)),
            ("LastPause", str(self.last_pause)),
            ("LoginTime", str(self.login_time)),
            ("InCall", "1" if self.in_call else "0"),
            ("Status", str(self.status)),
            ("Paused", "1" if self.paused else "0"),
            ("PausedReason", self.paused_reason),
            ("Ringinuse", "0"),
            ("Wrapuptime", "0"),
        ]

    def status_item(self) -> Pairs:
        """The QueueStatus form: Name/Location, no Ringinuse."""
        renamed = {"MemberName": "Name", "Interface": "Location"}
        return [(renamed.get(k, k), v) for k, v in self.block() if k != "Ringinuse"]


@dataclass(slots=True)
class SimCall:
    channel: SimChannel
    joined_at: float = 0.0
    answered: bool = False
    ringing: bool = False  # a member is being rung for this caller right now
    leave: str = ""  # set from outside: "redirected" or "exit-digit" takes the caller out
    digit: str = ""  # the key of an exit-digit
    prio: int = 0  # QUEUE_PRIO: higher goes first, FIFO among equals (app_queue insert_entry)
    start: int = 0  # app_queue's qe->start: whole seconds, as queue_log counts waits
    opos: int = 0  # position on entering (qe->opos)


@dataclass(slots=True)
class SimQueue:
    name: str
    strategy: str = "rrmemory"
    members: dict[str, SimMember] = field(default_factory=dict)
    waiting: list[SimCall] = field(default_factory=list)
    completed: int = 0  # QueueParams Completed: answered calls that ended (update_queue)
    abandoned: int = 0  # QueueParams Abandoned: app_queue's record_abandoned, see _abandon
    # The simulator's own truth, which Asterisk does not report: how each caller left.
    offered: int = 0
    answered: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    answer_waits: list[int] = field(default_factory=list)  # whole seconds to each answer
    talks: dict[str, list[int]] = field(default_factory=dict)  # member name -> talk seconds
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    wrapup_s: float = 0.0  # queues.conf wrapuptime
    autopause: bool = False  # queues.conf autopause = all: one ring-out pauses everywhere

    def free_member(self, now: float = float("inf")) -> SimMember | None:
        """Longest-idle member that is logged in, not paused, not busy, not in wrap-up."""
        free = [
            m
            for m in self.members.values()
            if not m.paused
            and not m.in_call
            and m.status == NOT_INUSE
            and (not m.call_ended or now - m.call_ended >= self.wrapup_s)
        ]
        return min(free, key=lambda m: m.idle_since, default=None)

    def enter(self, call: SimCall) -> int:
        """Place a caller by priority (app_queue's insert_entry); returns their position."""
        at = next((i for i, c in enumerate(self.waiting) if c.prio < call.prio), None)
        at = len(self.waiting) if at is None else at
        self.waiting.insert(at, call)
        return at + 1


@dataclass(frozen=True, slots=True)
class AgentBehaviour:
    """How a simulated agent's phone behaves when the queue rings it."""

    ring_s: float = 1.0
    answers: bool = True


class Pbx:
    """Queues and calls; every change is emitted as AMI event bytes through `emit`."""

    def __init__(
        self,
        queues: Mapping[str, str],
        emit: Callable[[bytes], None],
        *,
        behaviour: Callable[[str], AgentBehaviour] = lambda _iface: AgentBehaviour(),
        wall_clock: Callable[[], float] = time.time,
        ring_timeout_s: float = RING_TIMEOUT_S,
        queue_log: Path | None = None,  # where to write app_queue's queue_log (None: nowhere)
    ) -> None:
        self.ring_timeout_s = ring_timeout_s
        self.queue_log = QueueLogFile(queue_log, wall_clock()) if queue_log else None
        self.queues = {name: SimQueue(name, strategy) for name, strategy in queues.items()}
        self._emit = emit
        self._behaviour = behaviour
        self._now = wall_clock
        self._channel_seq = itertools.count()
        self._uid_seq = itertools.count()
        self._epoch = int(wall_clock())
        self.globals: dict[str, str] = {}  # dialplan globals (AMI Setvar without Channel)
        self.astdb: dict[str, str] = {}  # "/family/key" -> value, as AstDB keys them
        self.redirects: dict[str, str] = {}  # channel name -> context it was redirected to
        self.calls: dict[str, SimCall] = {}  # waiting callers by channel name

    def emit(self, data: bytes) -> None:
        """Send one event to every listening AMI session."""
        self._emit(data)

    def _log(self, queue: str, callid: str, agent: str, event: str, *data: object) -> None:
        """One `ast_queue_log` call of app_queue.c, with its arguments in that order."""
        if self.queue_log is not None:
            self.queue_log.write(self._now(), queue, callid, agent, event, *data)

    def close(self) -> None:
        if self.queue_log is not None:
            self.queue_log.close()

    # --- member actions (QueueAdd / QueueRemove / QueuePause) -------------------------

    def _queue(self, name: str) -> SimQueue:
        queue = self.queues.get(name)
        if queue is None:
            raise SimError("Unable to add interface to queue: No such queue")
        return queue

    def add_member(
        self,
        queue_name: str,
        interface: str,
        name: str = "",
        state_interface: str = "",
        *,
        penalty: int = 0,
        paused: bool = False,
        reason: str = "",
        membership: str = "dynamic",
    ) -> None:
        queue = self._queue(queue_name)
        if interface in queue.members:
            raise SimError("Unable to add interface: Already there")
        now = int(self._now())
        member = SimMember(
            queue_name,
            interface,
            name or interface,
            state_interface or interface,
            membership=membership,
            penalty=penalty,
            login_time=now,
            paused=paused,
            paused_reason=reason if paused else "",
            last_pause=now if paused else 0,
            idle_since=self._now(),
        )
        queue.members[interface] = member
        self._emit(frames.event("QueueMemberAdded", AGENT, member.block()))
        if membership == "dynamic":  # manager_add_queue_member; queues.conf members: no line
            self._log(queue_name, "MANAGER", interface, "ADDMEMBER", "PAUSED" if paused else "")
        queue.changed.set()

    def remove_member(self, queue_name: str, interface: str) -> None:
        queue = self.queues.get(queue_name)
        member = queue.members.get(interface) if queue else None
        if queue is None or member is None:
            raise SimError("Unable to remove interface: Not there")
        if member.membership != "dynamic":
            raise SimError("Member not dynamic")
        del queue.members[interface]
        self._emit(frames.event("QueueMemberRemoved", AGENT, member.block()))
        self._log(queue_name, "MANAGER", interface, "REMOVEMEMBER", "")

    def pause_member(
        self, queue_name: str | None, interface: str, paused: bool, reason: str
    ) -> None:
        targets = [
            q.members[interface]
            for q in self.queues.values()
            if interface in q.members and queue_name in (None, q.name)
        ]
        if not targets:
            raise SimError("Interface not found")
        if queue_name is None:  # set_member_paused: once, before the first member's line
            verb = "PAUSEALL" if paused else "UNPAUSEALL"
            self._log("NONE", "NONE", targets[0].name, verb, reason)
        for member in targets:
            member.paused = paused
            member.paused_reason = reason
            if paused:
                member.last_pause = int(self._now())
            self._emit(frames.event("QueueMemberPause", AGENT, member.block()))
            self._log(member.queue, "NONE", member.name, "PAUSE" if paused else "UNPAUSE", reason)
            if not paused:  # only an unpause can free a member for a waiting caller
                self.queues[member.queue].changed.set()

    # --- list replies ------------------------------------------------------------------

    def status_items(
        self, queue_name: str | None, member: str | None, action_id: str
    ) -> Iterator[bytes]:
        """Each item as it is made: manager.c's QueueStatus writes every member to the
        session as it goes (30,000 of them reach the engine while the rest are built)."""
        now = self._now()
        for queue in self.queues.values():
            if queue_name not in (None, queue.name):
                continue
            yield (
                frames.list_item(
                    "QueueParams",
                    [
                        ("Queue", queue.name),
                        ("Max", "0"),
                        ("Strategy", queue.strategy),
                        ("Calls", str(len(queue.waiting))),
                        ("Holdtime", "0"),
                        ("TalkTime", "0"),
                        ("Completed", str(queue.completed)),
                        ("Abandoned", str(queue.abandoned)),
                        ("ServiceLevel", "0"),
                        ("ServicelevelPerf", "0.0"),
                        ("ServicelevelPerf2", "0.0"),
                        ("Weight", "0"),
                    ],
                    action_id,
                )
            )
            for m in queue.members.values():
                if member in (None, m.interface):
                    yield frames.list_item("QueueMember", m.status_item(), action_id)
            for position, call in enumerate(queue.waiting, start=1):
                c = call.channel
                yield (
                    frames.list_item(
                        "QueueEntry",
                        [
                            ("Queue", queue.name),
                            ("Position", str(position)),
                            ("Channel", c.name),
                            ("Uniqueid", c.uniqueid),
                            ("CallerIDNum", c.caller_num),
                            ("CallerIDName", c.caller_name),
                            ("ConnectedLineNum", c.caller_num),
                            ("ConnectedLineName", c.caller_name),
                            ("Wait", str(int(now - call.joined_at))),
                            ("Priority", "0"),
                        ],
                        action_id,
                    )
                )

    def summary_items(self, queue_name: str | None, action_id: str) -> list[bytes]:
        items = []
        now = self._now()
        for queue in self.queues.values():
            if queue_name not in (None, queue.name):
                continue
            logged_in = len(queue.members)
            available = sum(1 for m in queue.members.values() if not m.paused and not m.in_call)
            longest = max((now - c.joined_at for c in queue.waiting), default=0.0)
            items.append(
                frames.list_item(
                    "QueueSummary",
                    [
                        ("Queue", queue.name),
                        ("LoggedIn", str(logged_in)),
                        ("Available", str(available)),
                        ("Callers", str(len(queue.waiting))),
                        ("HoldTime", "0"),
                        ("TalkTime", "0"),
                        ("LongestHoldTime", str(int(longest))),
                    ],
                    action_id,
                )
            )
        return items

    # --- calls -------------------------------------------------------------------------

    def new_caller(self, number: str, name: str) -> SimChannel:
        seq = next(self._channel_seq)
        linked = f"{self._epoch}.{next(self._uid_seq)}"
        unique = f"{self._epoch}.{next(self._uid_seq)}"
        channel = SimChannel(f"Local/s@ivr-{seq:08x};2", unique, linked, number, name, state=0)
        self._emit(frames.event("Newchannel", CALL, channel.block()))
        return channel

    def press(self, channel: SimChannel, digit: str) -> None:
        """The caller presses a key in the menu (Background step, priority 7)."""
        channel.state, channel.exten, channel.priority = 6, "s", 7
        self._emit(
            frames.event(
                "DTMFBegin", DTMF, [*channel.block(), ("Digit", digit), ("Direction", "Received")]
            )
        )
        self._emit(
            frames.event(
                "DTMFEnd",
                DTMF,
                [
                    *channel.block(),
                    ("Digit", digit),
                    ("DurationMs", "120"),
                    ("Direction", "Received"),
                ],
            )
        )

    def hang_up(self, channel: SimChannel) -> None:
        self._emit(
            frames.event(
                "Hangup",
                CALL,
                [*channel.block(), ("Cause", "16"), ("Cause-txt", "Normal Clearing")],
            )
        )

    def _member_status(self, member: SimMember, status: int, in_call: bool) -> None:
        member.status, member.in_call = status, in_call
        # app_queue reports the status of the members a queue has: one removed (or lost in
        # a restart) while its call went on is no longer there to report.
        queue = self.queues.get(member.queue)
        if queue is not None and queue.members.get(member.interface) is member:
            self._emit(frames.event("QueueMemberStatus", AGENT, member.block()))

    def redirect(self, channel_name: str, context: str) -> None:
        """AMI Redirect of a waiting caller: it leaves the queue for `context`."""
        call = self.calls.get(channel_name)
        if call is None:
            raise SimError(f"Channel does not exist: {channel_name}")
        self.redirects[channel_name] = context
        call.leave = "redirected"
        for queue in self.queues.values():
            queue.changed.set()

    def exit_with_digit(self, channel_name: str, digit: str = "") -> None:
        """The caller pressed a key that the queue's `context` handles."""
        call = self.calls.get(channel_name)
        if call is not None:
            call.leave = "exit-digit"
            call.digit = digit
            for queue in self.queues.values():
                queue.changed.set()

    async def queue_call(
        self,
        channel: SimChannel,
        queue_name: str,
        exten: str,
        *,
        patience_s: float,
        talk_s: float,
        max_wait_s: float = float("inf"),
        context: str = "ivr",
        prio: int = 0,
        continues: bool = False,  # Queue option c: the caller stays when the agent hangs up
    ) -> str:
        """Wait in a queue until answered (then talk), out of patience, or moved on.

        Returns "answered", "abandoned", "timeout" (the Queue() timeout passed),
        "redirected" (AMI Redirect) or "exit-digit" (a key the queue context handles).
        """
        queue = self.queues[queue_name]
        channel.context, channel.exten, channel.priority = context, exten, 4
        call = SimCall(channel, joined_at=self._now(), prio=prio)
        self.calls[channel.name] = call
        try:
            return await self._wait_in_queue(queue, call, patience_s, talk_s, max_wait_s, continues)
        finally:
            self.calls.pop(channel.name, None)

    async def _wait_in_queue(
        self,
        queue: SimQueue,
        call: SimCall,
        patience_s: float,
        talk_s: float,
        max_wait_s: float,
        continues: bool = False,
    ) -> str:
        channel = call.channel
        position = queue.enter(call)
        call.start, call.opos = int(self._now()), position
        queue.offered += 1
        # queue_exec: url|callerid|position (log_caller_id_name is off by default)
        self._log(
            queue.name, channel.uniqueid, "NONE", "ENTERQUEUE", "", channel.caller_num, position
        )
        self._emit(
            frames.event(
                "QueueCallerJoin",
                AGENT,
                [
                    *channel.block(),
                    ("Queue", queue.name),
                    ("Position", str(position)),
                    ("Count", str(len(queue.waiting))),
                ],
            )
        )
        loop = asyncio.get_running_loop()
        give_up = loop.time() + patience_s
        timeout_at = loop.time() + max_wait_s
        while True:
            remaining = give_up - loop.time()
            if remaining <= 0:
                self._abandon(queue, call, hang_up=True, verb="ABANDON")
                return self._outcome(queue, "abandoned")
            if call.leave == "exit-digit":  # EXITWITHKEY: no abandon recorded
                position = queue.waiting.index(call) + 1
                queue.waiting.remove(call)
                self._caller_left(queue, channel, position)
                waited = int(self._now()) - call.start
                self._log(
                    queue.name,
                    channel.uniqueid,
                    "NONE",
                    "EXITWITHKEY",
                    call.digit,
                    position,
                    call.opos,
                    waited,
                )
                queue.changed.set()
                return self._outcome(queue, call.leave)
            if call.leave or loop.time() >= timeout_at:
                # app_queue records an abandon for a Redirect (an async goto ends the wait
                # unhandled) and for the Queue() timeout alike: QueueCallerAbandon, then Leave.
                # Its queue_log tells them apart: the timeout is EXITWITHTIMEOUT, the
                # Redirect an ABANDON like a caller hanging up (queue_exec's res < 0).
                verb = "ABANDON" if call.leave else "EXITWITHTIMEOUT"
                self._abandon(queue, call, hang_up=False, verb=verb)
                return self._outcome(queue, call.leave or "timeout")
            # autofill: a caller may take a member once everyone ahead is being rung
            ahead = queue.waiting[: queue.waiting.index(call)]
            member = queue.free_member(self._now()) if all(c.ringing for c in ahead) else None
            if member is not None:
                answered = await self._ring(queue, call, member, remaining)
                if answered is not None:
                    await self._talk(queue, call, member, answered, talk_s, continues)
                    return self._outcome(queue, "answered")
                continue
            queue.changed.clear()
            try:
                async with asyncio.timeout(min(remaining, timeout_at - loop.time(), 0.5)):
                    await queue.changed.wait()
            except TimeoutError:
                pass

    def _agent_pairs(self, channel: SimChannel, member: SimMember, leg: SimChannel) -> Pairs:
        return [
            *channel.block(),
            *leg.block("Dest"),
            ("Queue", member.queue),
            ("Interface", member.interface),
            ("MemberName", member.name),
        ]

    async def _ring(
        self, queue: SimQueue, call: SimCall, member: SimMember, patience_s: float
    ) -> SimChannel | None:
        """Ring one member; None when nobody answered (ring timeout, or the caller gave up)."""
        c = call.channel
        call.ringing = True
        base = member.interface.removesuffix("/n")
        suffix = ";1" if base.startswith("Local/") else ""
        leg = SimChannel(
            f"{base}-{next(self._channel_seq):08x}{suffix}",
            f"{self._epoch}.{next(self._uid_seq)}",
            c.linkedid,
            c.caller_num,
            c.caller_name,
            context="agents",
            exten=c.exten,  # Asterisk quirk: DestExten is the caller's extension
            priority=1,
            state=0,
        )
        self._emit(frames.event("AgentCalled", AGENT, self._agent_pairs(c, member, leg)))
        self._member_status(member, RINGING, False)
        behaviour = self._behaviour(member.interface)
        started = asyncio.get_running_loop().time()
        answers_in = behaviour.ring_s if behaviour.answers else float("inf")
        if answers_in >= min(self.ring_timeout_s, patience_s):
            await asyncio.sleep(min(self.ring_timeout_s, patience_s))
            if patience_s > self.ring_timeout_s:
                rang_ms = str(int(self.ring_timeout_s * 1000))
                pairs = [*self._agent_pairs(c, member, leg), ("RingTime", rang_ms)]
                self._emit(frames.event("AgentRingNoAnswer", AGENT, pairs))
                self._log(queue.name, c.uniqueid, member.name, "RINGNOANSWER", rang_ms)
                if queue.autopause:  # apps/app_queue.c rna(): set_member_paused("", ...)
                    self.pause_member(None, member.interface, True, "Auto-Pause")
            else:  # the caller hung up while it rang (wait_for_answer, canceled_by_caller)
                rang_ms = str(int(patience_s * 1000))
                self._log(queue.name, c.uniqueid, member.name, "RINGCANCELED", rang_ms)
            self._member_status(member, NOT_INUSE, False)
            member.idle_since = self._now()
            call.ringing = False
            return None
        await asyncio.sleep(behaviour.ring_s)
        leg.state = 6
        queue.waiting.remove(call)
        self._caller_left(queue, c, 1)
        hold = int(self._now() - call.joined_at)
        ring = round(asyncio.get_running_loop().time() - started)
        self._emit(
            frames.event(
                "AgentConnect",
                AGENT,
                [
                    *self._agent_pairs(c, member, leg),
                    ("HoldTime", str(hold)),
                    ("RingTime", str(ring)),
                ],
            )
        )
        self._member_status(member, INUSE, True)
        call.answered = True
        queue.answered += 1
        waited = int(self._now()) - call.start
        queue.answer_waits.append(waited)
        # try_calling: holdtime|bridged channel's uniqueid|ring time (whole seconds)
        rang_s = int(asyncio.get_running_loop().time() - started)  # (orig - to) / 1000
        self._log(queue.name, c.uniqueid, member.name, "CONNECT", waited, leg.uniqueid, rang_s)
        return leg

    async def _talk(
        self,
        queue: SimQueue,
        call: SimCall,
        member: SimMember,
        leg: SimChannel,
        talk_s: float,
        continues: bool = False,
    ) -> None:
        hold = int(self._now() - call.joined_at)
        connected = int(self._now())
        await asyncio.sleep(talk_s)
        talked = int(self._now()) - connected
        queue.talks.setdefault(member.name, []).append(talked)
        # handle_hangup: holdtime|talktime|origposition; the simulated agent hangs up first
        self._log(
            queue.name,
            call.channel.uniqueid,
            member.name,
            "COMPLETEAGENT",
            connected - call.start,
            talked,
            call.opos,
        )
        member.calls_taken += 1
        member.last_call = int(self._now())
        member.idle_since = member.call_ended = self._now()
        self._member_status(member, NOT_INUSE, False)
        queue.completed += 1
        self._emit(
            frames.event(
                "AgentComplete",
                AGENT,
                [
                    *self._agent_pairs(call.channel, member, leg),
                    ("HoldTime", str(hold)),
                    ("TalkTime", str(round(talk_s))),
                    ("Reason", "agent"),
                ],
            )
        )
        if not continues:
            self.hang_up(call.channel)
        queue.changed.set()

    def _caller_left(self, queue: SimQueue, channel: SimChannel, position: int) -> None:
        pairs = [
            ("Queue", queue.name),
            ("Position", str(position)),
            ("Count", str(len(queue.waiting))),
        ]
        self._emit(frames.event("QueueCallerLeave", AGENT, [*channel.block(), *pairs]))

    def _outcome(self, queue: SimQueue, outcome: str) -> str:
        queue.outcomes[outcome] = queue.outcomes.get(outcome, 0) + 1
        return outcome

    def _abandon(self, queue: SimQueue, call: SimCall, *, hang_up: bool, verb: str) -> None:
        c = call.channel
        position = queue.waiting.index(call) + 1
        queue.waiting.remove(call)
        queue.abandoned += 1
        waited = int(self._now()) - call.start
        self._log(queue.name, c.uniqueid, "NONE", verb, position, call.opos, waited)
        self._emit(
            frames.event(
                "QueueCallerAbandon",
                AGENT,
                [
                    *c.block(),
                    ("Queue", queue.name),
                    ("Position", str(position)),
                    ("OriginalPosition", str(position)),
                    ("HoldTime", str(int(self._now() - call.joined_at))),
                ],
            )
        )
        self._caller_left(queue, c, position)
        if hang_up:
            self.hang_up(c)
        queue.changed.set()
