"""The release as a user installs it: the wheel and sdist built, the wheel installed into a
new virtualenv outside the checkout, its commands run from a folder with no checkout in it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGED = (
    "switchboard/examples/switchboard.example.yaml",
    "switchboard/examples/prompts.example.yaml",
    "switchboard/examples/calendars/marit.haugen.ics",
    "switchboard/examples/calendars/ola.brekke.ics",
    "switchboard/screen/static/screen.js",
    "switchboard/ops/static/wallboard.html",
    "switchboard/reports/migrations/script.py.mako",
    "switchboard/reports/migrations/versions/0001_first.py",
)


def _run(args: list[str | Path], cwd: Path, timeout: float = 600) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`python -m build` of this checkout, as `./dev release` runs it."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT], cwd=out)
    return out


def venv_with_wheel(dist: Path, venv: Path, *locks: str) -> Path:
    """A new virtualenv with the locked runtime dependencies (and `locks`, hash-checked too)
    and then the wheel alone; returns its bin/."""
    _run([sys.executable, "-m", "venv", venv], cwd=venv.parent)
    python = venv / "bin" / "python"
    pip: list[str | Path] = [python, "-m", "pip", "--disable-pip-version-check", "install"]
    for lock in ("runtime", *locks):
        path = ROOT / "requirements" / f"{lock}.txt"
        _run([*pip, "--quiet", "--require-hashes", "-r", path], cwd=venv.parent)
    (wheel,) = dist.glob("switchboard_asterisk-*.whl")
    _run([*pip, "--quiet", "--no-deps", wheel], cwd=venv.parent)
    return venv / "bin"


@pytest.fixture(scope="module")
def installed(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel in a new virtualenv outside the checkout; its bin/."""
    return venv_with_wheel(dist, tmp_path_factory.mktemp("installed") / "venv")


def test_both_files_hold_the_package_data(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    (sdist,) = dist.glob("*.tar.gz")
    in_wheel = set(zipfile.ZipFile(wheel).namelist())
    with tarfile.open(sdist) as tar:
        in_sdist = {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}
    for name in PACKAGED:
        assert name in in_wheel, f"{name} is not in {wheel.name}"
        assert name in in_sdist, f"{name} is not in {sdist.name}"


def test_the_installed_command_says_its_version(installed: Path, tmp_path: Path) -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    declared = re.search(r'^version = "(.+)"$', pyproject, re.MULTILINE)
    assert declared is not None
    out = _run([installed / "switchboard", "--version"], cwd=tmp_path)
    assert out.strip() == f"switchboard {declared.group(1)}"


def test_the_packaged_example_is_a_clean_config(installed: Path, tmp_path: Path) -> None:
    _run([installed / "switchboard", "example-config", tmp_path / "site"], cwd=tmp_path)
    out = _run(
        [installed / "switchboard", "check-config", tmp_path / "site" / "switchboard.yaml"],
        cwd=tmp_path,
    )
    assert "Marit Haugen <PJSIP/201>" in out
    assert "error" not in out.lower()


def test_the_demo_runs_from_the_wheel_and_answers_calls(installed: Path, tmp_path: Path) -> None:
    out = _run(
        [installed / "switchboard", "demo", "--duration", "20", "--web-port", "0", "--seed", "7"],
        cwd=tmp_path,
        timeout=120,
    )
    assert re.search(r"call …\S+ in loop\d answered by ", out), out[-3000:]
    assert str(ROOT) not in out  # nothing read from the checkout


def test_prompts_speak_from_the_wheel_with_the_packaged_texts(
    installed: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    _run([installed / "switchboard", "example-config", site], cwd=tmp_path)
    sounds = tmp_path / "sounds"
    _run(
        [
            installed / "switchboard",
            "prompts",
            sounds,
            "-c",
            site / "switchboard.yaml",
            "--texts",
            site / "prompts.yaml",
        ],
        cwd=tmp_path,
    )
    for language in ("no", "en"):
        spoken = list((sounds / language / "custom").glob("*.wav"))
        assert spoken, f"no {language} prompt written"


def test_the_wheel_installs_beside_live_packages_named_like_our_rooms(
    dist: Path, tmp_path: Path
) -> None:
    """Canonical's `ops` and Roboflow's `supervision` are import names we once installed at
    the top level; everything of ours now lives under `switchboard`, so all three import."""
    venv = tmp_path / "venv"
    python = venv_with_wheel(dist, venv, "neighbours") / "python"
    out = _run(
        [
            python,
            "-W",
            "ignore",  # supervision warns about its own optional parts
            "-c",
            "import ops, supervision, switchboard.ops, switchboard.engine\n"
            "print(ops.__name__, hasattr(ops, 'CharmBase'))\n"
            "print(supervision.__name__, hasattr(supervision, 'Detections'))\n"
            "print(switchboard.ops.__name__)",
        ],
        cwd=tmp_path,
    )
    assert out.split() == ["ops", "True", "supervision", "True", "switchboard.ops"]
    (dist_info,) = (venv / "lib").glob("python3*/site-packages/switchboard_asterisk-*.dist-info")
    assert (dist_info / "top_level.txt").read_text().split() == ["switchboard"]
