"""The configuration reference (docs/configuration.md), generated from the schema itself.

Types, defaults and limits come from the pydantic models the loader validates with; only the
meaning of each key is written here. A key the schema gains without a meaning here, or a
meaning for a key the schema no longer has, is an error (tests/docs), so the page cannot drift.

    python -m switchboard.config_reference > docs/configuration.md
"""

from __future__ import annotations

import re
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from switchboard.config import SwitchboardConfig
from switchboard.service_config import MEANINGS as SERVICE_MEANINGS

# Top-level sections in the order the page shows them, each with a sentence of its own.
SECTIONS: dict[str, str] = {
    "ami": "How the engine reaches Asterisk's manager interface (AMI).",
    "agents": "The people who answer. One entry per agent.",
    "loops": "The loops (Asterisk queues) callers reach from the menu, in menu order.",
    "default_loop": "Where a caller who presses nothing, or only wrong keys, goes.",
    "presence": "Calendars: which source each kind of calendar uses, and how stale is too stale.",
    "hours": "Opening hours. Outside them callers hear the closed message and may ask for a "
    "callback.",
    "ivr": "The menu's behaviour, callbacks and the service-level target.",
    "screen": "The agent screen: language, greetings, the member directory, sessions.",
    "web": "Where the engine serves /metrics, the wallboard and the agent screen.",
    "redis": "Shared state for two engines and the callback store. Leave it out for one engine "
    "with callbacks kept in memory.",
    "supervisor": "Closing a loop or the whole line now, with a message (docs/craft.md).",
    "reports": "Reports from Asterisk's queue_log in SQL (SQLite or PostgreSQL), the /reports "
    "page and CSV ([reports](reports.md)).",
    "promises": "Callbacks and inquiries: the service catalogue (topics, departments, "
    "escalation levels), the department mail and its subject form, retention "
    "([promises](promises.md)).",
}

