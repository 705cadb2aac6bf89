"""The generated Asterisk configuration: checked line by line, and kept in deploy/asterisk."""

import re
from pathlib import Path

import pytest

from switchboard.cli import settings_files
from switchboard.config import ConfigError, load_config, parse_config
from switchboard.examples import EXAMPLE_CONFIG
from switchboard.ivr.checker import check_dialplan, check_manager, check_queues
from switchboard.ivr.dialplan import render_dialplan

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = EXAMPLE_CONFIG


@pytest.fixture(scope="module")
def files() -> dict[str, str]:
    return settings_files(load_config(EXAMPLE))


def test_the_example_config_generates_what_deploy_asterisk_holds(files: dict[str, str]) -> None:
    for name, text in files.items():
        committed = (ROOT / "deploy" / "asterisk" / name).read_text(encoding="utf-8")
        assert committed == text, (
            f"deploy/asterisk/{name} is stale: run "
            "`switchboard asterisk-config deploy/asterisk "
            "-c switchboard/examples/switchboard.example.yaml`"
        )


def test_the_generated_files_pass_the_checker(files: dict[str, str]) -> None:
    assert check_dialplan(files["extensions.conf"]) == []
    assert check_queues(files["queues.conf"]) == []
    assert check_manager(files["manager.conf"]) == []


def _lines(text: str, context: str) -> list[str]:
    block = text.split(f"[{context}]\n", 1)[1].split("\n\n", 1)[0]
    return block.splitlines()


def test_each_key_leads_to_its_loop_and_nine_switches_to_english(files: dict[str, str]) -> None:
    menu = "\n".join(_lines(files["extensions.conf"], "sb-ivr"))
    assert "exten => 1,1,UserEvent(SwitchboardIvr,Step: choice,Digit: 1,Loop: loop1" in menu
    assert " same => n,Goto(sb-loop-loop1,s,1)" in menu
    assert " same => n,Set(CHANNEL(language)=en)" in menu
    assert "exten => 9,1,UserEvent(SwitchboardIvr,Step: choice,Digit: 9,Loop: english" in menu


def test_wrong_keys_repeat_the_menu_three_times_then_the_default_loop(
    files: dict[str, str],
) -> None:
    invalid = [ln for ln in _lines(files["extensions.conf"], "sb-ivr") if "invalid" in ln]
    assert any("Playback(invalid)" in ln for ln in invalid)
    menu = "\n".join(_lines(files["extensions.conf"], "sb-ivr"))
    assert "GotoIf($[${SB_TRIES} < 3]?s,menu)" in menu
    assert "exten => t,1,UserEvent(SwitchboardIvr,Step: timeout,Loop: loop3)" in menu


def test_agents_see_the_loop_suffix_after_the_callers_number(files: dict[str, str]) -> None:
    loop1 = _lines(files["extensions.conf"], "sb-loop-loop1")
    assert loop1[0] == "exten => s,1,Set(CALLERID(num)=${SB_ORIGIN}-111)"
    assert " same => n,Queue(loop1,,,,90)" in loop1
    assert loop1[-1] == " same => n,Goto(sb-loop-loop3,s,1)"  # level 2 after 90 s


def test_without_a_router_the_weekly_hours_apply_to_the_minute(files: dict[str, str]) -> None:
    hours = "\n".join(_lines(files["extensions.conf"], "sb-hours"))
    # GotoIfTime includes its end minute, so 12:30 closing is written 12:29.
    assert "GotoIfTime(08:30-12:29,mon-thu,*,*,Europe/Oslo?open)" in hours
    assert "GotoIfTime(13:00-15:59,fri,*,*,Europe/Oslo?open)" in hours
    assert "GotoIf($[${SB_UNTIL} <= ${EPOCH}]?weekly)" in hours


def test_the_router_gets_only_the_rights_it_needs(files: dict[str, str]) -> None:
    manager = files["manager.conf"]
    assert "read = system,call,agent,user" in manager
    assert "write = system,call,agent" in manager
    assert not [ln for ln in manager.splitlines() if ln.startswith("secret")]
    # Relative to Asterisk's config directory, where --install puts it (main/config.c).
    assert '#include "switchboard/manager-switchboard-secret.conf"' in manager


