"""A checker for the dialplan and queue config we generate, knowing Asterisk 22's names.

The names and argument counts below were taken from Asterisk 22's own documentation
(the XML docs in its source: main/pbx_builtins.c, apps/app_queue.c, apps/app_read.c,
apps/app_stack.c, apps/app_userevent.c, apps/app_playback.c, funcs/*.c, and
configs/samples/queues.conf.sample). It is deliberately small: only what we generate
is known, so anything new must be looked up and added here first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# application -> (required arguments, most arguments)
APPLICATIONS: dict[str, tuple[int, int]] = {
    "Answer": (0, 2),
    "BackGround": (1, 4),  # filenames, options, langoverride, context
    "Goto": (1, 3),  # [[context,]extension,]priority
    "GotoIf": (1, 1),  # condition?[labeliftrue][:labeliffalse]
    "GotoIfTime": (1, 1),  # times,weekdays,mdays,months[,timezone]?labels
    "Gosub": (1, 3),
    "Hangup": (0, 1),
    "NoOp": (0, 99),
    "Playback": (1, 2),
    "Queue": (1, 9),  # queuename,options,URL,announceoverride,timeout,AGI,gosub,rule,position
    "Read": (1, 6),  # variable,filenames,maxdigits,options,attempts,timeout
    "Return": (0, 1),
    "SayDigits": (1, 1),
    "Set": (1, 1),  # name=value
    "UserEvent": (1, 99),  # eventname[,body: key: value pairs]
    "WaitExten": (0, 2),
    "MixMonitor": (1, 3),  # file,options,command (apps/app_mixmonitor.c)
    "PauseQueueMember": (1, 4),  # queuename,interface,options,reason (apps/app_queue.c)
    "UnpauseQueueMember": (1, 4),  # queuename,interface,options,reason
}
# function -> (fewest, most arguments)
FUNCTIONS: dict[str, tuple[int, int]] = {
    "CALLERID": (1, 2),
    "CHANNEL": (1, 1),
    "CUT": (3, 3),  # varname,char-delim,range-spec (funcs/func_cut.c)
    "DB": (1, 1),
    "DB_EXISTS": (1, 1),
    "FILTER": (2, 2),
    "GLOBAL": (1, 1),
    "IF": (1, 1),
    "LEN": (1, 99),  # takes its argument raw, commas and all
    "RAND": (0, 2),
    "STRFTIME": (0, 3),  # epoch,timezone,format (funcs/func_strings.c)
    "TIMEOUT": (1, 1),
}
# Variables Asterisk sets itself that the dialplan reads.
BUILTIN_VARIABLES = frozenset(
    {
        "EPOCH",
        "UNIQUEID",
        "INVALID_EXTEN",
        "QUEUESTATUS",
        "EXTEN",
        "DB_RESULT",  # set by DB_EXISTS (funcs/func_db.c)
        "MEMBERINTERFACE",  # set by Queue on the caller once connected (setinterfacevar)
        "PQMSTATUS",  # set by PauseQueueMember
        "UPQMSTATUS",  # set by UnpauseQueueMember
        "QUEUE_PRIO",  # read by Queue: the caller's priority (set here, read by Asterisk)
    }
)
# queues.conf options (general and per queue) that we write.
QUEUE_OPTIONS = frozenset(
    {
        "persistentmembers",
        "autofill",
        "shared_lastcall",
        "log_membername_as_agent",
        "monitor-type",
        "timeout",
        "retry",
        "wrapuptime",
        "ringinuse",
        "maxlen",
        "servicelevel",
        "context",
        "periodic-announce",
        "periodic-announce-frequency",
        "announce-holdtime",
        "announce-position",
        "reportholdtime",
        "musicclass",
        "setinterfacevar",
        "setqueuevar",
        "setqueueentryvar",
        "strategy",
        "joinempty",
        "leavewhenempty",
        "member",
        # Per loop (configs/samples/queues.conf.sample, apps/app_queue.c queue_set_param):
        "autopause",
        "announce-frequency",
        "min-announce-frequency",
        "announce-position-limit",
    }
)
# Options with a fixed set of values (apps/app_queue.c: autopausesmodes, queue_set_param).
OPTION_VALUES = {
    "autopause": frozenset({"yes", "no", "all"}),
    "announce-position": frozenset({"yes", "no", "limit", "more"}),
    "announce-holdtime": frozenset({"yes", "no", "once"}),
}
NUMERIC_OPTIONS = frozenset(
    {"wrapuptime", "announce-frequency", "min-announce-frequency", "announce-position-limit"}
)
STRATEGIES = frozenset(
    {
        "ringall",
        "leastrecent",
        "fewestcalls",
        "random",
        "rrmemory",
        "linear",
        "wrandom",
        "rrordered",
    }
)
MANAGER_CLASSES = frozenset(
    {
        "system",
        "call",
        "log",
        "verbose",
        "agent",
        "user",
        "config",
        "command",
        "dtmf",
        "reporting",
        "cdr",
        "dialplan",
        "originate",
        "agi",
        "cc",
        "aoc",
        "test",
        "security",
        "message",
        "all",
    }
)
WEEKDAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")

_EXTEN = re.compile(r"^exten\s*=>\s*([^,]+),1(?:\(([A-Za-z0-9_-]+)\))?,(\w+)\((.*)\)$")
_SAME = re.compile(r"^\s*same\s*=>\s*n(?:\(([A-Za-z0-9_-]+)\))?,(\w+)\((.*)\)$")
_SECTION = re.compile(r"^\[([A-Za-z0-9_.-]+)\](?:\(([!A-Za-z0-9_,-]+)\))?$")
_FUNCTION_CALL = re.compile(r"([A-Z_]+)\(")
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class _Priority:
    line: int
    label: str
    app: str
    args: str


def split_args(text: str) -> list[str]:
    """Split on commas outside (), ${} and $[] the way Asterisk separates arguments."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def _balanced(text: str) -> bool:
    pairs, stack = {")": "(", "]": "[", "}": "{"}, []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs and (not stack or stack.pop() != pairs[ch]):
            return False
    return not stack


