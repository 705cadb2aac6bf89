"""Default prompts from espeak-ng and sox, in the formats and folders Asterisk plays."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.config import Settings, load_config
from switchboard.examples import EXAMPLE_CONFIG, EXAMPLE_PROMPTS
from switchboard.provision.prompts import PromptError, read_texts, texts_for
from switchboard.provision.sounds import missing

EXAMPLE = EXAMPLE_CONFIG
runner = CliRunner()


@pytest.fixture(scope="module")
def settings() -> Settings:
    return load_config(EXAMPLE, {})


def test_the_greeting_is_read_from_the_menu_in_each_language(settings: Settings) -> None:
    assert settings.ivr is not None
    texts = texts_for(
        settings.ivr,
        settings.screen.organisation,
        {},
        {"no": {"loop1": "forsikring og faktura"}},
    )
    assert texts["no"]["custom/sb-welcome"] == (
        "Velkommen til Arbeidsmandsforbundet. For forsikring og faktura, tast 1. "
        "For Pay and work questions, tast 2. For Everything else, tast 3. For English, press 9."
    )
    assert texts["en"]["custom/sb-callback-offer"] == "To be called back, press 5."
    assert "invalid" not in texts["no"]  # Asterisk's core sounds are not generated
    # Every custom sound the generated dialplan plays, closure messages included.
    assert {
        "custom/sb-welcome",
        "custom/sb-closed",
        "custom/sb-callback-enter",
        "custom/sb-closure-event",
        "custom/sb-phone-paused",
    } <= set(texts["no"])
    # Besides our own: app_queue's announcements and the numbers it says (the example loop
    # announces place and wait), in bokmål and English; never other core sounds.
    core = {name for name in texts["no"] if not name.startswith("custom/")}
    assert core == {name for name in texts["en"] if not name.startswith("custom/")}
    assert all(name.startswith(("queue-", "digits/")) for name in core)


def test_the_default_set_says_place_and_wait_in_bokmal_and_english(settings: Settings) -> None:
    assert settings.ivr is not None
    texts = texts_for(settings.ivr, settings.screen.organisation, {}, {})
    # "Du er nummer" 3 "i køen." / "Forventet ventetid er omtrent" 4 "minutter"
    said = [texts["no"][s] for s in ("queue-thereare", "digits/3", "queue-callswaiting")]
    assert said == ["Du er nummer", "tre", "i køen."]
    said = [texts["no"][s] for s in ("queue-holdtime", "digits/4", "queue-minutes")]
    assert said == ["Forventet ventetid er omtrent", "fire", "minutter"]
    assert texts["no"]["digits/1N"] == "ett"  # "1 minutt", neuter (main/say.c, option n)
    assert texts["en"]["queue-thereare"] == "You are number"
    assert texts["en"]["digits/40"] == "forty"
    # A loop without announcements needs none of them.
    quiet = load_config(EXAMPLE, {}).ivr
    assert quiet is not None
    from dataclasses import replace

    from switchboard.ivr.service import Announcements

    routes = {
        k: replace(r, service=replace(r.service, announce=Announcements()))
        for k, r in quiet.routes.items()
    }
    plain = texts_for(replace(quiet, routes=routes), settings.screen.organisation, {}, {})
    assert not any(name.startswith("queue-") for name in plain["no"])


def test_a_text_file_with_an_unknown_key_or_placeholder_is_one_line(settings: Settings) -> None:
    with pytest.raises(PromptError, match=r"t.yaml: no.welcome: unknown text \(use one of:"):
        read_texts({"no": {"welcome": "Hei"}}, "t.yaml")
    overrides, titles = read_texts({"no": {"closed": "Stengt {when}."}}, "t.yaml")
    assert settings.ivr is not None
    with pytest.raises(PromptError, match=r"text no.closed uses \{when\}"):
        texts_for(settings.ivr, settings.screen.organisation, overrides, titles)


def test_prompts_are_spoken_as_8_khz_files_where_asterisk_looks(
    settings: Settings, tmp_path: Path
) -> None:
    sounds = tmp_path / "sounds"
    assert settings.ivr is not None
    before = {name for _, name in missing(sounds, settings.ivr)}
    assert "custom/sb-callback-enter" in before
    result = runner.invoke(
        app,
        [
            "prompts",
            str(sounds),
            "-c",
            str(EXAMPLE),
            "--texts",
            str(EXAMPLE_PROMPTS),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no greeting: Velkommen til Arbeidsmandsforbundet. For forsikring og faktura" in (
        result.output
    )
    for language in ("no", "en"):
        for name in ("sb-welcome", "sb-closed", "sb-callback-offer", "sb-callback-reference"):
            with wave.open(str(sounds / language / "custom" / f"{name}.wav")) as w:
                assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
                seconds = w.getnframes() / w.getframerate()
                assert 0.5 < seconds < 30
            ulaw = sounds / language / "custom" / f"{name}.ulaw"
            assert ulaw.stat().st_size == pytest.approx(seconds * 8000, rel=0.01)
    after = missing(sounds, settings.ivr)
    assert not {n for _, n in after if n.startswith(("custom/", "queue-", "digits/"))}
    for language, words in (("no", "Du er nummer"), ("en", "You are number")):
        with wave.open(str(sounds / language / "queue-thereare.wav")) as w:
            assert w.getframerate() == 8000
            assert 0.3 < w.getnframes() / 8000 < 5, words
    assert "no position and wait announcements: " in result.output


def test_asterisks_own_english_announcements_are_kept(settings: Settings, tmp_path: Path) -> None:
    from switchboard.provision.prompts import generate, kept_core_sounds

    assert settings.ivr is not None
    sounds = tmp_path / "sounds"
    (sounds / "en").mkdir(parents=True)
    recorded = sounds / "en" / "queue-thereare.gsm"  # as asterisk-core-sounds-en-gsm has it
    recorded.write_bytes(b"\x00" * 33)
    only = {"en": {"queue-thereare": "You are number"}, "no": {"queue-thereare": "Du er nummer"}}
    assert kept_core_sounds(sounds, only) == ["queue-thereare"]
    written = generate(sounds, settings.ivr, only)
    assert written == [sounds / "no" / "queue-thereare.wav", sounds / "no" / "queue-thereare.ulaw"]
    assert not (sounds / "en" / "queue-thereare.wav").exists()
    assert recorded.read_bytes() == b"\x00" * 33


def test_check_config_warns_about_each_missing_prompt(tmp_path: Path) -> None:
    (tmp_path / "no" / "custom").mkdir(parents=True)
    result = runner.invoke(app, ["check-config", "-c", str(EXAMPLE), "--sounds", str(tmp_path)])
    assert result.exit_code == 0  # the engine runs; callers would hear silence
    assert (
        f"warning: prompt custom/sb-callback-enter (no) missing: no {tmp_path}/no/custom/"
        "sb-callback-enter.<wav|ulaw|gsm|...> (fix: switchboard prompts"
    ) in result.output


def test_english_callers_are_never_played_the_norwegian_number_words(settings: Settings) -> None:
    from switchboard.provision.sounds import needed

    assert settings.ivr is not None
    wanted = set(needed(settings.ivr))
    assert ("no", "digits/1N") in wanted  # "ett minutt": main/say.c's Norwegian syntax
    assert ("no", "digits/and") in wanted
    assert ("en", "digits/1N") not in wanted  # English numbers never ask for them
    assert ("en", "digits/and") not in wanted
    assert ("en", "digits/hundred") in wanted