MEANINGS: dict[str, str] = {
    "ami.host": "Asterisk's address (env `SWITCHBOARD_AMI_HOST` overrides).",
    "ami.port": "AMI port, as in Asterisk's manager.conf.",
    "ami.username": "The AMI user; `switchboard asterisk-config` writes it with the least rights "
    "the engine needs.",
    "ami.secret_env": "The *name* of the environment variable holding the AMI secret (a secret "
    "in the file is refused).",
    "ami.action_timeout_s": "Deadline for each AMI action.",
    "ami.ping_interval_s": "How often the engine pings Asterisk.",
    "ami.ping_deadline_s": "A ping not answered within this declares the connection dead.",
    "ami.backoff_max_s": "Longest wait between reconnection attempts.",
    "ami.bind": "Written into the generated manager.conf: the address AMI listens on (env "
    "`SWITCHBOARD_AMI_BIND`).",
    "ami.permit": "Written into the generated manager.conf: networks the AMI user may log in "
    "from (env `SWITCHBOARD_AMI_PERMIT`, comma-separated).",
    "presence.timezone": "The office's time zone (IANA name).",
    "presence.poll_interval_s": "How often each calendar is fetched.",
    "presence.stale_after_s": "A failing source keeps its last good data this long; after that "
    "it counts as unknown, and unknown pauses nobody.",
    "presence.tentative_is_busy": "Whether a tentative meeting takes the person out of the queue.",
    "presence.caldav_username": "User for `caldav:` calendars.",
    "presence.caldav_password_env": "Environment variable with the CalDAV password.",
    "presence.graph_tenant": "Microsoft Entra tenant for `graph:` calendars.",
    "presence.graph_client_id": "The app registration's client id (app-only, client credentials).",
    "presence.graph_secret_env": "Environment variable with the app's client secret.",
    "presence.ews_endpoint": "Exchange Web Services URL for `ews:` calendars.",
    "presence.ews_username": "The EWS service account.",
    "presence.ews_password_env": "Environment variable with its password.",
    "presence.ews_auth_type": "EWS authentication, configured, never guessed.",
    "presence.ews_impersonation": "true: the service account impersonates each mailbox; false: "
    "it has delegate access.",
    "presence.ews_mode": "`calendar_view`: one request per mailbox, exact all-day flag; "
    "`free_busy`: one request per 100 mailboxes.",
    "presence.calendar_workers": "Worker processes that read calendars (each read can be "
    "stopped at its deadline; a thread could not be).",
    "presence.calendar_read_deadline_s": "Longest one calendar may take to read; past it the "
    "read is stopped, that source fails and keeps its last good data.",
    "presence.calendar_fetch_deadline_s": "Longest one fetch may take, connecting and "
    "transferring together (a server trickling bytes is cut off here).",
    "presence.calendar_max_mib": "Largest calendar accepted (a 20 MiB file reads in about 3 s).",
    "presence.calendar_max_events": "Most events kept from one calendar's window.",
    "presence.calendar_max_expansion_steps": "What one recurrence may cost to expand, priced "
    "before it is expanded; a dearer one is skipped and reported (a calendar gets ten times it).",
    "agents[].id": "Short id, used in loops, logs and the screen login.",
    "agents[].name": "Full name, as the greeting says it.",
    "agents[].interface": "What the queue dials, e.g. `PJSIP/201`.",
    "agents[].state_interface": "Device whose state tells whether the agent is busy, when it "
    "differs from `interface`.",
    "agents[].roles": "Roles the agent has; a loop may take everyone with a role.",
    "agents[].calendar": "`ics:<file or URL>`, `caldav:<collection URL>`, `graph:<e-mail>` or "
    "`ews:<mailbox>`.",
    "agents[].status": "`leave` keeps the agent out of every loop.",
    "agents[].ring_in_meetings": "Ring me in meetings if nobody else can: in loops with "
    "`when_all_in_meetings: ring_opted_in` (the agent may change it on their screen).",
    "agents[].login": "The screen password's hash as `switchboard password-hash` prints it "
    "(never the password).",
    "loops[].id": "The loop's id: the `loop` label on every metric, and what `overflow_to` and "
    "`default_loop` name.",
    "loops[].queue": "The Asterisk queue's name.",
    "loops[].title": "What the wallboard and the screen call the loop.",
    "loops[].suffix": "Three digits after the caller's number on the agent's phone and screen, "
    'e.g. "-111".',
    "loops[].digit": "The menu key that leads here.",
    "loops[].language": "The prompts' and greeting's language for callers of this loop.",
    "loops[].agents": "Named members (agent ids).",
    "loops[].roles": "Whole roles as members: every agent with one of them.",
    "loops[].strategy": "Asterisk's ring strategy for the queue.",
    "loops[].wait_s": "Waiting this long moves the caller to `overflow_to`.",
    "loops[].overflow_to": "The next level: another loop id, or `callback` for the callback "
    "offer (a circle is refused).",
    "loops[].unstaffed_after_s": "When nobody in the loop can answer for this long, the engine "
    "moves waiting callers on at once; null turns that off.",
    "default_loop": "A loop id.",
    "hours.mon": "Opening spans on Mondays, `HH:MM-HH:MM`.",
    "hours.tue": "Tuesdays.",
    "hours.wed": "Wednesdays.",
    "hours.thu": "Thursdays.",
    "hours.fri": "Fridays.",
    "hours.sat": "Saturdays.",
    "hours.sun": "Sundays.",
    "hours.holidays": "Country whose public holidays close the phones (the `holidays` "
    "library); null for none.",
    "hours.closed_dates": 'The office\'s own closed days, "YYYY-MM-DD".',
    "ivr.max_tries": "Wrong or no keys before the caller goes to the default loop.",
    "ivr.response_timeout_s": "How long the menu waits for a key.",
    "ivr.callback_digit": "The key that asks for a callback while waiting or at the offer.",
    "ivr.callback_promise_working_days": "A callback is due this many working days later.",
    "ivr.service_level_s": "Calls answered within this count towards the service level.",
    "ivr.prompts": "Prompt file names by role, to replace the default `custom/sb-*` names.",
    "web.host": "Address the web server listens on (env `SWITCHBOARD_WEB_HOST`).",
    "web.port": "Its port (env `SWITCHBOARD_WEB_PORT`).",
    "web.expose_agent_names": "Agent ids as metric labels; off, since names are personal data.",
    "web.trusted_proxies": "Addresses or networks of your own reverse proxies: only their "
    "X-Forwarded-For is believed for the client address (docs/security.md).",
    "screen.ui_language": 'The screen\'s and wallboard\'s own words: "no" (bokmål) or "en".',
    "screen.organisation": "The organisation's name per language (`no`, `en`) in greetings.",
    "screen.greetings": "Greeting templates per language; only `{organisation}` and `{name}`.",
    "screen.directory": "`sqlite:<file>` (relative: in the state directory) or a CRM's "
    "`https://` base URL (env `SWITCHBOARD_DIRECTORY`).",
    "screen.directory_token_env": "Environment variable with the CRM's bearer token.",
    "screen.fnr_key_env": "Environment variable with the key for fødselsnummer hashes.",
    "screen.placeholder_personal_numbers": "Last five digits that mark a placeholder "
    "fødselsnummer to be corrected.",
    "screen.kid.member_digits": "How many leading KID digits are the member number.",
    "screen.kid.min_length": "Shortest KID accepted.",
    "screen.kid.max_length": "Longest KID accepted.",
    "screen.kid.algorithms": "Check-digit algorithms a KID may use.",
    "screen.keep_identity_checks_days": "Identity-check outcomes older than this are deleted "
    "from the SQLite directory.",
    "screen.session_idle_s": "A screen session unused this long ends.",
    "screen.session_max_s": "A screen session ends this long after login in any case.",
    "screen.secure_cookie": "Mark the session cookie Secure (set true behind HTTPS).",
    "redis.url": "`redis://`, `rediss://` or `unix://` (env `SWITCHBOARD_REDIS_URL`).",
    "redis.data_key_env": "Environment variable with the key that seals callback numbers.",
    "redis.max_connections": "Connection pool size; callers wait for a free connection.",
    "redis.lease_s": "The acting engine's lease; a dead leader is replaced within this.",
    "redis.sentinels": "Redis Sentinel addresses (host:port): the engine follows the primary "
    "they name through a failover (docs/security.md, 'Redis').",
    "redis.sentinel_service": "The primary's name in the sentinels' config (`sentinel monitor`).",
    "redis.sentinel_password_env": "Environment variable holding the sentinels' password, if "
    "they have one.",
    "ivr.status_digit": "Menu key for the status of a reference: the caller keys it in and "
    'hears open/overdue with the due date, or answered ("" = not offered).',
    "reports.database": "sqlite:///<file> (relative: in the state directory) or "
    "postgresql+psycopg://user@host/db; migrated at start.",
    "reports.queue_log": "Asterisk's queue_log file, tailed (run the engine on the Asterisk "
    "host, or mount the log).",
    "reports.every_s": "How often the file is read on.",
    "reports.role": "The role an agent needs to see /reports and the CSV.",
    "reports.keep_days": "queue_log lines and promise outcomes older than this are deleted "
    "(every read-on; `switchboard reports-prune`).",
    "promises.mail.host": "SMTP server that takes mail for the department inboxes.",
    "promises.mail.port": "Its port (25, or 587 with STARTTLS).",
    "promises.mail.starttls": "Upgrade the connection with STARTTLS before sending.",
    "promises.mail.username": "SMTP login, if the server wants one.",
    "promises.mail.password_env": "Environment variable with the SMTP password.",
    "promises.mail.sender": "The From address of inquiry mails.",
    "promises.subject": "Subject form of an inquiry mail; placeholders {surname} {first_name} "
    "{member_number} {topic} {action} {ref} {due} (never a national id).",
    "promises.language": "Language of the mails and of the notice to the caller: no or en.",
    "promises.notice": "By language: what the caller is told when a date cannot be kept "
    "({ref}, {reason}, {due}).",
    "promises.keep_days": "Done callbacks and inquiries are deleted this many days after.",
    "promises.departments[].id": "The department's id, named by topics.",
    "promises.departments[].title": "Its name on the screen and in mails.",
    "promises.departments[].inbox": "Its inbox: told of every new inquiry of its topics.",
    "promises.departments[].agents": "Agents who see its inquiries besides their own loops'.",
    "promises.topics[].id": "The topic's id.",
    "promises.topics[].title": "By language (no, en): the name agents pick from.",
    "promises.topics[].action": 'The subject\'s "+ action", e.g. svar medlemmet.',
    "promises.topics[].department": "The department (level 0) that answers it.",
    "promises.topics[].promise_working_days": "What may be promised: answered within this many "
    "working days.",
    "promises.topics[].escalation[].name": "The next level's name (specialists, head of "
    "department).",
    "promises.topics[].escalation[].inbox": "Its inbox, mailed when the level before did not "
    "answer in time.",
    "promises.topics[].escalation[].reaction_working_days": "How long this level has to react.",
}

