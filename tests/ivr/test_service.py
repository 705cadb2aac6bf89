"""The contact-centre craft in the generated dialplan and queues.conf (docs/craft.md)."""

from __future__ import annotations

import re

import pytest

from switchboard.cli import service_lines, settings_files
from switchboard.config import ConfigError, Settings, parse_config
from switchboard.ivr.checker import check_dialplan, check_queues

CRAFT_PREFIXES = ("custom/sb-recording", "custom/sb-rating", "custom/sb-phone", "custom/sb-holiday")
BASE = """
ami: {{username: router, secret_env: SB_SECRET}}
default_loop: loop3
supervisor: {{holiday_notice_days: 3}}
ivr:
  recording: {{keep_days: 14}}
loops:
  - id: loop1
    queue: loop1
    title: Invoices
    digit: "1"
    suffix: "-111"
    agents: [one]
    overflow_to: loop3
{loop1}
  - {{id: loop3, queue: loop3, title: Other, digit: "3", suffix: "-113", agents: [two]}}
agents:
  - {{id: one, name: Agent One, interface: PJSIP/201}}
  - {{id: two, name: Agent Two, interface: PJSIP/202, roles: [supervisor]}}
"""
CRAFTED = """
    wrapup_s: 15
    announce: {position: true, wait: true, every_s: 45}
    record: true
    rating: true
    autopause_after: 1
"""


def settings(loop1: str = CRAFTED) -> Settings:
    return parse_config(BASE.format(loop1=loop1), "craft.yaml")


def _context(text: str, name: str) -> list[str]:
    return text.split(f"[{name}]\n", 1)[1].split("\n\n", 1)[0].splitlines()


def _queue(text: str, name: str) -> list[str]:
    return text.split(f"[{name}](sb-queue-defaults)\n", 1)[1].split("\n\n", 1)[0].splitlines()


def test_every_item_switched_on_still_passes_the_checker() -> None:
    files = settings_files(settings())
    assert check_dialplan(files["extensions.conf"]) == []
    assert check_queues(files["queues.conf"]) == []


def test_wrap_up_autopause_and_announcements_are_asterisks_own_per_loop() -> None:
    queues = settings_files(settings())["queues.conf"]
    loop1 = _queue(queues, "loop1")
    assert "wrapuptime = 15" in loop1
    assert "autopause = all" in loop1
    assert "announce-frequency = 45" in loop1
    assert "announce-position = yes" in loop1
    assert "announce-holdtime = yes" in loop1
    # The other loop keeps the template's quiet defaults.
    loop3 = _queue(queues, "loop3")
    assert not any(line.startswith(("wrapuptime", "autopause", "announce")) for line in loop3)


def test_defaults_change_nothing_callers_hear() -> None:
    files = settings_files(settings(loop1=""))
    dialplan = files["extensions.conf"]
    assert "[sb-consent]" not in dialplan
    assert "[sb-rating]" not in dialplan
    assert "MixMonitor" not in dialplan
    assert "Queue(loop1,,,,120)" in "\n".join(_context(dialplan, "sb-loop-loop1"))


def test_a_caller_is_recorded_only_after_pressing_the_consent_key() -> None:
    dialplan = settings_files(settings())["extensions.conf"]
    consent = _context(dialplan, "sb-consent")
    yes = next(i for i, line in enumerate(consent) if "(yes)" in line)
    mix = next(i for i, line in enumerate(consent) if "MixMonitor(" in line)
    assert 'GotoIf($["${SB_CONSENT}" = "1"]?yes)' in "\n".join(consent)
    assert mix > yes  # no other path reaches MixMonitor
    assert sum("MixMonitor(" in line for line in dialplan.splitlines()) == 1
    # b: only the conversation is kept; the file names loop, time and call, never the number.
    assert consent[mix].endswith(",b)")
    assert "CALLERID" not in consent[mix]
    assert "SB_ORIGIN" not in consent[mix]
    loop1 = "\n".join(_context(dialplan, "sb-loop-loop1"))
    assert loop1.index("Gosub(sb-consent,s,1)") < loop1.index("Queue(loop1,")


