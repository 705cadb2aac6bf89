"""docs/architecture.md cannot go stale: its layers, package graph and rooms are the code's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _layout() -> ModuleType:
    path = ROOT / "docs" / "architecture_layout.py"
    spec = importlib.util.spec_from_file_location("architecture_layout", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_architecture_page_draws_the_code_as_it_is() -> None:
    layout = _layout()
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert layout.BEGIN in page
    assert layout.page_with(layout.render(), page) == page, (
        "docs/architecture.md is stale: run `.venv/bin/python docs/architecture_layout.py --write`"
    )


def test_every_room_of_the_package_is_on_the_page() -> None:
    layout = _layout()
    listed = {room for layer in layout.layers() for room in layer}
    rooms = {
        p.stem if p.suffix == ".py" else p.name
        for p in (ROOT / "switchboard").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert rooms == listed
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    for room in rooms:
        assert f"`{room}/`" in page or f"`{room}.py`" in page, room


def test_no_arrow_runs_back_up_the_layers() -> None:
    layout = _layout()
    level = {room: n for n, layer in enumerate(layout.layers()) for room in layer}
    up = sorted((a, b) for (a, b) in layout.arrows() if level[a] > level[b])
    assert up == []
