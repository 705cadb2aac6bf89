"""The documentation cannot drift: the configuration reference is the schema's, and every
link in the README leads somewhere (the site's own links are checked by `mkdocs --strict`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from switchboard import config_reference as reference

ROOT = Path(__file__).resolve().parents[2]


def test_the_configuration_reference_is_the_one_the_schema_generates() -> None:
    on_disk = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert on_disk == reference.render(), (
        "docs/configuration.md is stale: run "
        "`.venv/bin/python -m switchboard.config_reference > docs/configuration.md`"
    )


def test_every_key_of_the_schema_has_a_meaning_and_every_meaning_a_key() -> None:
    assert reference.missing_meanings() == []


def test_the_reference_names_keys_as_the_example_config_writes_them() -> None:
    page = reference.render()
    for key in ("`loops[].overflow_to`", "`screen.kid.algorithms`", "`redis.lease_s`"):
        assert key in page
    assert "| `ami.username` | text | required |" in page


def test_every_relative_link_in_the_readme_and_changelog_exists() -> None:
    for name in ("README.md", "CHANGELOG.md"):
        text = (ROOT / name).read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if "://" in target:
                continue
            assert (ROOT / target).exists(), f"{name} links to {target}, which does not exist"


def test_the_site_builds_with_every_link_and_anchor_checked(tmp_path: Path) -> None:
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent))
    assert mkdocs, "mkdocs is a dev dependency: pip install -e '.[dev]'"
    build = subprocess.run(
        [mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
