"""`switchboard asterisk-check`: log in as the engine does and report what Asterisk lacks.

Asked over AMI, with only the rights the engine's user has:
- ListCommands lists exactly the actions this user may send (manager.c action_listcommands
  filters by the user's write classes), so a missing right is named by the action it blocks;
- QueueStatus lists the queues Asterisk loaded;
- Getvar of DIALPLAN_EXISTS(<context>) says whether each generated context is loaded;
- Getvar of ASTDATADIR gives the sounds folder; prompts are looked for there when that folder
  is on this host (STAT() may not be called over AMI unless live_dangerously is set);
- DBGetTree Queue/PersistentMembers shows whether members the engine added are kept over an
  Asterisk restart (app_queue writes them there only with persistentmembers = yes).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from pathlib import Path

from switchboard.ami.actions import Action, db_get_tree, queue_status
from switchboard.ami.connection import AmiConnection
from switchboard.ami.errors import (
    ActionFailed,
    AmiError,
    AuthenticationFailed,
    ProtocolError,
    refused_hint,
)
from switchboard.ami.events import DbEntry, QueueMember, QueueParams
from switchboard.ivr.plan import IvrPlan
from switchboard.provision import sounds

# What the engine sends, and the write class manager.c/app_queue.c/db.c register it under.
NEEDED_ACTIONS = {
    "QueueStatus": "-",
    "QueueAdd": "agent",
    "QueueRemove": "agent",
    "QueuePause": "agent",
    "Setvar": "call",
    "Redirect": "call",
    "DBGetTree": "system",
    "DBPut": "system",
    "DBDel": "system",
}


@dataclass(frozen=True, slots=True)
class Check:
    ok: bool | None  # None: could not be told from here
    what: str

    def __str__(self) -> str:
        mark = {True: "ok     ", False: "MISSING", None: "unknown"}[self.ok]
        return f"{mark} {self.what}"


def contexts_of(extensions_conf: str) -> list[str]:
    return re.findall(r"^\[([^\]]+)\]", extensions_conf, flags=re.MULTILINE)


async def _getvar(connection: AmiConnection, variable: str, timeout: float) -> str:
    reply = await connection.send(Action("Getvar", (("Variable", variable),)), timeout=timeout)
    return reply.response.get("Value", "")


async def check(
    host: str,
    port: int,
    username: str,
    secret: str,
    *,
    secret_env: str,
    plan: IvrPlan,
    contexts: list[str],
    sounds_dir: Path | None = None,
    timeout: float = 5.0,
) -> list[Check]:
    """Everything the engine needs from this Asterisk, each ok, missing or unknown."""
    out: list[Check] = []
    try:
        connection = await AmiConnection.open(host, port, lambda _e: None, timeout=timeout)
    except (OSError, TimeoutError, ProtocolError) as exc:
        return [
            Check(
                False,
                f"AMI at {host}:{port}: cannot connect ({exc or 'timed out'}); likely causes: "
                "manager.conf [general] has enabled = no, another port =, or a bindaddr = this "
                "host cannot reach; or a firewall",
            )
        ]
    reader = asyncio.create_task(connection.read_loop())
    try:
        try:
            await connection.login(username, secret, timeout=timeout)
        except AuthenticationFailed as refused:
            return [Check(False, f"{refused}; {refused_hint(username, secret_env)}")]
        out.append(
            Check(
                True,
                f"logged in to {host}:{port} as {username} "
                f"(Asterisk Call Manager {connection.version})",
            )
        )
        out += await _rights(connection, timeout)
        queues, members = await _queues(connection, timeout)
        for route in plan.routes.values():
            out.append(
                Check(
                    route.queue in queues,
                    f"queue {route.queue} (loop {route.loop_id})"
                    + (
                        ""
                        if route.queue in queues
                        else ": not loaded; include switchboard/queues.conf from queues.conf "
                        "and `asterisk -rx 'queue reload all'`"
                    ),
                )
            )
        for context in contexts:
            exists = await _getvar(connection, f"DIALPLAN_EXISTS({context})", timeout)
            out.append(
                Check(
                    exists == "1",
                    f"dialplan context {context}"
                    + (
                        ""
                        if exists == "1"
                        else ": not loaded; include switchboard/extensions.conf from "
                        "extensions.conf and `asterisk -rx 'dialplan reload'`"
                    ),
                )
            )
        out += await _persistence(connection, members, timeout)
        data_dir = await _getvar(connection, "ASTDATADIR", timeout)
        out += _prompts(sounds_dir or (Path(data_dir) / "sounds" if data_dir else None), plan)
    except AmiError as exc:
        out.append(Check(False, f"AMI: {exc}"))
    finally:
        await _close(connection, reader)
    return out


async def _close(connection: AmiConnection, reader: asyncio.Task[object]) -> None:
    """Close and let the read loop see the end, so no socket is left for the collector."""
    connection.close()
    try:
        await asyncio.wait_for(reader, 2)
    except (TimeoutError, AmiError):
        reader.cancel()


async def _rights(connection: AmiConnection, timeout: float) -> list[Check]:
    reply = await connection.send(Action("ListCommands"), timeout=timeout)
    allowed = set(reply.response)
    out = []
    for action, cls in NEEDED_ACTIONS.items():
        ok = action in allowed
        out.append(
            Check(ok, f"may send {action}" + ("" if ok else f": add {cls} to the user's write ="))
        )
    if "Originate" in allowed:
        out.append(
            Check(
                False,
                "the user may Originate calls: remove originate from its write = "
                "(the engine never needs it)",
            )
        )
    return out


async def _queues(connection: AmiConnection, timeout: float) -> tuple[set[str], dict[str, int]]:
    reply = await connection.send(queue_status(), timeout=timeout)
    queues = {item.queue for item in reply.items if isinstance(item, QueueParams)}
    dynamic: dict[str, int] = {}
    for item in reply.items:
        if isinstance(item, QueueMember) and item.membership == "dynamic":
            dynamic[item.queue] = dynamic.get(item.queue, 0) + 1
    return queues, dynamic


async def _persistence(
    connection: AmiConnection, members: dict[str, int], timeout: float
) -> list[Check]:
    if not members:
        return [
            Check(
                None,
                "persistentmembers: no member added yet, so not visible over AMI "
                "(`asterisk-config --install` checks queues.conf [general])",
            )
        ]
    try:
        reply = await connection.send(db_get_tree("Queue/PersistentMembers"), timeout=timeout)
        kept = {i.key.rsplit("/", 1)[-1] for i in reply.items if isinstance(i, DbEntry)}
    except ActionFailed:
        kept = set()  # "Database entry not found": nothing kept
    lost = sorted(q for q in members if q not in kept)
    if lost:
        return [
            Check(
                False,
                f"persistentmembers: members of {', '.join(lost)} are not kept in AstDB "
                "(Queue/PersistentMembers): set persistentmembers = yes under [general] in "
                "queues.conf",
            )
        ]
    return [Check(True, "persistentmembers: members the engine adds survive an Asterisk restart")]


def _prompts(sounds_dir: Path | None, plan: IvrPlan) -> list[Check]:
    if sounds_dir is None or not sounds_dir.is_dir():
        return [
            Check(
                None,
                f"prompts: Asterisk's sounds folder {sounds_dir} is not on this host; run the "
                "check there, or pass --sounds",
            )
        ]
    gaps = sounds.missing(sounds_dir, plan)
    if not gaps:
        return [Check(True, f"prompts: all {len(sounds.needed(plan))} files found in {sounds_dir}")]
    return [Check(False, line) for line in sounds.describe_missing(sounds_dir, gaps)]
