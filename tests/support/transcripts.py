"""Access to our recorded Asterisk 22 transcripts in tests/data/ami-transcripts.

They are this project's own recordings of a real Asterisk 22.10.1 (see the README there), kept
in the repository: a missing transcript is a broken checkout and fails, never skips.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from switchboard.ami.frame import Fields, parse_message

REPO = Path(__file__).resolve().parents[2]
DIRECTORY = Path(
    os.environ.get("SWITCHBOARD_TRANSCRIPTS", REPO / "tests" / "data" / "ami-transcripts")
)
BANNER = b"Asterisk Call Manager/11.0.0\r\n"


@dataclass(frozen=True)
class Transcript:
    name: str
    recv: bytes
    sent: bytes
    timeline: tuple[dict[str, object], ...]

    def messages(self) -> list[bytes]:
        """Received messages without the banner, each with its closing blank line."""
        body = self.recv.removeprefix(BANNER)
        return [part + b"\r\n\r\n" for part in body.split(b"\r\n\r\n") if part]

    def fields(self) -> list[Fields]:
        return [parse_message(m) for m in self.messages()]

    def sent_actions(self) -> list[Fields]:
        return [parse_message(p) for p in self.sent.split(b"\r\n\r\n") if p]


def names() -> list[str]:
    if not DIRECTORY.is_dir():
        raise FileNotFoundError(f"the recorded AMI transcripts are missing: {DIRECTORY}")
    return sorted(p.name.removesuffix(".recv.ami") for p in DIRECTORY.glob("*.recv.ami"))


@cache
def load(prefix: str) -> Transcript:
    """The transcript whose name starts with `prefix` (e.g. "02"); fails when absent."""
    matches = [n for n in names() if n.startswith(prefix)]
    if not matches:
        pytest.fail(f"transcript {prefix} not found in {DIRECTORY}")
    name = matches[0]
    timeline = tuple(
        json.loads(line)
        for line in (DIRECTORY / f"{name}.timeline.jsonl").read_text().splitlines()
        if line
    )
    return Transcript(
        name,
        (DIRECTORY / f"{name}.recv.ami").read_bytes(),
        (DIRECTORY / f"{name}.sent.ami").read_bytes(),
        timeline,
    )
