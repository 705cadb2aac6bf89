"""Default prompts spoken by a real TTS, so callbacks work before the office records its own.

`switchboard prompts OUTDIR -c CONFIG [--texts FILE]` speaks each `custom/sb-*` prompt the
dialplan plays with espeak-ng (Debian's package; voices nb and en-gb) and converts it with
sox into what Asterisk plays without transcoding on a phone call: 8 kHz mono 16-bit WAV
(format_wav) and raw mu-law (.ulaw, format_pcm). Files land where Asterisk looks for a
channel's language: OUTDIR/no/custom/sb-welcome.wav, OUTDIR/en/custom/sb-welcome.wav; OUTDIR
is Asterisk's sounds folder (/var/lib/asterisk/sounds). Recorded prompts replace them later
under the same names.

With position or wait announcements on, app_queue's own sounds (queue-thereare, ...) and
the numbers it says (digits/N) are spoken too: in bokmål always (Asterisk ships none), in
English only where Asterisk's English core sounds are missing (a recorded voice is kept).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

from switchboard.ivr.plan import IvrPlan, Prompts
from switchboard.ivr.prompt_texts import NUMBER_PROMPTS, POSITION_PROMPTS
from switchboard.provision.sounds import found, played

# Asterisk's own sounds the default set speaks too: app_queue's announcements and numbers.
CORE_TEXTS = {**POSITION_PROMPTS, **NUMBER_PROMPTS}

VOICES = {"no": "nb", "en": "en-gb"}
# The menu is read from the config's loops ({menu}); the rest are fixed sentences.
DEFAULT_TEXTS: dict[str, dict[str, str]] = {
    "no": {
        "greeting": "Velkommen til {organisation}. {menu}",
        "menu_item": "For {title}, tast {digit}.",
        "closed": "Vi har dessverre stengt nå.",
        "callback_offer": "Vil du at vi ringer deg opp, tast {callback_digit}.",
        "callback_number": "Vi ringer deg opp på nummeret",
        "callback_confirm": "Tast 1 hvis nummeret stemmer, eller 2 for å taste et annet nummer.",
        "callback_enter": "Tast nummeret vi skal ringe, og avslutt med firkant.",
        "callback_reference": "Referansenummeret ditt er",
        "recording_consent": "Samtalen kan bli tatt opp for å evaluere og utvikle tjenesten "
        "vår. Tast 1 hvis du samtykker.",
        "rating_question": "Hvor fornøyd var du med samtalen? Tast fra 1 til 5.",
        "rating_thanks": "Takk for svaret ditt.",
        "phone_paused": "Du er satt på pause i alle køene dine.",
        "phone_resumed": "Du er tilbake i køene dine.",
        "phone_unknown": "Denne telefonen er ikke med i noen kø.",
        "holiday_notice": "Merk at vi holder stengt på helligdagen.",
        "status_enter": "Tast referansenummeret ditt.",
        "status_open": "Saken din er under behandling. Svarfristen er dag og måned",
        "status_overdue": "Saken din tar lengre tid enn lovet, og vi arbeider med den. "
        "Fristen var dag og måned",
        "status_done": "Saken din er besvart.",
        "status_unknown": "Vi finner ikke det referansenummeret.",
        "closure_event": "Vi har dessverre stengt i dag på grunn av et arrangement.",
        "closure_emergency": "Vi har dessverre stengt på grunn av en uforutsett hendelse.",
    },
    "en": {
        "greeting": "Welcome to {organisation}. {menu}",
        "menu_item": "For {title}, press {digit}.",
        "closed": "We are closed at the moment.",
        "callback_offer": "To be called back, press {callback_digit}.",
        "callback_number": "We will call you back on the number",
        "callback_confirm": "Press 1 if the number is right, or 2 to key in another number.",
        "callback_enter": "Key in the number we should call, then press the hash key.",
        "callback_reference": "Your reference number is",
        "recording_consent": "This call may be recorded to evaluate and develop our service. "
        "Press 1 if you agree.",
        "rating_question": "How satisfied were you with the call? Press 1 to 5.",
        "rating_thanks": "Thank you for your answer.",
        "phone_paused": "You are paused in all your queues.",
        "phone_resumed": "You are back in your queues.",
        "phone_unknown": "This phone is in no queue.",
        "holiday_notice": "Please note that we are closed on the public holiday.",
        "status_enter": "Key in your reference number.",
        "status_open": "Your case is being handled. It will be answered by day and month",
        "status_overdue": "Your case is taking longer than promised, and we are working on "
        "it. It was due on day and month",
        "status_done": "Your case has been answered.",
        "status_unknown": "We cannot find that reference number.",
        "closure_event": "We are closed today because of an event.",
        "closure_emergency": "We are closed because of an unforeseen event.",
    },
}
PROMPT_FIELDS = tuple(f.name for f in fields(Prompts))
LANGUAGE_NAMES = {"en": "English", "no": "norsk"}


def read_texts(
    data: object, source: str
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    """(overrides, titles) from a texts file: {no: {closed: ..., titles: {loop1: ...}}, en: ...}."""
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise PromptError(f"{source}: write one block per language (no:, en:)")
    overrides: dict[str, dict[str, str]] = {}
    titles: dict[str, dict[str, str]] = {}
    for language, block in data.items():
        if language not in DEFAULT_TEXTS:
            raise PromptError(f"{source}: language {language!r}: use no or en")
        if not isinstance(block, dict):
            raise PromptError(f"{source}: {language}: write `key: text` lines")
        for key, text in block.items():
            if key == "titles" and isinstance(text, dict):
                titles[language] = {str(k): str(v) for k, v in text.items()}
            elif (key in DEFAULT_TEXTS[language] or key.startswith("closure_")) and isinstance(
                text, str
            ):
                overrides.setdefault(language, {})[key] = text
            else:
                known = ", ".join([*DEFAULT_TEXTS[language], "titles"])
                raise PromptError(f"{source}: {language}.{key}: unknown text (use one of: {known})")
    return overrides, titles


class PromptError(Exception):
    """A text or a tool problem, said in one line."""


def texts_for(
    plan: IvrPlan,
    organisation: Mapping[str, str],
    overrides: Mapping[str, Mapping[str, str]],
    titles: Mapping[str, Mapping[str, str]],
) -> dict[str, dict[str, str]]:
    """language -> sound name -> the sentence to speak (the office's own prompts the
    generated dialplan plays)."""
    out: dict[str, dict[str, str]] = {}
    for language, defaults in DEFAULT_TEXTS.items():
        words = {**defaults, **overrides.get(language, {})}
        items = []
        for route in plan.routes.values():
            choice = next(c for c in plan.menu.choices if c.queue == route.queue)
            if route.language != "no":
                # A choice for callers of another language is said in that language
                # ("For English, press 9"), whatever language the menu is read in.
                item = {**DEFAULT_TEXTS[route.language], **overrides.get(route.language, {})}
                title = titles.get(route.language, {}).get(
                    route.loop_id, LANGUAGE_NAMES.get(route.language, choice.title)
                )
                items.append(item["menu_item"].format(title=title, digit=choice.digit))
            else:
                title = titles.get(language, {}).get(route.loop_id, choice.title)
                items.append(words["menu_item"].format(title=title, digit=choice.digit))
        values = {
            "organisation": organisation.get(language, ""),
            "menu": " ".join(items),
            "callback_digit": plan.callback_digit,
        }
        spoken: dict[str, str] = {}
        for sound in played(plan):
            if not sound.startswith("custom/"):
                # Asterisk's core sounds: only the announcements' (invalid, vm-goodbye and
                # the like are Asterisk's to say).
                if (text := CORE_TEXTS.get(sound, {}).get(language)) is not None:
                    spoken[sound] = text
                continue
            name = text_key(plan, sound)
            if name not in words:
                raise PromptError(f"no text for {sound}: add {language}.{name} to the --texts file")
            try:
                spoken[sound] = words[name].format(**values)
            except (KeyError, IndexError) as bad:
                raise PromptError(
                    f"text {language}.{name} uses {{{bad.args[0]}}}; it may use only "
                    "{organisation}, {menu} and {callback_digit}"
                ) from None
        out[language] = spoken
    return out


def text_key(plan: IvrPlan, sound: str) -> str:
    """The key of a sound's sentence: its Prompts field, or closure_<message>."""
    for field in PROMPT_FIELDS:
        if getattr(plan.prompts, field) == sound:
            return field
    return "closure_" + sound.removeprefix("custom/sb-closure-")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise PromptError(f"{name} is not installed (fix: apt-get install espeak-ng sox)")
    return found