def _function_args(text: str, start: int) -> str:
    depth, i = 1, start
    while i < len(text) and depth:
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        i += 1
    return text[start : i - 1]


def check_dialplan(text: str) -> list[Finding]:
    """Everything wrong with an extensions.conf we generated."""
    findings: list[Finding] = []
    contexts: dict[str, dict[str, list[_Priority]]] = {}
    context: dict[str, list[_Priority]] | None = None
    exten: list[_Priority] | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(";", 1)[0].rstrip() if not raw.lstrip().startswith(";") else ""
        if not line.strip():
            continue
        if section := _SECTION.match(line):
            context = contexts.setdefault(section.group(1), {})
            exten = None
            continue
        if context is None:
            findings.append(Finding(number, "text before any [context]"))
            continue
        if m := _EXTEN.match(line):
            name, label, app, args = m.groups()
            if name in context:
                findings.append(Finding(number, f"extension {name} defined twice"))
            exten = context.setdefault(name, [])
            exten.append(_Priority(number, label or "", app, args))
        elif m := _SAME.match(line):
            if exten is None:
                findings.append(Finding(number, "`same =>` with no extension before it"))
                continue
            label, app, args = m.groups()
            exten.append(_Priority(number, label or "", app, args))
        elif re.match(r"^[a-z]+\s*=\s*\S*", line) and not context:
            continue  # [general]/[globals] settings
        else:
            findings.append(Finding(number, f"not a dialplan line: {line.strip()[:60]}"))
    set_vars = set(BUILTIN_VARIABLES)
    for ctx in contexts.values():
        for prios in ctx.values():
            for p in prios:
                if p.app == "Set":
                    set_vars.add(p.args.split("=", 1)[0].lstrip("_"))
                elif p.app == "Read":
                    set_vars.add(split_args(p.args)[0])
    for name, ctx in contexts.items():
        for ext_name, prios in ctx.items():
            labels = [p.label for p in prios if p.label]
            for dup in {lb for lb in labels if labels.count(lb) > 1}:
                findings.append(Finding(prios[0].line, f"label {dup} twice in {name},{ext_name}"))
            for p in prios:
                findings += _check_priority(p, name, ext_name, contexts, set_vars)
    return findings


