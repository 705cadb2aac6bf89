"""The example configuration, its sample calendars and the default prompt texts.

Shipped inside the package so that `switchboard demo`, `switchboard example-config` and
`switchboard prompts` work from an installed wheel with no checkout; the compose file in
deploy/ mounts the same files.
"""

from __future__ import annotations

from switchboard.resources import package_folder

FOLDER = package_folder(__name__)
EXAMPLE_CONFIG = FOLDER / "switchboard.example.yaml"
EXAMPLE_PROMPTS = FOLDER / "prompts.example.yaml"
EXAMPLE_CALENDARS = FOLDER / "calendars"
