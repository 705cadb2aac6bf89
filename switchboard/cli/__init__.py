"""The `switchboard` command (each group of commands registers itself on the one app)."""

# The order `--help` lists them in: the engine's, Asterisk's, then stored data's.
# isort: off
from switchboard.cli import engine_commands
from switchboard.cli import pbx_commands
from switchboard.cli import data_commands

# isort: on
from switchboard.cli.app import _logging, app, main, version
from switchboard.cli.summary import service_lines, settings_files

__all__ = [
    "_logging",
    "app",
    "data_commands",
    "engine_commands",
    "main",
    "pbx_commands",
    "service_lines",
    "settings_files",
    "version",
]
