"""Write the Asterisk configuration for a Switchboard config: one function, used by the CLI."""

from __future__ import annotations

from pathlib import Path

from switchboard.ivr.asterisk_conf import INCLUDE_DIR, render_manager, render_queues
from switchboard.ivr.checker import Finding, check_dialplan, check_manager, check_queues
from switchboard.ivr.dialplan import render_dialplan
from switchboard.ivr.plan import IvrPlan


class GeneratedConfigError(Exception):
    """The generator produced text our own checker refuses: a bug, never written out."""


def asterisk_files(
    plan: IvrPlan,
    *,
    strategies: dict[str, str],
    service_level_s: int,
    ami_username: str,
    ami_permit: tuple[str, ...],
    include_dir: str = INCLUDE_DIR,
) -> dict[str, str]:
    """File name -> text for extensions.conf, queues.conf and manager.conf, all checked."""
    files = {
        "extensions.conf": render_dialplan(plan),
        "queues.conf": render_queues(plan, strategies=strategies, service_level_s=service_level_s),
        "manager.conf": render_manager(ami_username, ami_permit, include_dir),
    }
    checks = {
        "extensions.conf": check_dialplan,
        "queues.conf": check_queues,
        "manager.conf": check_manager,
    }
    findings: list[tuple[str, Finding]] = [
        (name, f) for name, text in files.items() for f in checks[name](text)
    ]
    if findings:
        raise GeneratedConfigError("; ".join(f"{name} {f}" for name, f in findings))
    return files


def write_files(files: dict[str, str], outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = outdir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
