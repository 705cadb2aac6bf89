"""The `switchboard` command."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import Annotated

import typer

from presence.source import InMemoryPresence
from switchboard.config import ConfigError, load_config

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


def _logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        datefmt="%H:%M:%S",
    )


def _load(path: Path):  # type: ignore[no-untyped-def]
    try:
        return load_config(path)
    except ConfigError as bad:
        typer.echo(f"{path}: the configuration has {len(bad.problems)} problem(s):", err=True)
        for problem in bad.problems:
            typer.echo(f"  {problem}", err=True)
        raise typer.Exit(2) from None


@app.command()
def demo(
    duration: Annotated[float, typer.Option(help="Seconds to run; 0 runs until Ctrl-C.")] = 0,
    call_gap: Annotated[float, typer.Option(help="Mean seconds between simulated calls.")] = 4.0,
    port: Annotated[int, typer.Option(help="Port for the simulated AMI (0: any free).")] = 0,
    seed: Annotated[int | None, typer.Option(help="Random seed for repeatable traffic.")] = None,
    verbose: bool = False,
) -> None:
    """Run the embedded demo: simulated PBX, example config, meetings, live calls."""
    from switchboard.demo import run_demo

    _logging(verbose)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(
            run_demo(duration_s=duration or None, call_gap_s=call_gap, port=port, seed=seed)
        )


@app.command()
def run(
    config: Annotated[Path, typer.Option("--config", "-c", help="The YAML configuration.")],
    verbose: bool = False,
) -> None:
    """Run the engine against the Asterisk named in the config."""
    from switchboard.engine import Engine

    _logging(verbose)
    settings = _load(config)
    try:
        ami = settings.ami_settings()
    except ConfigError as bad:
        for problem in bad.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    # Calendar sources arrive with the presence feature; until then nobody is paused by one.
    engine = Engine(settings, ami, InMemoryPresence())
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(engine.run())


@app.command("check-config")
def check_config(config: Annotated[Path, typer.Argument(help="The YAML configuration.")]) -> None:
    """Validate a configuration and show who answers each loop."""
    settings = _load(config)
    for loop in settings.roster.loops:
        members = settings.roster.members_of(loop)
        digit = next(d for d, q in settings.menu.items() if q == loop.queue)
        typer.echo(
            f"{digit}  {loop.queue:<12} {loop.title} ({loop.suffix}): {len(members)} members"
        )
        for agent in members:
            status = settings.manual.get(agent.id)
            typer.echo(
                f"     {agent.name} <{agent.interface}>" + (f" [{status}]" if status else "")
            )
    typer.echo(f"no choice or invalid keys -> {settings.menu.default_queue}")


def main() -> None:
    app()
