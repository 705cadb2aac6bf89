"""The sound files the generated dialplan plays, and which of them Asterisk would not find.

Asterisk looks for `<sounds>/<language>/<name>.<format>`, then `<sounds>/<name>.<format>`,
then the default language `en` (main/file.c, fileexists_core); a missing prompt makes
`Read()` return at once, so a caller could never leave a callback request.
"""

from __future__ import annotations

import re
from pathlib import Path

from switchboard.ivr.asterisk_conf import render_queues
from switchboard.ivr.closure import message_prompt
from switchboard.ivr.dialplan import render_dialplan
from switchboard.ivr.plan import IvrPlan
from switchboard.ivr.prompt_texts import NUMBER_SOUNDS

# Formats an Asterisk 22 build plays from files (format_wav, format_pcm, format_gsm, ...).
FORMATS = ("wav", "ulaw", "alaw", "gsm", "sln", "sln16", "wav16", "g722", "g729", "ogg")
# SayDigits reads the callback reference out with the core digit sounds.
DIGITS = tuple(f"digits/{d}" for d in range(10))


def languages(plan: IvrPlan) -> tuple[str, ...]:
    """The channel languages callers can hear: `no` first (the menu's), then each loop's."""
    seen = ["no"]
    for route in plan.routes.values():
        if route.language not in seen:
            seen.append(route.language)
    return tuple(seen)


QUEUE_SOUNDS = (  # app_queue's defaults for position and hold-time announcements
    "queue-youarenext", "queue-thereare", "queue-callswaiting", "queue-holdtime",
    "queue-minutes", "queue-minute", "queue-seconds", "queue-thankyou", "queue-less-than",
)  # fmt: skip
_PLAYED = re.compile(r"\b(?:Playback|Background)\(([^),]+)|\bRead\([^,]*,([^,)]+)")
_ANNOUNCE = re.compile(r"^(?:periodic-announce|announce)\s*=\s*(\S+)", re.MULTILINE)


def played(plan: IvrPlan) -> list[str]:
    """Every sound the generated dialplan and queues play, as Asterisk names them."""
    dialplan = render_dialplan(plan)
    queues = render_queues(plan, strategies={}, service_level_s=20)
    names: list[str] = []
    for match in _PLAYED.finditer(dialplan):
        names.append((match.group(1) or match.group(2)).strip())
    names += _ANNOUNCE.findall(queues)
    if "SayDigits(" in dialplan:
        names += DIGITS
    if re.search(r"^announce-(position|holdtime) = (yes|more)", queues, re.MULTILINE):
        names += QUEUE_SOUNDS
        names += NUMBER_SOUNDS  # the place and the wait are said in numbers (main/say.c)
    if re.search(r"^announce-position = more", queues, re.MULTILINE):
        names += ("queue-quantity1", "queue-quantity2")  # "more than" N "callers waiting"
    out: list[str] = []
    for name in names:
        if name == message_prompt("${SB_CLOSURE}"):
            out += [message_prompt(m) for m in plan.closures.messages]
        elif "${" not in name and name not in out:
            out.append(name)
    return out


# Only Norwegian's number syntax (main/say.c, ast_say_number_full_no) plays "og" and the
# neuter "ett"; English numbers (get_number_str_en) never ask for them.
NORWEGIAN_ONLY = ("digits/1N", "digits/and")


def needed(plan: IvrPlan) -> list[tuple[str, str]]:
    """(language, name) of every file a caller may hear."""
    return [
        (lang, name)
        for lang in languages(plan)
        for name in played(plan)
        if name not in NORWEGIAN_ONLY or lang.startswith("no")
    ]


def found(sounds: Path, language: str, name: str) -> Path | None:
    for folder in (sounds / language, sounds, sounds / "en"):
        for fmt in FORMATS:
            candidate = folder / f"{name}.{fmt}"
            if candidate.is_file():
                return candidate
    return None


def missing(sounds: Path, plan: IvrPlan) -> list[tuple[str, str]]:
    return [(lang, name) for lang, name in needed(plan) if found(sounds, lang, name) is None]


def describe_missing(sounds: Path, gaps: list[tuple[str, str]]) -> list[str]:
    """One line per missing prompt, saying where Asterisk looked and how to make it."""
    lines = []
    for lang, name in gaps:
        fix = (
            f"switchboard prompts {sounds} -c CONFIG"
            if name.startswith("custom/")
            else "install Asterisk's core sounds (make install, or asterisk-core-sounds-en-*)"
        )
        lines.append(
            f"prompt {name} ({lang}) missing: no {sounds}/{lang}/{name}.<wav|ulaw|gsm|...> "
            f"(fix: {fix})"
        )
    return lines
