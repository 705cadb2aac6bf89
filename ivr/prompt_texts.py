"""What the craft's prompts say, in bokmål and English, for the default prompt set.

`switchboard prompts` (espeak-ng) speaks each text into `<lang>/<name>`: Asterisk looks a
prompt up under the channel's language first (sounds/no/...), then English. English
callers hear Asterisk's own core sounds for the position announcements, so those and the
numbers app_queue says with them (main/say.c, Norwegian: digits/N, hundred, thousand, and)
are given in bokmål only.
"""

from __future__ import annotations

from ivr.closure import message_prompt

Texts = dict[str, dict[str, str]]  # prompt name -> language -> text

CRAFT_PROMPTS: Texts = {
    "custom/sb-recording-consent": {
        "no": "Vi ønsker å ta opp samtalen for å evaluere og utvikle tjenesten vår. Opptaket "
        "behandles fortrolig. Trykk 1 hvis du samtykker. Ellers venter du bare.",
        "en": "We would like to record this call to evaluate and develop our service. The "
        "recording is kept confidential. Press 1 if you agree. Otherwise just hold.",
    },
    "custom/sb-rating-question": {
        "no": "Hvor fornøyd er du med samtalen? Trykk fra 1, lite fornøyd, til 5, svært fornøyd.",
        "en": "How satisfied are you with this call? Press 1, not satisfied, to 5, very satisfied.",
    },
    "custom/sb-rating-thanks": {"no": "Takk for svaret ditt.", "en": "Thank you for your answer."},
    "custom/sb-phone-paused": {
        "no": "Du er satt på pause i alle køene dine. Tast stjerne 46 for å komme tilbake.",
        "en": "You are paused in all your queues. Dial star 46 to come back.",
    },
    "custom/sb-phone-resumed": {
        "no": "Du er tilbake i køene dine.",
        "en": "You are back in your queues.",
    },
    "custom/sb-phone-unknown": {
        "no": "Denne telefonen er ikke med i noen kø.",
        "en": "This phone is not in any queue.",
    },
    "custom/sb-holiday-notice": {
        "no": "Vær oppmerksom på at vi holder stengt på den kommende helligdagen.",
        "en": "Please note that we are closed on the coming public holiday.",
    },
    message_prompt("event"): {
        "no": "Vi holder stengt i dag på grunn av et arrangement. Beklager ulempen.",
        "en": "We are closed today because of an event. We are sorry for the inconvenience.",
    },
    message_prompt("emergency"): {
        "no": "På grunn av en uforutsett hendelse kan vi ikke ta telefonen nå.",
        "en": "Because of an unforeseen event we cannot answer the phone right now.",
    },
}

# app_queue's position and wait announcements (apps/app_queue.c, say_position), bokmål.
POSITION_PROMPTS: Texts = {
    "queue-youarenext": {"no": "Du er nestemann i køen."},
    "queue-thereare": {"no": "Du er nummer"},
    "queue-callswaiting": {"no": "i køen."},
    "queue-holdtime": {"no": "Forventet ventetid er omtrent"},
    "queue-minute": {"no": "minutt"},
    "queue-minutes": {"no": "minutter"},
    "queue-seconds": {"no": "sekunder"},
    "queue-less-than": {"no": "mindre enn"},
    "queue-thankyou": {"no": "Takk for at du venter."},
    "queue-reporthold": {"no": "Ventetid"},
}
_NUMBERS = [
    "null",
    "en",
    "to",
    "tre",
    "fire",
    "fem",
    "seks",
    "sju",
    "åtte",
    "ni",
    "ti",
    "elleve",
    "tolv",
    "tretten",
    "fjorten",
    "femten",
    "seksten",
    "sytten",
    "atten",
    "nitten",
    "tjue",
]
_TENS = {30: "tretti", 40: "førti", 50: "femti", 60: "seksti", 70: "sytti", 80: "åtti", 90: "nitti"}
NUMBER_PROMPTS: Texts = {
    **{f"digits/{n}": {"no": word} for n, word in enumerate(_NUMBERS)},
    **{f"digits/{n}": {"no": word} for n, word in _TENS.items()},
    "digits/hundred": {"no": "hundre"},
    "digits/thousand": {"no": "tusen"},
    "digits/and": {"no": "og"},
}


def default_texts(messages: tuple[str, ...] = ("event", "emergency")) -> Texts:
    """Every text the craft adds to the default prompt set (a closure message per key)."""
    texts: Texts = {**CRAFT_PROMPTS, **POSITION_PROMPTS, **NUMBER_PROMPTS}
    for message in messages:
        texts.setdefault(
            message_prompt(message),
            {
                "no": "Vi kan dessverre ikke ta telefonen akkurat nå.",
                "en": "We are sorry, we cannot answer the phone right now.",
            },
        )
    return texts