def speak(text: str, language: str, target_stem: Path) -> list[Path]:
    """Write target_stem.wav (8 kHz mono 16-bit) and target_stem.ulaw; return both."""
    espeak, sox = _tool("espeak-ng"), _tool("sox")
    target_stem.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sb-prompt-") as tmp:
        raw = Path(tmp) / "speech.wav"
        run = [espeak, "-v", VOICES.get(language, language), "-s", "150", "-w", str(raw), text]
        done = subprocess.run(run, capture_output=True, text=True, timeout=60)
        if done.returncode != 0 or not raw.exists():
            raise PromptError(f"espeak-ng failed for {target_stem.name}: {done.stderr.strip()}")
        wav = target_stem.with_suffix(".wav")
        ulaw = target_stem.with_suffix(".ulaw")
        for out, kind in (
            (wav, ["-t", "wav", "-e", "signed-integer", "-b", "16"]),
            (ulaw, ["-t", "ul"]),
        ):
            converted = subprocess.run(
                [sox, str(raw), "-r", "8000", "-c", "1", *kind, str(out), "norm", "-3"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            if converted.returncode != 0:
                raise PromptError(f"sox failed for {out.name}: {converted.stderr.strip()}")
    return [wav, ulaw]


def kept_core_sounds(outdir: Path, texts: Mapping[str, Mapping[str, str]]) -> list[str]:
    """The English core sounds already installed under `outdir`: Asterisk's own voice,
    which the default set does not replace."""
    return [
        sound
        for sound in texts.get("en", {})
        if not sound.startswith("custom/") and found(outdir, "en", sound) is not None
    ]


def generate(outdir: Path, plan: IvrPlan, texts: Mapping[str, Mapping[str, str]]) -> list[Path]:
    keep = set(kept_core_sounds(outdir, texts))
    written: list[Path] = []
    for language, spoken in texts.items():
        for sound, text in spoken.items():
            if language == "en" and sound in keep:
                continue
            written += speak(text, language, outdir / language / sound)
    return written
