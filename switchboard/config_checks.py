"""Checks across fields of a config, over the raw YAML data, and a fix for every field error.

They read the data as written (before or without field validation), so a file with a bad
suffix *and* an unknown agent in a loop is told both at once, not one per attempt.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time
from typing import Any

from switchboard.ivr.hours import WEEKDAYS, parse_span

Loc = tuple[str | int, ...]
Found = tuple[Loc, str, str]  # where, what is wrong, the fix

SPAN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _items(data: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, Mapping)]


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(j, str(v)) for j, v in enumerate(value) if isinstance(v, str | int)]


def cross_field_problems(data: Any, known_prompts: frozenset[str]) -> list[Found]:
    """Everything wrong between fields: ids used twice, names that point at nothing."""
    if not isinstance(data, Mapping):
        return []
    found: list[Found] = []
    agents = _items(data, "agents")
    ids: set[str] = set()
    interfaces: dict[str, str] = {}
    for i, a in agents:
        agent_id, interface = str(a.get("id", "")), a.get("interface")
        if agent_id and agent_id in ids:
            found.append(
                (
                    ("agents", i, "id"),
                    f"agent id {agent_id!r} is used twice",
                    "give each agent its own id",
                )
            )
        ids.add(agent_id)
        if isinstance(interface, str):
            if interface in interfaces:
                found.append(
                    (
                        ("agents", i, "interface"),
                        f"interface {interface} is also {interfaces[interface]}'s",
                        "each agent needs their own phone interface",
                    )
                )
            interfaces[interface] = agent_id
    found += _calendar_access(data, agents)
    held = {role for _, a in agents for _, role in _strings(a.get("roles"))}
    loops = _items(data, "loops")
    loop_ids = [str(lc["id"]) for _, lc in loops if "id" in lc]
    digits: dict[str, str] = {}
    for i, lc in loops:
        for j, agent_id in _strings(lc.get("agents")):
            if agent_id not in ids:
                found.append(
                    (
                        ("loops", i, "agents", j),
                        f"no agent with id {agent_id!r}",
                        "use one of: " + ", ".join(sorted(ids)),
                    )
                )
        for j, role in _strings(lc.get("roles")):
            if role not in held:
                found.append(
                    (
                        ("loops", i, "roles", j),
                        f"no agent holds role {role!r}, so it adds nobody",
                        "roles held: " + (", ".join(sorted(held)) or "none"),
                    )
                )
        digit = lc.get("digit")
        if isinstance(digit, str | int):
            if str(digit) in digits:
                found.append(
                    (
                        ("loops", i, "digit"),
                        f"digit {digit} already leads to {digits[str(digit)]}",
                        "give each loop its own digit",
                    )
                )
            digits[str(digit)] = str(lc.get("id", ""))
        overflow = lc.get("overflow_to", "callback")
        if isinstance(overflow, str) and overflow != "callback" and overflow not in loop_ids:
            found.append(
                (
                    ("loops", i, "overflow_to"),
                    f"no loop {overflow!r} to overflow to",
                    "use `callback` or one of: " + ", ".join(loop_ids),
                )
            )
    ivr = data.get("ivr")
    status_digit = ivr.get("status_digit") if isinstance(ivr, dict) else None
    if isinstance(status_digit, str | int) and str(status_digit) in digits:
        found.append(
            (
                ("ivr", "status_digit"),
                f"digit {status_digit} already leads to {digits[str(status_digit)]}",
                "give the status of a reference a menu key no loop has",
            )
        )
    default = data.get("default_loop")
    if isinstance(default, str) and loops and default not in loop_ids:
        found.append(
            (("default_loop",), f"no loop {default!r}", "use one of: " + ", ".join(loop_ids))
        )
    ivr = data.get("ivr")
    prompts = ivr.get("prompts") if isinstance(ivr, Mapping) else None
    if isinstance(prompts, Mapping):
        for name in prompts:
            if name not in known_prompts:
                found.append(
                    (
                        ("ivr", "prompts", name),
                        "unknown prompt",
                        "use one of: " + ", ".join(sorted(known_prompts)),
                    )
                )
    found += _hours(data.get("hours"))
    return found


def _calendar_access(
    data: Mapping[str, Any], agents: list[tuple[int, Mapping[str, Any]]]
) -> list[Found]:
    p = data.get("presence")
    p = p if isinstance(p, Mapping) else {}
    configured = {
        "graph": (
            all(p.get(k) for k in ("graph_tenant", "graph_client_id", "graph_secret_env")),
            "set presence.graph_tenant, graph_client_id and graph_secret_env",
        ),
        "ews": (
            all(p.get(k) for k in ("ews_endpoint", "ews_username", "ews_password_env")),
            "set presence.ews_endpoint, ews_username and ews_password_env",
        ),
    }
    found: list[Found] = []
    for i, a in agents:
        kind = str(a.get("calendar") or "").partition(":")[0]
        if kind in configured and not configured[kind][0]:
            found.append(
                (
                    ("agents", i, "calendar"),
                    f"a {kind}: calendar, but {kind} access is not configured",
                    configured[kind][1],
                )
            )
    return found


def _hours(hours: Any) -> list[Found]:
    if not isinstance(hours, Mapping):
        return []
    found: list[Found] = []
    for day in WEEKDAYS:
        last_end: time | None = None
        last_text = ""
        for j, text in _strings(hours.get(day)):
            if not SPAN.match(text):
                continue  # the field check says so
            start, end = parse_span(text)
            if start >= end:
                found.append(
                    (
                        ("hours", day, j),
                        f"{text} ends before it starts",
                        "write start-end, e.g. 08:30-12:30",
                    )
                )
                continue
            if last_end is not None and start < last_end:
                found.append(
                    (
                        ("hours", day, j),
                        f"{text} overlaps {last_text}",
                        "list a day's spans in order, without overlap",
                    )
                )
                continue
            last_end, last_text = end, text
    return found


def fix_for(error: Mapping[str, Any]) -> str:
    """A fix for a field error pydantic reports, from its type and context."""
    kind, ctx = str(error.get("type", "")), error.get("ctx") or {}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "write a whole number, e.g. 30"
    if kind in ("float_parsing", "float_type"):
        return "write a number, e.g. 5 or 2.5"
    if kind in ("bool_parsing", "bool_type"):
        return "write true or false"
    if kind == "greater_than_equal":
        return f"use {ctx.get('ge')} or more"
    if kind == "greater_than":
        return f"use more than {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"use {ctx.get('le')} or less"
    if kind == "less_than":
        return f"use less than {ctx.get('lt')}"
    if kind == "literal_error":
        return f"use one of: {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"write it to match {ctx.get('pattern')}"
    if kind in ("string_type", "str_type"):
        return 'write text (quote it, e.g. "08:30-12:30")'
    if kind in ("string_too_long",):
        return f"keep it to {ctx.get('max_length')} characters"
    if kind in ("string_too_short", "too_short"):
        return "it may not be empty: add at least one"
    if kind in ("too_long",):
        return f"keep it to {ctx.get('max_length')} items"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "write a block of `key: value` lines under it"
    if kind in ("list_type", "tuple_type", "set_type"):
        return "write a list, e.g. [a, b] or lines starting with `- `"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return 'write a date as "YYYY-MM-DD", quoted'
    return "see the example configuration (`switchboard example-config DIR` writes it)"
