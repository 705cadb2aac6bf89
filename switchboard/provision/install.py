"""Put the generated files beside an operator's Asterisk configuration, and say what else to change.

`switchboard asterisk-config --install /etc/asterisk`:
- writes the generated files into /etc/asterisk/switchboard/;
- adds `#include "switchboard/<file>"` to the operator's extensions.conf, queues.conf and
  manager.conf once (running it again adds nothing);
- writes the AMI secret to /etc/asterisk/switchboard/manager-<user>-secret.conf, mode 0640
  (group asterisk when that group exists), which the generated manager.conf includes;
- then reads the result as Asterisk would (provision.conf_reader) and lists, per file and
  line, what the operator must still change: a disabled manager, another port, a bind
  address the engine cannot reach, persistentmembers off.
"""

from __future__ import annotations

import grp
import ipaddress
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from switchboard.ivr.asterisk_conf import INCLUDE_DIR
from switchboard.provision.conf_reader import AsteriskConfig, Category, read_config

MARK = "; Switchboard: added by `switchboard asterisk-config --install`"
TOP_FILES = ("extensions.conf", "queues.conf", "manager.conf")


@dataclass(frozen=True, slots=True)
class Todo:
    where: str  # file:line, or the file
    change: str  # exactly what to write
    why: str

    def __str__(self) -> str:
        return f"{self.where}: {self.change} ({self.why})"


@dataclass
class InstallReport:
    done: list[str] = field(default_factory=list)
    todo: list[Todo] = field(default_factory=list)


def secret_file_name(username: str) -> str:
    return f"manager-{username}-secret.conf"


def _include_line(name: str) -> str:
    return f'#include "{INCLUDE_DIR}/{name}"'


def _has_include(text: str, name: str) -> bool:
    pattern = (
        rf'^\s*#(try)?include\s+["<]?{re.escape(INCLUDE_DIR)}/{re.escape(name)}[">]?\s*(;.*)?$'
    )
    return re.search(pattern, text, flags=re.MULTILINE | re.IGNORECASE) is not None


def _write(path: Path, text: str, mode: int) -> None:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _asterisk_group() -> int | None:
    try:
        return grp.getgrnam("asterisk").gr_gid
    except KeyError:
        return None


def install(
    etcdir: Path,
    files: dict[str, str],
    *,
    username: str,
    secret: str | None,
    secret_env: str,
    ami_host: str,
    ami_port: int,
) -> InstallReport:
    report = InstallReport()
    ours = etcdir / INCLUDE_DIR
    ours.mkdir(mode=0o755, parents=True, exist_ok=True)
    for name, text in files.items():
        _write(ours / name, text, 0o644)
        report.done.append(f"wrote {ours / name}")
    secret_path = ours / secret_file_name(username)
    if secret:
        _write(secret_path, f"secret = {secret}\n", 0o640)
        gid = _asterisk_group()
        if gid is not None and os.geteuid() == 0:
            os.chown(secret_path, 0, gid)
        report.done.append(f"wrote {secret_path} (mode 0640) with the secret from ${secret_env}")
    elif not secret_path.exists():
        report.todo.append(
            Todo(
                str(secret_path),
                f"export {secret_env}=... and run this again (it writes the file)",
                "the AMI user has no secret without it; Asterisk also rejects manager.conf "
                "while an #include is missing",
            )
        )
    for name in TOP_FILES:
        top = etcdir / name
        text = top.read_text(encoding="utf-8", errors="replace") if top.exists() else ""
        if _has_include(text, name):
            report.done.append(f"{top} already includes {INCLUDE_DIR}/{name}")
            continue
        addition = ("" if text.endswith("\n") or not text else "\n") + (
            f"\n{MARK}\n{_include_line(name)}\n"
        )
        with top.open("a", encoding="utf-8") as f:
            f.write(addition)
        report.done.append(f"added {_include_line(name)} to {top}")
    report.todo += check_installed(etcdir, username=username, ami_host=ami_host, ami_port=ami_port)
    return report