def _check_priority(
    p: _Priority,
    context: str,
    exten: str,
    contexts: dict[str, dict[str, list[_Priority]]],
    set_vars: set[str],
) -> list[Finding]:
    out: list[Finding] = []
    # Asterisk matches application names without regard to case (BackGround, Background).
    known = {name.lower(): name for name in APPLICATIONS}
    if p.app.lower() not in known:
        return [Finding(p.line, f"unknown application {p.app}")]
    p.app = known[p.app.lower()]
    if not _balanced(p.args):
        out.append(Finding(p.line, f"unbalanced brackets in {p.app}({p.args})"))
        return out
    args = split_args(p.args) if p.args else []
    fewest, most = APPLICATIONS[p.app]
    if p.app in ("GotoIf", "GotoIfTime"):
        condition, _, dest = p.args.rpartition("?")
        if not condition or not dest:
            out.append(Finding(p.line, f"{p.app} needs condition?destination"))
        else:
            if p.app == "GotoIfTime":
                out += _check_time_condition(p.line, condition)
            for target in dest.split(":"):
                if target:
                    out += _check_destination(p.line, target, context, exten, contexts)
    elif not fewest <= len(args) <= most:
        out.append(Finding(p.line, f"{p.app} takes {fewest}-{most} arguments, got {len(args)}"))
    if p.app in ("Goto", "Gosub"):
        out += _check_destination(p.line, p.args, context, exten, contexts)
    if p.app == "Set" and "=" not in p.args:
        out.append(Finding(p.line, "Set needs name=value"))
    for match in _FUNCTION_CALL.finditer(p.args):
        fn = match.group(1)
        if fn not in FUNCTIONS:
            out.append(Finding(p.line, f"unknown function {fn}"))
            continue
        inner = _function_args(p.args, match.end())
        count = len(split_args(inner)) if inner else 0
        lo, hi = FUNCTIONS[fn]
        if not lo <= count <= hi:
            out.append(Finding(p.line, f"{fn}() takes {lo}-{hi} arguments, got {count}"))
    for var in _VARIABLE.findall(p.args):
        if var not in set_vars:
            out.append(Finding(p.line, f"${{{var}}} is read but never set"))
    return out


def _check_time_condition(line: int, condition: str) -> list[Finding]:
    parts = condition.split(",")
    if len(parts) not in (4, 5):
        return [Finding(line, "GotoIfTime needs times,weekdays,mdays,months[,timezone]")]
    times, weekdays = parts[0], parts[1]
    out = []
    if times != "*" and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d", times):
        out.append(Finding(line, f"bad time range {times}"))
    for day in re.split(r"[-&]", weekdays):
        if day != "*" and day not in WEEKDAY_NAMES:
            out.append(Finding(line, f"bad weekday {day}"))
    return out


def _check_destination(
    line: int,
    target: str,
    context: str,
    exten: str,
    contexts: dict[str, dict[str, list[_Priority]]],
) -> list[Finding]:
    parts = split_args(target)
    if len(parts) == 3:
        context, exten, prio = parts
    elif len(parts) == 2:
        exten, prio = parts
    else:
        prio = parts[0]
    if context not in contexts:
        return [Finding(line, f"goes to context {context}, which does not exist")]
    if exten not in contexts[context]:
        return [Finding(line, f"goes to {context},{exten}, which does not exist")]
    prios = contexts[context][exten]
    if prio.isdigit():
        if not 1 <= int(prio) <= len(prios):
            return [Finding(line, f"goes to {context},{exten},{prio}: no such priority")]
    elif prio not in {p.label for p in prios}:
        return [Finding(line, f"goes to label {prio} in {context},{exten}: no such label")]
    return []


def check_queues(text: str) -> list[Finding]:
    """Everything wrong with a queues.conf we generated."""
    out: list[Finding] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(";") or _SECTION.match(line):
            continue
        key, sep, value = (part.strip() for part in line.partition("="))
        key = key.rstrip(">").strip()
        if not sep:
            out.append(Finding(number, f"not an option line: {line[:60]}"))
        elif key not in QUEUE_OPTIONS:
            out.append(Finding(number, f"unknown queues.conf option {key}"))
        elif key == "strategy" and value not in STRATEGIES:
            out.append(Finding(number, f"unknown strategy {value}"))
        elif key in OPTION_VALUES and value not in OPTION_VALUES[key]:
            out.append(Finding(number, f"{key} takes {', '.join(sorted(OPTION_VALUES[key]))}"))
        elif key in NUMERIC_OPTIONS and not value.isdigit():
            out.append(Finding(number, f"{key} takes a whole number of seconds, got {value}"))
    return out


def check_manager(text: str) -> list[Finding]:
    """Everything wrong with a manager.conf we generated."""
    out: list[Finding] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith((";", "#include")) or _SECTION.match(line):
            continue
        key, _, value = (part.strip() for part in line.partition("="))
        if key in ("read", "write"):
            for cls in value.split(","):
                if cls not in MANAGER_CLASSES:
                    out.append(Finding(number, f"unknown {key} class {cls}"))
        if key == "secret":
            out.append(Finding(number, "a secret must not be in the generated file"))
    return out
