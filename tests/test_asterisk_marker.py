"""`pytest -m asterisk` runs every test that needs a real Asterisk, and only those."""

import importlib
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
STARTS_ASTERISK = ("real_asterisk(", "asterisk_lab(", "RealAsterisk(", "asterisk_binary()")


def _modules_starting_asterisk() -> list[str]:
    found = []
    for path in sorted(TESTS.rglob("test_*.py")):
        if path.parent.name == "support" or path == Path(__file__):
            continue
        if any(call in path.read_text(encoding="utf-8") for call in STARTS_ASTERISK):
            found.append(".".join(path.relative_to(TESTS.parent).with_suffix("").parts))
    return found


def test_every_module_that_runs_asterisk_carries_the_marker() -> None:
    modules = _modules_starting_asterisk()
    assert len(modules) >= 4
    for name in modules:
        marks = getattr(importlib.import_module(name), "pytestmark", [])
        marks = marks if isinstance(marks, list) else [marks]
        assert any(m.name == "asterisk" for m in marks if isinstance(m, pytest.MarkDecorator)), (
            f"{name} starts a real Asterisk: give it `pytestmark = needs_asterisk`"
        )
