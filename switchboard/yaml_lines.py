"""Load YAML and remember the line of every value, so errors can point at it."""

from __future__ import annotations

from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlSyntaxError(ValueError):
    """The text is not YAML; `line` is 1-based (0 when unknown)."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem


def load_with_lines(text: str) -> tuple[Any, dict[Path, int]]:
    """Parse YAML; return the data and a map from each key path to its 1-based line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise YamlSyntaxError(mark.line + 1 if mark is not None else 0, problem) from None
    lines: dict[Path, int] = {}
    if root is None:
        return None, lines
    return _convert(root, (), lines), lines


def _convert(node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            out[key] = _convert(value_node, (*path, key), lines)
            # A key's own line beats its value's (a block value starts on the next line).
            lines[(*path, key)] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), lines) for i, item in enumerate(node.value)]
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()