def _where(category: Category | None, key: str, config: AsteriskConfig, fallback: Path) -> str:
    setting = category.get(key) if category else None
    if setting is not None:
        return f"{setting.file}:{setting.line}"
    if category is not None:
        return f"{category.file}:{category.line} [{category.name}]"
    return str(config.files[0] if config.files else fallback)


def _local(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_installed(etcdir: Path, *, username: str, ami_host: str, ami_port: int) -> list[Todo]:
    """What Asterisk would make of the files now, and what to change for the engine to work."""
    todo: list[Todo] = []
    manager = read_config(etcdir, "manager.conf")
    for error in manager.errors:
        todo.append(Todo(error.split(": ", 1)[0], "make the included file exist", error))
    general = manager.first("general")
    enabled = general.get("enabled") if general else None
    if enabled is None or not _ast_true(enabled.value):
        todo.append(
            Todo(
                _where(general, "enabled", manager, etcdir / "manager.conf"),
                "set `enabled = yes` under [general]"
                + (f" (now: enabled = {enabled.value})" if enabled else ""),
                "AMI is off: the engine cannot connect",
            )
        )
    port = general.get("port") if general else None
    if (port.value if port else "5038") != str(ami_port):
        todo.append(
            Todo(
                _where(general, "port", manager, etcdir / "manager.conf"),
                f"set `port = {ami_port}` under [general] (now: {port.value if port else 5038})",
                "the engine's config says ami.port " + str(ami_port),
            )
        )
    bind = general.get("bindaddr") if general else None
    bindaddr = bind.value if bind else "0.0.0.0"
    where = _where(general, "bindaddr", manager, etcdir / "manager.conf")
    if _local(ami_host) and bindaddr not in ("127.0.0.1", "::1", "0.0.0.0", "::"):
        todo.append(Todo(where, "set `bindaddr = 127.0.0.1`", f"the engine connects to {ami_host}"))
    elif not _local(ami_host) and bindaddr not in ("0.0.0.0", "::", ami_host):
        todo.append(
            Todo(
                where,
                f"set `bindaddr = {ami_host}` (or 0.0.0.0 behind a firewall)",
                f"the engine connects to {ami_host}, which AMI does not listen on",
            )
        )
    elif _local(ami_host) and bindaddr in ("0.0.0.0", "::"):
        todo.append(
            Todo(
                where,
                "set `bindaddr = 127.0.0.1`",
                "AMI listens on every address; the engine on this host needs only loopback "
                "(keep 0.0.0.0 only behind a firewall, for an engine on another host)",
            )
        )
    users = manager.all(username)
    if len(users) > 1:
        first = users[0]
        todo.append(
            Todo(
                f"{first.file}:{first.line}",
                f"remove this [{username}] section",
                f"the generated one in {INCLUDE_DIR}/manager.conf is the AMI user",
            )
        )
    elif users and users[0].get("secret") is None and not manager.errors:
        todo.append(
            Todo(
                f"{users[0].file}:{users[0].line}",
                "the user has no secret: run this again with the secret variable set",
                "Asterisk refuses a login without one",
            )
        )
    queues = read_config(etcdir, "queues.conf")
    qgeneral = queues.first("general")
    persistent = qgeneral.get("persistentmembers") if qgeneral else None
    if persistent is None or not _ast_true(persistent.value):
        todo.append(
            Todo(
                _where(qgeneral, "persistentmembers", queues, etcdir / "queues.conf"),
                "set `persistentmembers = yes` under [general]",
                "without it an Asterisk restart forgets everyone the engine logged in, until "
                "the engine is back",
            )
        )
    for error in queues.errors:
        todo.append(Todo(error.split(": ", 1)[0], "make the included file exist", error))
    extensions = read_config(etcdir, "extensions.conf")
    for error in extensions.errors:
        todo.append(Todo(error.split(": ", 1)[0], "make the included file exist", error))
    return todo


def _ast_true(value: str) -> bool:
    """A yes in an Asterisk config file."""
    return value.lower() in ("yes", "true", "on", "1")
