"""Read an Asterisk .conf file the way Asterisk's main/config.c does, includes and all.

What matters for installing beside an operator's own configuration:
- a relative `#include` (quoted, in <>, or bare) resolves against the config directory
  (astetcdir, e.g. /etc/asterisk), never against the including file's folder;
- a missing `#include` makes Asterisk reject the whole including file ("The file '...' was
  listed as a #include but it does not exist"); `#tryinclude` may be missing;
- included lines continue the category that was open at the `#include`;
- a second `[general]` is a second category: Asterisk's modules read the first one
  (ast_variable_retrieve / ast_variable_browse stop at the first match), unless the second
  is written `[general](+)`, which adds to the first.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Setting:
    file: Path
    line: int
    key: str
    value: str


@dataclass(slots=True)
class Category:
    name: str
    file: Path
    line: int
    template: bool = False
    settings: list[Setting] = field(default_factory=list)

    def get(self, key: str) -> Setting | None:
        """The last value of `key` (modules that loop over variables keep the last)."""
        found = [s for s in self.settings if s.key.lower() == key.lower()]
        return found[-1] if found else None


@dataclass(slots=True)
class AsteriskConfig:
    """One top-level file with everything it includes, as Asterisk would hold it."""

    categories: list[Category] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)  # every file read, in order
    errors: list[str] = field(default_factory=list)  # what makes Asterisk reject the file

    def first(self, name: str) -> Category | None:
        """The category a module reads for `name` (the first of that name)."""
        return next((c for c in self.categories if c.name.lower() == name.lower()), None)

    def all(self, name: str) -> list[Category]:
        return [c for c in self.categories if c.name.lower() == name.lower()]

    @property
    def valid(self) -> bool:
        return not self.errors


def _strip_comment(line: str) -> str:
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line) and line[i + 1] == ";":
            out.append(";")
            i += 2
            continue
        if line[i] == ";":
            break
        out.append(line[i])
        i += 1
    return "".join(out).strip()


def _resolve(etcdir: Path, name: str) -> Path:
    return Path(name) if name.startswith("/") else etcdir / name


def _dequote(argument: str) -> str:
    if len(argument) >= 2 and (
        (argument[0] == '"' and argument[-1] == '"') or (argument[0] == "<" and argument[-1] == ">")
    ):
        return argument[1:-1]
    return argument


def read_config(etcdir: Path, filename: str, *, max_depth: int = 10) -> AsteriskConfig:
    """The file `filename` (relative to `etcdir`, or absolute) with its includes."""
    config = AsteriskConfig()
    _load(etcdir, _resolve(etcdir, filename), config, None, max_depth)
    return config


def _load(
    etcdir: Path, path: Path, config: AsteriskConfig, current: Category | None, depth: int
) -> tuple[bool, Category | None]:
    """Read one file into `config`; returns (found, the category open at its end)."""
    if depth < 0:
        config.errors.append(f"{path}: includes nested too deep")
        return True, current
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False, current
    config.files.append(path)
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            directive, _, argument = line[1:].partition(" ")
            argument = _dequote(_strip_comment(argument))
            kind = directive.lower()
            if kind not in ("include", "tryinclude"):
                continue  # #exec needs execincludes; nothing of ours uses it
            names = sorted(glob.glob(str(_resolve(etcdir, argument)))) or [
                str(_resolve(etcdir, argument))
            ]
            for name in names:
                found, current = _load(etcdir, Path(name), config, current, depth - 1)
                if not found and kind == "include":
                    config.errors.append(
                        f"{path}:{number}: the file '{argument}' was listed as a #include but "
                        f"it does not exist (Asterisk looks for {_resolve(etcdir, argument)}, "
                        f"relative to its config directory, and then rejects all of {path.name})"
                    )
                    return True, current
            continue
        line = _strip_comment(raw)
        if not line:
            continue
        if line.startswith("["):
            name, _, rest = line[1:].partition("]")
            options = [o.strip() for o in rest.strip().strip("()").split(",") if o.strip()]
            if "+" in options:
                existing = config.first(name)
                if existing is not None:
                    current = existing
                    continue
            current = Category(name.strip(), path, number, template="!" in options)
            for parent in options:
                if parent not in ("!", "+") and (base := config.first(parent)):
                    current.settings.extend(base.settings)
            config.categories.append(current)
            continue
        key, sep, value = line.partition("=")
        if not sep:
            continue
        if current is None:
            config.errors.append(f"{path}:{number}: a setting before any [category]")
            continue
        current.settings.append(Setting(path, number, key.strip(), value.lstrip(">").strip()))
    return True, current
