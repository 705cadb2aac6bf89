"""The dialplan checker knows only what Asterisk 22 documents: every application and
function it accepts is in the XML documentation a local Asterisk build installs, with no
more arguments than documented; every queues.conf option is in the stock sample.

Skipped when no local Asterisk is found (CI has none; see tests/support/real_asterisk.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from switchboard.ivr.checker import APPLICATIONS, FUNCTIONS, QUEUE_OPTIONS
from tests.support.real_asterisk import asterisk_binary

BINARY = asterisk_binary()
PREFIX = Path(BINARY).resolve().parents[1] if BINARY else Path("/nonexistent")
DOCS = PREFIX / "var" / "lib" / "asterisk" / "documentation" / "core-en_US.xml"
SAMPLES = PREFIX / "share" / "stock-samples" / "queues.conf"
pytestmark = [
    pytest.mark.asterisk,
    pytest.mark.skipif(not DOCS.is_file(), reason=f"no Asterisk documentation at {DOCS}"),
]
VARIADIC = 99  # the checker's "any number" (NoOp, UserEvent's key: value pairs, LEN's text)


def _documented(kind: str) -> dict[str, int]:
    """name (lower case) -> number of documented parameters."""
    root = ET.parse(DOCS).getroot()
    return {
        str(e.get("name")).lower(): len(e.findall("./syntax/parameter")) for e in root.iter(kind)
    }


@pytest.mark.parametrize(
    ("kind", "table"), [("application", APPLICATIONS), ("function", FUNCTIONS)]
)
def test_the_checker_accepts_only_what_asterisk_documents(
    kind: str, table: dict[str, tuple[int, int]]
) -> None:
    documented = _documented(kind)
    unknown = [name for name in table if name.lower() not in documented]
    assert unknown == [], f"{kind}s the documentation does not have: {unknown}"
    too_many = {
        name: (most, documented[name.lower()])
        for name, (_fewest, most) in table.items()
        if most < VARIADIC and most > max(documented[name.lower()], 1)
    }
    assert too_many == {}, f"more arguments than documented (ours, Asterisk's): {too_many}"


def test_every_queues_conf_option_we_write_is_in_the_stock_sample() -> None:
    if not SAMPLES.is_file():
        pytest.skip(f"no stock queues.conf sample at {SAMPLES}")
    text = SAMPLES.read_text(encoding="utf-8", errors="replace")
    named = set(re.findall(r"^;?\s*([a-z_-]+)\s*=>?", text, flags=re.MULTILINE))
    assert sorted(QUEUE_OPTIONS - named) == []
