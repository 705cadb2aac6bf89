"""Log output an operator can read or ship: the human format, or one JSON object per line.

Both formats print the same message text, so the masking done where a message is written
(caller numbers as their last three digits, no subjects, no fødselsnummer) holds for both;
records carry no raw arguments into the JSON.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

LogFormat = Literal["human", "json"]
LEVELS = ("debug", "info", "warning", "error")

# httpx logs every request line at INFO, and a CRM lookup's URL carries the caller's number.
QUIET_LIBRARIES = ("httpx", "httpcore")


class JsonFormatter(logging.Formatter):
    """One object per line: ts (UTC, ISO 8601), level, logger, message (and exc, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "info", fmt: LogFormat = "human", stream: TextIO | None = None) -> None:
    """Set up the root logger for a command (replacing what an earlier call set)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)-7s %(name)s: %(message)s", datefmt="%H:%M:%S"
            )
        )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "switchboard", False)]:
        root.removeHandler(old)  # only our own: a test's capturing handler stays
    handler.switchboard = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)