def test_a_rated_loop_keeps_the_caller_after_the_agent_hangs_up() -> None:
    dialplan = settings_files(settings())["extensions.conf"]
    loop1 = "\n".join(_context(dialplan, "sb-loop-loop1"))
    assert "Queue(loop1,c,,,120)" in loop1
    assert 'GotoIf($["${MEMBERINTERFACE}" != ""]?sb-rating,s,1)' in loop1
    rating = "\n".join(_context(dialplan, "sb-rating"))
    assert "Step: rating,Loop: ${SB_LOOP},Digit: ${SB_SCORE}" in rating
    assert "SB_ORIGIN" not in rating
    assert "CALLERID" not in rating


def test_moved_callers_keep_their_place_by_their_first_moment_in_the_line() -> None:
    dialplan = settings_files(settings())["extensions.conf"]
    menu = "\n".join(_context(dialplan, "sb-ivr"))
    assert "Set(__SB_FIRST=${EPOCH})" in menu
    for loop in ("sb-loop-loop1", "sb-loop-loop3"):
        lines = "\n".join(_context(dialplan, loop))
        assert "Set(QUEUE_PRIO=$[1000000000 - ${SB_FIRST} % 1000000000])" in lines


def test_a_supervisor_closure_is_read_from_astdb_on_every_call() -> None:
    dialplan = settings_files(settings())["extensions.conf"]
    menu = "\n".join(_context(dialplan, "sb-ivr"))
    assert "Set(SB_CLOSURE=${IF(${DB_EXISTS(sb-closure/ALL)}?${DB_RESULT}:)})" in menu
    loop1 = "\n".join(_context(dialplan, "sb-loop-loop1"))
    assert "DB_EXISTS(sb-closure/loop-loop1)" in loop1
    closure = "\n".join(_context(dialplan, "sb-closure"))
    assert "Playback(custom/sb-closure-${SB_CLOSURE})" in closure
    assert "Goto(sb-callback-offer,s,1)" in closure
    assert "Playback(custom/sb-holiday-notice)" in menu


def test_phone_codes_pause_with_the_persons_own_reason() -> None:
    dialplan = settings_files(settings())["extensions.conf"]
    features = "\n".join(_context(dialplan, "sb-features"))
    assert "exten => *45,1,Answer()" in features
    assert "PauseQueueMember(,${SB_PHONE},,phone)" in features
    assert "UnpauseQueueMember(,${SB_PHONE},,phone)" in features
    assert "switchboard:" not in features  # never a reason the engine would lift


def test_phone_codes_can_be_left_out() -> None:
    config = BASE.format(loop1="").replace("ivr:\n", "ivr:\n  feature_codes: {enabled: false}\n")
    dialplan = settings_files(parse_config(config, "x.yaml"))["extensions.conf"]
    assert "[sb-features]" not in dialplan


def test_two_ways_to_rest_after_a_call_are_refused_together() -> None:
    with pytest.raises(ConfigError, match="choose one"):
        settings("    wrapup_s: 10\n    follow_up_s: 60\n")


def test_check_config_says_what_each_loop_does() -> None:
    lines = service_lines(settings())
    assert lines[0].startswith("service in loop1: wrap-up 15 s")
    assert "recorded on an active yes" in lines[0]
    assert any(line.startswith("recordings: ") and "kept 14 days" in line for line in lines)
    assert any("supervisors (role 'supervisor'): two" in line for line in lines)
    assert any("holiday notice: 3 day(s) before" in line for line in lines)
    assert any(line.startswith("phone codes: *45 pause, *46 resume") for line in lines)


def test_every_craft_prompt_the_dialplan_plays_has_bokmal_and_english_text() -> None:
    from switchboard.ivr.prompt_texts import default_texts

    texts = default_texts(("event", "emergency"))
    dialplan = settings_files(settings())["extensions.conf"]
    played = set(re.findall(r"(custom/sb-[a-z-]+)", dialplan))
    craft = {p for p in played if p.startswith(CRAFT_PREFIXES)}
    craft |= {"custom/sb-closure-event", "custom/sb-closure-emergency"}
    assert craft - set(texts) == set()
    assert all({"no", "en"} <= set(texts[name]) for name in craft)
    # Norwegian callers hear app_queue's position announcement in bokmål, numbers too.
    assert {"queue-youarenext", "queue-thereare", "digits/3", "digits/hundred"} <= set(texts)