def test_queues_offer_the_callback_key_while_callers_wait(files: dict[str, str]) -> None:
    queues = files["queues.conf"]
    assert "context = sb-queue-exit" in queues
    assert "[switchboard](sb-queue-defaults)\nstrategy = ringall" in queues


BROKEN = [
    ("exten => s,1,Playbak(hello)", "unknown application Playbak"),
    ("exten => s,1,NoOp(${LENGTH(x)})", "unknown function LENGTH"),
    ("exten => s,1,Goto(nowhere,s,1)", "context nowhere, which does not exist"),
    ("exten => s,1,Goto(sb-ivr,s,nolabel)", "no such label"),
    ("exten => s,1,Goto(sb-ivr,7,1)", "sb-ivr,7, which does not exist"),
    ("exten => s,1,NoOp(${NEVER_SET})", "${NEVER_SET} is read but never set"),
    ("exten => s,1,GotoIfTime(8:30-12:30,mon,*,*?s,1)", "bad time range"),
    ("exten => s,1,GotoIfTime(08:30-12:29,mondays,*,*?s,1)", "bad weekday mondays"),
    ("exten => s,1,Set(x)", "Set needs name=value"),
    ("exten => s,1,SayDigits(1,2)", "SayDigits takes 1-1 arguments, got 2"),
    ("exten => s,1,NoOp(${RAND(1,2,3)})", "RAND() takes 0-2 arguments, got 3"),
    ("exten => s,1,NoOp($[${EPOCH} > 1)", "unbalanced brackets"),
    ("exten => s,1,GotoIf(1)", "GotoIf needs condition?destination"),
    (" same => n,NoOp()", "`same =>` with no extension before it"),
    ("exten s 1 NoOp", "not a dialplan line"),
]


@pytest.mark.parametrize(("line", "message"), BROKEN)
def test_the_checker_names_what_is_wrong(line: str, message: str) -> None:
    text = render_dialplan(load_config(EXAMPLE).ivr) + f"\n[broken]\n{line}\n"  # type: ignore[arg-type]
    findings = check_dialplan(text)
    assert any(message in f.message for f in findings), findings
    assert all(f.line == text.count("\n") for f in findings)


def test_the_checker_refuses_unknown_queue_options_and_strategies() -> None:
    findings = check_queues("[q]\nstrategy = roundrobin\nwrapup = 5\n")
    assert [str(f) for f in findings] == [
        "line 2: unknown strategy roundrobin",
        "line 3: unknown queues.conf option wrapup",
    ]


def test_the_checker_refuses_a_secret_or_an_unknown_permission_class() -> None:
    findings = check_manager("[r]\nsecret = x\nread = agent,queues\n")
    assert [f.message for f in findings] == [
        "a secret must not be in the generated file",
        "unknown read class queues",
    ]


def _with_hours(spans: str) -> str:
    """The example config with every weekday (Saturday and Sunday too) open `spans`."""
    text = re.sub(r"\n  (mon|tue|wed|thu|fri): \[.*\]", "", EXAMPLE.read_text(encoding="utf-8"))
    days = "".join(f"\n  {d}: [{spans}]" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    return text.replace("\nhours:", "\nhours:" + days, 1)


def test_a_24_7_office_is_open_every_minute_of_the_dialplans_day() -> None:
    settings = parse_config(_with_hours('"00:00-24:00"'), "247.yaml")
    extensions = settings_files(settings)["extensions.conf"]
    hours = "\n".join(_lines(extensions, "sb-hours"))
    # GotoIfTime's end minute is inclusive: 00:00-23:59 leaves no minute closed.
    assert "GotoIfTime(00:00-23:59,mon-sun,*,*,Europe/Oslo?open)" in hours
    assert check_dialplan(extensions) == []


def test_24_00_may_end_a_span_but_nothing_later() -> None:
    with pytest.raises(ConfigError, match=r"hours\.mon"):
        parse_config(_with_hours('"00:00-24:30"'), "x.yaml")
