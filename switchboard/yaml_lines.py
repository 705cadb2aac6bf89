"""Load a YAML config and remember the line of every value, so errors can point at it.

A config file is input like any other: it is read with limits (size, nesting depth, the
size an alias may expand to), duplicate keys are refused with both lines, and bytes that are
not UTF-8 get one line saying where. The document is built from PyYAML's event stream, which
is iterative, so no input can reach Python's recursion limit.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

import yaml

Path = tuple[str | int, ...]

# Far above any real config (the example with 27 agents is 8 KB; 20,000 agents named in
# three loops ~ 2.4 MB).
MAX_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32
# Values in the document once every alias is expanded, each counted once (20,000 agents in
# three loops are ~ 150,000; billion laughs expands to 10^9).
MAX_VALUES = 2_000_000
# libyaml's parser where PyYAML has it (its wheels do): 20,000 agents parse in a fraction
# of the pure-Python parser's time. The events, and so everything below, are the same.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlSyntaxError(ValueError):
    """The text is not a config we read; `line` is 1-based (0 when unknown)."""

    def __init__(self, line: int, problem: str, fix: str = "check quoting and indentation") -> None:
        super().__init__(problem)
        self.line = line
        self.problem = problem
        self.fix = fix


def read_text(path: FsPath, max_bytes: int = MAX_BYTES) -> str:
    """The file's text; YamlSyntaxError when it is too large or not UTF-8 (OSError passes)."""
    with path.open("rb") as f:
        raw = f.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise YamlSyntaxError(
            0,
            f"the file is larger than {max_bytes // (1024 * 1024)} MiB, which no configuration is",
            "check that this is the configuration file (a config with 20,000 agents is ~2.4 MB)",
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as bad:
        line = raw[: bad.start].count(b"\n") + 1
        column = bad.start - (raw.rfind(b"\n", 0, bad.start) + 1) + 1
        raise YamlSyntaxError(
            line,
            f"not UTF-8: byte 0x{raw[bad.start]:02X} at column {column}",
            "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 old.yaml > new.yaml`)",
        ) from None


@dataclass
class _Open:
    """A mapping or sequence being built."""

    value: dict[str, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1
    key: str | None = None  # a mapping's key waiting for its value
    key_lines: dict[str, int] = field(default_factory=dict)


def load_with_lines(
    text: str, *, max_depth: int = MAX_DEPTH, max_values: int = MAX_VALUES
) -> tuple[Any, dict[Path, int]]:
    """Parse YAML; return the data and a map from each key path to its 1-based line."""
    lines: dict[Path, int] = {}
    anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, its size when expanded)
    stack: list[_Open] = []
    root: list[Any] = []
    total = 0
    documents = 0
    scalars = yaml.SafeLoader("")

    def place(value: Any, size: int, line: int, new: int = 1) -> None:
        """Put a finished value in its parent; `new` values were not counted before (an
        alias's expansion; a scalar or a closed container is one)."""
        nonlocal total
        total += new
        if total > max_values:
            raise YamlSyntaxError(
                line,
                f"the document expands to more than {max_values:,} values "
                "(aliases that repeat aliases?)",
                "write the values out, or use fewer nested aliases (&name / *name)",
            )
        if not stack:
            root.append(value)
            return
        top = stack[-1]
        top.size += size
        if isinstance(top.value, list):
            lines[(*top.path, len(top.value))] = line
            top.value.append(value)
        else:
            assert top.key is not None
            top.value[top.key] = value
            top.key = None

    def path_for_child() -> Path:
        top = stack[-1] if stack else None
        if top is None:
            return ()
        if isinstance(top.value, list):
            return (*top.path, len(top.value))
        assert top.key is not None
        return (*top.path, top.key)

    def take_key(line: int, key: str) -> None:
        top = stack[-1]
        if key in top.key_lines:
            where = ".".join(str(p) for p in (*top.path, key))
            raise YamlSyntaxError(
                line,
                f"key {where!r} appears twice, on lines {top.key_lines[key]} and {line} "
                "(YAML would silently keep the last)",
                "keep one of them",
            )
        top.key_lines[key] = line
        lines[(*top.path, key)] = line
        top.key = key

    try:
        for event in yaml.parse(text, Loader=_LOADER):
            line = event.start_mark.line + 1 if event.start_mark else 0
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise YamlSyntaxError(
                        line, "a second YAML document (---)", "keep one document per file"
                    )
                continue
            awaiting_key = (
                bool(stack) and isinstance(stack[-1].value, dict) and (stack[-1].key is None)
            )
            if isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                done = stack.pop()
                if isinstance(done.value, dict) and "<<" in done.value:
                    _merge(done.value, line)
                if done.anchor:
                    anchors[done.anchor] = (done.value, done.size)
                place(done.value, done.size, lines.get(done.path, line))
                if done.path == () and not stack:
                    lines[()] = lines.get((), line)
                continue
            if isinstance(event, yaml.ScalarEvent) and awaiting_key:
                take_key(line, str(event.value))
                continue
            if awaiting_key and isinstance(event, yaml.NodeEvent):
                raise YamlSyntaxError(line, "a key must be plain text", "write the key as a word")
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                if len(stack) >= max_depth:
                    raise _too_deep(line, max_depth)
                path = path_for_child()
                lines.setdefault(path, line)
                value: dict[str, Any] | list[Any] = (
                    {} if isinstance(event, yaml.MappingStartEvent) else []
                )
                stack.append(_Open(value, path, event.anchor))
            elif isinstance(event, yaml.ScalarEvent):
                tag = scalars.resolve(yaml.ScalarNode, event.value, event.implicit)  # type: ignore[no-untyped-call]
                node = yaml.ScalarNode(tag, event.value)
                scalar = scalars.construct_object(node, deep=True)
                if event.anchor:
                    anchors[event.anchor] = (scalar, 1)
                place(scalar, 1, line)
            elif isinstance(event, yaml.AliasEvent):
                if event.anchor not in anchors:
                    raise YamlSyntaxError(
                        line, f"alias *{event.anchor} before its anchor", "define &name first"
                    )
                target, size = anchors[event.anchor]
                # Checked against the budget before the copy is made.
                if total + size > max_values:
                    place(None, size, line, size)
                place(copy.deepcopy(target), size, line, size)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else 0
        if "maximum nesting depth" in problem:  # libyaml's own cap (1,000), met before ours
            raise _too_deep(line, max_depth) from None
        raise YamlSyntaxError(line, f"not valid YAML: {problem}") from None
    finally:
        scalars.dispose()
    if not root:
        return None, lines
    lines.setdefault((), 1)
    return root[0], lines


def _too_deep(line: int, max_depth: int) -> YamlSyntaxError:
    return YamlSyntaxError(
        line,
        f"nested more than {max_depth} levels deep",
        "a configuration needs a few levels; check brackets and indentation",
    )


def _merge(mapping: dict[str, Any], line: int) -> None:
    """YAML's merge key (`<<: *defaults`): keys written in the mapping win over merged ones."""
    merged = mapping.pop("<<")
    sources = merged if isinstance(merged, list) else [merged]
    for source in sources:
        if not isinstance(source, dict):
            raise YamlSyntaxError(line, "`<<` merges a mapping", "write `<<: *name` of a mapping")
        for key, value in source.items():
            mapping.setdefault(key, value)
