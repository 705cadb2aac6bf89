"""Package data as folders on disk: examples, static files, migrations.

Read through importlib.resources, so a wheel installed anywhere finds the same files a
checkout does. Starlette's StaticFiles, Alembic and the config loader (which resolves
calendar paths beside the YAML) all want real folders, and pip installs packages as files;
a zipped install is refused with a clear message instead of failing later on a missing path.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def package_folder(package: str, *parts: str) -> Path:
    """The folder `parts` inside `package`, as a path on disk."""
    root = files(package).joinpath(*parts)
    if not isinstance(root, Path):
        raise RuntimeError(
            f"{package} is not installed as files on disk ({root!r}): "
            "install switchboard-asterisk with pip into a virtualenv or with pipx"
        )
    return root
