"""Typed AMI actions, each with its completion rule.

A plain action completes with its `Response`. A list action (`QueueStatus`) answers
`Response: Success` + `EventList: start`, then items carrying its ActionID, and
completes at the item with `EventList: Complete`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Action:
    """An AMI action: its name, its fields in order, and whether a list follows."""

    name: str
    fields: tuple[tuple[str, str], ...] = ()
    is_list: bool = False
    secret_fields: frozenset[str] = field(default=frozenset())

    def describe(self) -> str:
        """A log-safe one-liner (secrets left out)."""
        shown = ", ".join(f"{k}={'***' if k in self.secret_fields else v}" for k, v in self.fields)
        return f"{self.name}({shown})"


def _bool(value: bool) -> str:
    return "true" if value else "false"


def login(username: str, secret: str) -> Action:
    return Action(
        "Login",
        (("Username", username), ("Secret", secret), ("Events", "on")),
        secret_fields=frozenset({"Secret"}),
    )


def logoff() -> Action:
    return Action("Logoff")


def ping() -> Action:
    return Action("Ping")


def queue_status(queue: str | None = None) -> Action:
    return Action("QueueStatus", (("Queue", queue),) if queue else (), is_list=True)


def queue_add(
    queue: str,
    interface: str,
    member_name: str,
    state_interface: str,
    *,
    penalty: int = 0,
    paused: bool = False,
    reason: str = "",
) -> Action:
    fields = [
        ("Queue", queue),
        ("Interface", interface),
        ("Penalty", str(penalty)),
        ("Paused", _bool(paused)),
        ("MemberName", member_name),
        ("StateInterface", state_interface),
    ]
    if reason:
        fields.append(("Reason", reason))
    return Action("QueueAdd", tuple(fields))


def queue_remove(queue: str, interface: str) -> Action:
    return Action("QueueRemove", (("Queue", queue), ("Interface", interface)))


def queue_pause(queue: str, interface: str, paused: bool, reason: str) -> Action:
    return Action(
        "QueuePause",
        (("Queue", queue), ("Interface", interface), ("Paused", _bool(paused)), ("Reason", reason)),
    )


def setvar_global(variable: str, value: str) -> Action:
    """Setvar without a Channel sets a dialplan global."""
    return Action("Setvar", (("Variable", variable), ("Value", value)))


def redirect(channel: str, context: str, exten: str = "s", priority: int = 1) -> Action:
    return Action(
        "Redirect",
        (("Channel", channel), ("Context", context), ("Exten", exten), ("Priority", str(priority))),
    )


def db_get_tree(family: str) -> Action:
    """Every AstDB key under `family` (DBGetTreeResponse items, then DBGetTreeComplete)."""
    return Action("DBGetTree", (("Family", family),), is_list=True)


def db_put(family: str, key: str, value: str) -> Action:
    """Store one AstDB key (DBPut needs the `system` write class)."""
    return Action("DBPut", (("Family", family), ("Key", key), ("Val", value)))


def db_del(family: str, key: str) -> Action:
    return Action("DBDel", (("Family", family), ("Key", key)))
