"""The simulator's AMI server: banner, Login, actions and events, over TCP, as Asterisk 22."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.pbxsim import frames
from switchboard.pbxsim.pbx import AgentBehaviour, Pbx, SimError

log = logging.getLogger(__name__)

BANNER = b"Asterisk Call Manager/11.0.0\r\n"


@dataclass(slots=True)
class _Session:
    writer: asyncio.StreamWriter
    peer: str
    logged_in: bool = False
    events: bool = False
    frozen: bool = False  # test hook: a half-open link that swallows everything
    received: list[dict[str, str]] = field(default_factory=list)


def _parse(block: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            fields.setdefault(key.strip(), value.strip())
    return fields


def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


# Write classes each action is registered with (manager.c, app_queue.c, db.c); none: anyone.
ACTIONS: dict[str, tuple[str, ...]] = {
    "Ping": (),
    "Events": (),
    "Logoff": (),
    "ListCommands": (),
    "QueueStatus": (),
    "QueueSummary": (),
    "QueueAdd": ("agent",),
    "QueueRemove": ("agent",),
    "QueuePause": ("agent",),
    "Setvar": ("call",),
    "Getvar": ("call", "reporting"),
    "Redirect": ("call",),
    "Originate": ("originate",),
    "DBGetTree": ("system", "reporting"),
    "DBPut": ("system",),
    "DBDel": ("system",),
}
ACTION_CLASSES = {name.lower(): classes for name, classes in ACTIONS.items()}


class AmiServer:
    """Serves one `Pbx` to any number of AMI clients."""

    def __init__(
        self,
        pbx_queues: dict[str, str],
        *,
        username: str,
        secret: str,
        auth_delay_s: float = 1.0,
        behaviour: Callable[[str], AgentBehaviour] = lambda _iface: AgentBehaviour(),
        write_classes: frozenset[str] = frozenset({"system", "call", "agent"}),
        contexts: frozenset[str] | None = None,
        persistent_members: bool = True,
        data_dir: str = "/var/lib/asterisk",
        queue_log: Path | None = None,  # app_queue's queue_log file (None: not written)
    ) -> None:
        self.pbx = Pbx(pbx_queues, self.broadcast, behaviour=behaviour, queue_log=queue_log)
        self.username = username
        self.secret = secret
        self.auth_delay_s = auth_delay_s
        # What manager.conf gives the user (write =), and what the dialplan and queues.conf
        # [general] hold: asterisk-check asks about each.
        self.write_classes = write_classes
        self.contexts = contexts
        self.persistent_members = persistent_members
        self.data_dir = data_dir
        self.sessions: list[_Session] = []
        self.actions_received: list[dict[str, str]] = []
        self._server: asyncio.Server | None = None
        self.port = 0
        # False: started, modules still loading (AMI already takes logins, as Asterisk's
        # does): no FullyBooted at login, and app_queue's actions are not there yet.
        self.booted = True
        self._running = asyncio.Event()  # cleared: stalled (SIGSTOP), nothing is processed
        self._running.set()
        self._started = time.time()
        # The PersistentMembers entries are written in one go a moment after member actions,
        # and before any DBGetTree reads AstDB (rewriting a 10,000-member entry on each of
        # 30,000 QueueAdds made the simulator quadratic at start-up).
        self._persist_timer: asyncio.TimerHandle | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, host, port)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        self.persist_now()
        self.drop_all()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        self.pbx.close()

    def finish_boot(self) -> None:
        """Every module loaded: FullyBooted to everyone logged in (main/asterisk.c)."""
        self.booted = True
        self.broadcast(frames.event("FullyBooted", "system,all", self._booted()))

    def broadcast(self, data: bytes) -> None:
        for session in self.sessions:
            if session.logged_in and session.events and not session.frozen:
                session.writer.write(data)

    # --- fault injection for tests and the demo -----------------------------------------

    def drop_all(self) -> None:
        """Close every client connection, as a restarting Asterisk would."""
        for session in list(self.sessions):
            session.writer.close()

    def restart(self, *, keep_members: bool | None = None) -> None:
        """As Asterisk restarting: every connection dropped, every dynamic member gone; then,
        with persistentmembers (`keep_members` defaults to it), app_queue's
        reload_queue_members adds back what AstDB kept, pauses and their reasons included."""
        self.persist_now()
        for session in self.sessions:
            session.logged_in = False  # nobody hears the reload: it happens before AMI is up
        self.drop_all()
        for queue in self.pbx.queues.values():
            queue.members = {i: m for i, m in queue.members.items() if m.membership != "dynamic"}
        if self.persistent_members if keep_members is None else keep_members:
            self._reload_members()

    def _reload_members(self) -> None:
        prefix = "/Queue/PersistentMembers/"
        for key, value in sorted(self.pbx.astdb.items()):
            queue = key.removeprefix(prefix)
            if queue == key:
                continue
            if queue not in self.pbx.queues:
                del self.pbx.astdb[key]  # "Error loading persistent queue: it does not exist"
                continue
            for entry in value.replace(",", "|").split("|"):
                if not entry:
                    continue
                interface, penalty, paused, name, state, reason, *_ = [*entry.split(";"), *[""] * 6]
                with contextlib.suppress(SimError, ValueError):
                    self.pbx.add_member(
                        queue,
                        interface,
                        name,
                        state,
                        penalty=int(penalty or 0),
                        paused=paused == "1",
                        reason=reason,
                    )

    def stall(self) -> None:
        """As SIGSTOP: actions pile up unread, to be carried out (late) at `resume()`."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def freeze_all(self) -> None:
        """Keep the sockets open but answer nothing: a half-open connection."""
        for session in self.sessions:
            session.frozen = True

    # --- protocol -----------------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = "{}:{}".format(*writer.get_extra_info("peername")[:2])
        session = _Session(writer, peer)
        self.sessions.append(session)
        await self._running.wait()  # a stopped process accepts (the kernel does), says nothing
        writer.write(BANNER)
        try:
            while True:
                block = await reader.readuntil(b"\r\n\r\n")
                await self._running.wait()
                if session.frozen:
                    continue
                if not await self._action(session, _parse(block)):
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            self.sessions.remove(session)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _action(self, session: _Session, m: dict[str, str]) -> bool:
        """Answer one action; returns False when the connection must close."""
        name = m.get("Action", "")
        aid = m.get("ActionID")
        self.actions_received.append(m)
        session.received.append(m)
        w = session.writer.write
        if name.lower() == "login":
            if m.get("Username") == self.username and m.get("Secret") == self.secret:
                session.logged_in = True
                session.events = m.get("Events", "on").lower() != "off"
                w(frames.success(aid, "Authentication accepted"))
                if self.booted:  # manager.c sends it at login only once ast_fully_booted
                    w(frames.event("FullyBooted", "system,all", self._booted()))
                return True
            await asyncio.sleep(self.auth_delay_s)
            w(frames.error(aid, "Authentication failed"))
            return False
        if not session.logged_in:
            w(frames.error(aid, "Authentication Required"))
            return True
        needs = ACTION_CLASSES.get(name.lower(), ())
        if needs and not set(needs) & self.write_classes:
            w(frames.error(aid, "Permission denied"))  # manager.c process_message
            return True
        # Before app_queue is loaded, its actions are unknown commands to Asterisk.
        loading = not self.booted and name.lower().startswith("queue")
        match "" if loading else name.lower():
            case "logoff":
                w(frames.response(aid, "Goodbye", [("Message", "Thanks for all the fish.")]))
                return False
            case "ping":
                w(
                    frames.response(
                        aid, "Success", [("Ping", "Pong"), ("Timestamp", f"{time.time():.6f}")]
                    )
                )
            case "events":
                session.events = _flag(m.get("EventMask", "on"))
                w(frames.response(aid, "Success", [("Events", "On" if session.events else "Off")]))
            case "queuestatus":
                w(frames.list_start(aid, "Queue status will follow"))
                count = 0
                for item in self.pbx.status_items(
                    m.get("Queue") or None, m.get("Member") or None, aid or ""
                ):
                    w(item)
                    count += 1
                w(frames.list_complete("QueueStatusComplete", aid or "", count))
            case "queuesummary":
                items = self.pbx.summary_items(m.get("Queue") or None, aid or "")
                w(frames.list_start(aid, "Queue summary will follow"))
                for item in items:
                    w(item)
                w(frames.list_complete("QueueSummaryComplete", aid or "", len(items)))
            case "queueadd" | "queueremove" | "queuepause":
                w(self._member_action(name.lower(), m, aid))
                if self.persistent_members:
                    self._persist_soon()
            case "listcommands":
                w(self._list_commands(aid))
            case "getvar":
                w(self._getvar(m, aid))
            case "setvar" | "redirect" | "dbdel" | "dbput":
                w(self._call_action(name.lower(), m, aid))
            case "dbgettree":
                self.persist_now()
                prefix = "/" + "/".join(p for p in (m.get("Family"), m.get("Key")) if p)
                entries = [
                    (k, v)
                    for k, v in sorted(self.pbx.astdb.items())
                    if prefix == "/" or k == prefix or k.startswith(prefix + "/")
                ]
                w(frames.list_start(aid, "Result will follow"))
                for key, value in entries:
                    w(
                        frames.message(
                            [("Event", "DBGetTreeResponse"), ("Key", key), ("Val", value)]
                            + ([("ActionID", aid)] if aid else [])
                        )
                    )
                w(frames.list_complete("DBGetTreeComplete", aid or "", len(entries)))
            case _:
                w(
                    frames.error(
                        aid,
                        f"Invalid/unknown command: {name}. "
                        "Use Action: ListCommands to show available commands.",
                    )
                )
        return True

    def _member_action(self, name: str, m: dict[str, str], aid: str | None) -> bytes:
        interface = m.get("Interface", "")
        if name == "queueremove" and not (interface and m.get("Queue")):
            return frames.error(aid, "Need 'Queue' and 'Interface' parameters.")
        if not interface:
            return frames.error(aid, "'Interface' not specified.")
        try:
            if name == "queueadd":
                if not m.get("Queue"):
                    return frames.error(aid, "'Queue' not specified.")
                paused = _flag(m.get("Paused", "false"))
                self.pbx.add_member(
                    m["Queue"],
                    interface,
                    m.get("MemberName", ""),
                    m.get("StateInterface", ""),
                    penalty=int(m.get("Penalty") or 0),
                    paused=paused,
                    reason=m.get("Reason", ""),
                )
                return frames.success(aid, "Added interface to queue")
            if name == "queueremove":
                self.pbx.remove_member(m.get("Queue", ""), interface)
                return frames.success(aid, "Removed interface from queue")
            paused = _flag(m.get("Paused", ""))
            self.pbx.pause_member(m.get("Queue") or None, interface, paused, m.get("Reason", ""))
            return frames.success(
                aid,
                "Interface paused successfully" if paused else "Interface unpaused successfully",
            )
        except SimError as refused:
            return frames.error(aid, str(refused))

    def _call_action(self, name: str, m: dict[str, str], aid: str | None) -> bytes:
        """Setvar, Redirect, DBPut and DBDel, with the texts main/manager.c and main/db.c answer."""
        if name == "setvar":
            variable = m.get("Variable", "")
            if not variable:
                return frames.error(aid, "No variable specified")
            if m.get("Channel"):
                return frames.error(aid, "No such channel")  # only globals are simulated
            self.pbx.globals[variable] = m.get("Value", "")
            return frames.success(aid, "Variable Set")
        if name == "redirect":
            for header in ("Channel", "Context", "Exten", "Priority"):
                if not m.get(header):
                    return frames.error(aid, f"{header} not specified")
            try:
                self.pbx.redirect(m["Channel"], m["Context"])
            except SimError as refused:
                return frames.error(aid, str(refused))
            return frames.success(aid, "Redirect successful")
        family, key = m.get("Family", ""), m.get("Key", "")
        if name == "dbput":  # main/db.c manager_dbput: these two texts have no full stop
            if not family:
                return frames.error(aid, "No family specified")
            if not key:
                return frames.error(aid, "No key specified")
            self.pbx.astdb[f"/{family}/{key}"] = m.get("Val", "")
            return frames.success(aid, "Updated database successfully")
        if not family:
            return frames.error(aid, "No family specified.")
        if not key:
            return frames.error(aid, "No key specified.")
        if self.pbx.astdb.pop(f"/{family}/{key}", None) is None:
            return frames.error(aid, "Database entry could not be deleted")
        return frames.success(aid, "Key deleted successfully")

    def _persist_soon(self) -> None:
        if self._persist_timer is None:
            self._persist_timer = asyncio.get_running_loop().call_later(1.0, self.persist_now)

    def persist_now(self) -> None:
        """Write every queue's PersistentMembers entry that is behind its members."""
        if self._persist_timer is not None:
            self._persist_timer.cancel()
            self._persist_timer = None
        if self.persistent_members:  # (every queue: members may go in by the back door)
            for queue_name in self.pbx.queues:
                self._persist(queue_name)

    def _persist(self, queue_name: str) -> None:
        """What app_queue's dump_queue_members writes for the dynamic members, as
        <iface>;<penalty>;<paused>;<name>;<state iface>;<pause reason>;<wrapuptime>|..."""
        queue = self.pbx.queues.get(queue_name)
        if queue is None:
            return
        key = f"/Queue/PersistentMembers/{queue_name}"
        value = "|".join(
            f"{m.interface};{m.penalty};{int(m.paused)};{m.name};{m.state_interface};"
            f"{m.paused_reason};0"
            for m in queue.members.values()
            if m.membership == "dynamic"
        )
        if value:
            self.pbx.astdb[key] = value
        else:
            self.pbx.astdb.pop(key, None)

    def _list_commands(self, aid: str | None) -> bytes:
        """manager.c action_listcommands: `Name: synopsis (Priv: classes)` per allowed action."""
        lines = [("Response", "Success")] + ([("ActionID", aid)] if aid else [])
        for action, classes in ACTIONS.items():
            if not classes or set(classes) & self.write_classes:
                lines.append((action, f"{action}. (Priv: {','.join(classes) or '<none>'})"))
        return frames.message(lines)

    def _getvar(self, m: dict[str, str], aid: str | None) -> bytes:
        variable = m.get("Variable", "")
        if not variable:
            return frames.error(aid, "No variable specified")
        if variable.startswith("DIALPLAN_EXISTS(") and variable.endswith(")"):
            context = variable[len("DIALPLAN_EXISTS(") : -1].split(",")[0]
            value = "1" if self.contexts is None or context in self.contexts else "0"
        elif variable == "ASTDATADIR":
            value = self.data_dir
        else:
            value = self.pbx.globals.get(variable, "")
        head = [("Response", "Success")] + ([("ActionID", aid)] if aid else [])
        return frames.message([*head, ("Variable", variable), ("Value", value)])

    def _booted(self) -> list[tuple[str, str]]:
        up = str(int(time.time() - self._started))
        return [("Uptime", up), ("LastReload", up), ("Status", "Fully Booted")]
