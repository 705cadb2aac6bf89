"""A fresh clone skips only what a user's clone may lack: a local Asterisk binary, or the
outside data in ../shared. Everything else the tests need is installed by ./dev test or is in
the repository, so a skip for it would hide a failure."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SKIPPING = re.compile(r"\bpytest\.(skip\(|importorskip\(|mark\.skip(if)?\()")
# What a skip may wait for: the local Asterisk build, or the shared outside data.
ALLOWED = re.compile(r"asterisk|shared|corpus", re.IGNORECASE)


def test_the_only_skips_are_for_a_local_asterisk_or_the_shared_data() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        if path == Path(__file__).resolve():
            continue
        text = path.read_text(encoding="utf-8")
        if "pytest.mark.asterisk" in text:
            continue  # marked as needing the local Asterisk build: its skips wait for that
        for number, line in enumerate(text.splitlines(), 1):
            if SKIPPING.search(line) and not ALLOWED.search(line):
                found.append(f"{path.relative_to(TESTS.parent)}:{number}: {line.strip()}")
    assert found == [], "skips a fresh clone would hit:\n" + "\n".join(found)