MEANINGS.update(SERVICE_MEANINGS)  # the contact-centre craft's keys (docs/craft.md)


@dataclass(frozen=True, slots=True)
class Key:
    path: str  # dotted, lists as `[]`: loops[].wait_s
    kind: str
    default: str
    limits: str


def _strip_optional(annotation: Any) -> tuple[Any, bool]:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _model_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The nested model a field holds (and whether it is a list of them)."""
    inner, _ = _strip_optional(annotation)
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return inner, False
    if get_origin(inner) in (tuple, list):
        arg = get_args(inner)[0]
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg, True
    return None, False


def _kind(annotation: Any) -> str:
    inner, optional = _strip_optional(annotation)
    text = _plain_kind(inner)
    return f"{text} or null" if optional else text


def _plain_kind(annotation: Any) -> str:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _plain_kind(get_args(annotation)[0])
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in get_args(annotation))
    if origin in (tuple, list):
        return f"list of {_plain_kind(get_args(annotation)[0])}"
    if origin is dict:
        return "map of text"
    names = {str: "text", int: "integer", float: "number", bool: "true/false"}
    if annotation in names:
        return names[annotation]
    return getattr(annotation, "__name__", str(annotation)).replace("date", "date (YYYY-MM-DD)")


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, BaseModel):
        return ""
    if isinstance(value, tuple | list):
        return "[" + ", ".join(str(v) for v in value) + "]" if value else "[]"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) if value else "{}"
    return str(value)


def _limits(field: FieldInfo) -> str:
    found: list[str] = []
    for meta in field.metadata:
        if isinstance(meta, Ge | Gt | Le | Lt):
            sign, value = {
                Ge: ("≥", getattr(meta, "ge", None)),
                Gt: (">", getattr(meta, "gt", None)),
                Le: ("≤", getattr(meta, "le", None)),
                Lt: ("<", getattr(meta, "lt", None)),
            }[type(meta)]
            found.append(f"{sign} {value}")
        if isinstance(meta, MinLen) and meta.min_length:
            found.append(f"at least {meta.min_length}")
        if isinstance(meta, MaxLen):
            found.append(f"at most {meta.max_length} long")
        pattern = getattr(meta, "pattern", None)
        if pattern:
            found.append(f"matches `{pattern}`")
    inner, _ = _strip_optional(field.annotation)
    if get_origin(inner) is Annotated:  # the id type carries its pattern with it
        for meta in get_args(inner)[1:]:
            pattern = getattr(meta, "pattern", None)
            if pattern:
                found.append(f"matches `{pattern}`")
    return "; ".join(found)


def keys(model: type[BaseModel] = SwitchboardConfig, prefix: str = "") -> Iterator[Key]:
    """Every key of the schema, depth first, in the models' own order."""
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested, many = _model_of(field.annotation)
        if nested is not None:
            yield from keys(nested, f"{path}[]." if many else f"{path}.")
            continue
        yield Key(path, _kind(field.annotation), _default(field), _limits(field))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render() -> str:
    """The whole page, as docs/configuration.md holds it."""
    all_keys = list(keys())
    problems = missing_meanings(all_keys)
    if problems:
        raise ValueError("; ".join(problems))
    out = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m switchboard.config_reference > docs/configuration.md`",
        "     from the schema in switchboard/config.py: do not edit by hand (a test fails when",
        "     stale). -->",
        "",
        "One YAML file, validated at start; every problem is reported with file, line and a fix.",
        "`switchboard example-config DIR` writes a complete example (the packaged",
        "`switchboard/examples/switchboard.example.yaml`). Secrets never go in the file:",
        "keys ending in `_env` name the environment variable that holds one.",
        "",
    ]
    for section, sentence in SECTIONS.items():
        rows = [k for k in all_keys if re.split(r"[.\[]", k.path)[0] == section]
        out += [f"## `{section}`", "", sentence, ""]
        out += ["| key | type | default | limits | meaning |", "| --- | --- | --- | --- | --- |"]
        for k in rows:
            default = k.default if k.default in ("", "required") else f"`{k.default}`"
            cells = (f"`{k.path}`", k.kind, default, k.limits)
            out.append("| " + " | ".join(_cell(c) for c in (*cells, MEANINGS[k.path])) + " |")
        out.append("")
    return "\n".join(out)


def missing_meanings(all_keys: list[Key] | None = None) -> list[str]:
    """What stops the page being complete: keys without a meaning, meanings without a key."""
    paths = [k.path for k in (all_keys or list(keys()))]
    problems = [f"{p}: no meaning written in switchboard/config_reference.py" for p in paths]
    problems = [p for p, path in zip(problems, paths, strict=True) if path not in MEANINGS]
    problems += [f"{m}: meaning for a key the schema does not have" for m in MEANINGS
                 if m not in paths]  # fmt: skip
    sections = {re.split(r"[.\[]", p)[0] for p in paths}
    problems += [f"{s}: section without a sentence" for s in sections if s not in SECTIONS]
    return problems


if __name__ == "__main__":
    sys.stdout.write(render())
