"""The `switchboard` command: the app, its shared options and helpers."""

from __future__ import annotations

import contextlib
import enum
from importlib import metadata
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from switchboard.config import ConfigError, Settings, load_config
from switchboard.logs import configure

app = typer.Typer(add_completion=False, no_args_is_help=True, help="The `switchboard` command.")

ConfigOption = Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")]


class Level(enum.StrEnum):
    debug = "debug"
    info = "info"
    warning = "warning"
    error = "error"


class Format(enum.StrEnum):
    human = "human"
    json = "json"


LogLevel = Annotated[
    Level,
    typer.Option(
        "--log-level",
        envvar="SWITCHBOARD_LOG_LEVEL",
        case_sensitive=False,
        help="Lowest level written.",
    ),
]
LogFormatOption = Annotated[
    Format,
    typer.Option(
        "--log-format",
        envvar="SWITCHBOARD_LOG_FORMAT",
        help="human, or json: one object per line (journald, Loki).",
    ),
]


def version() -> str:
    """The installed version, whatever the distribution is called."""
    names = metadata.packages_distributions().get("switchboard", [])
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(name)
    return "unknown (not installed)"


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"switchboard {version()}")
        raise typer.Exit()


@app.callback()
def _main(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Switchboard: queue routing and presence for Asterisk."""


def _logging(verbose: bool = False, level: object = "info", fmt: object = "human") -> None:
    name = str(getattr(level, "value", level))
    configure(
        "debug" if verbose else name, "json" if getattr(fmt, "value", fmt) == "json" else "human"
    )


def _exit_with(bad: ConfigError) -> NoReturn:
    """Every problem on its own line, then exit 2 (what a wrong setting always gets)."""
    for problem in bad.problems:
        typer.echo(str(problem), err=True)
    raise typer.Exit(2) from None


def _fail(*lines: object) -> NoReturn:
    for line in lines:
        typer.echo(str(line), err=True)
    raise typer.Exit(2)


REKEY_FIX = (
    "set the key the data was sealed with; to change keys, run `switchboard re-key -c CONFIG` "
    "with the old key in SWITCHBOARD_OLD_DATA_KEY"
)


def _load(path: Path) -> Settings:
    try:
        return load_config(path)
    except ConfigError as bad:
        if len(bad.problems) == 1:
            _exit_with(bad)
        typer.echo(f"{path}: the configuration has {len(bad.problems)} problems:", err=True)
        for problem in bad.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None


def main() -> None:
    app()
