"""The supervisor's switch: close a loop or the whole line now with a chosen message.

The closure lives in AstDB (family `sb-closure`, key ALL or the loop's key), so the
dialplan reads it on every call and it survives restarts of Asterisk and of the engine.
The value is the message key; its prompt is `custom/sb-closure-<key>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CLOSURE_FAMILY = "sb-closure"
CLOSURE_CONTEXT = "sb-closure"
WHOLE_LINE = "ALL"
NOTICE_KEY = "NOTICE"  # epoch until which callers hear the holiday notice first
DEFAULT_MESSAGES = ("event", "emergency")


def closure_key(loop_id: str) -> str:
    """An AstDB key for a loop (ids may hold '.', which AstDB paths treat as plain)."""
    return "loop-" + re.sub(r"[^A-Za-z0-9_-]", "_", loop_id)


def message_prompt(message: str) -> str:
    return f"custom/sb-closure-{message}"


@dataclass(frozen=True, slots=True)
class Closures:
    messages: tuple[str, ...] = DEFAULT_MESSAGES  # the messages a supervisor may choose
    offer_callback: bool = True  # after the message: the callback offer (else goodbye)
    holiday_notice_days: int = 0  # days before a public holiday callers hear a notice
