"""What the craft's prompts say, in bokmål and English, for the default prompt set.

`switchboard prompts` (espeak-ng) speaks each text into `<lang>/<name>`: Asterisk looks a
prompt up under the channel's language first (sounds/no/...), then English. The position
and wait announcements and the numbers app_queue says with them (main/say.c) are given in
bokmål and English; English callers keep Asterisk's own core sounds where they are installed.
"""

from __future__ import annotations

from switchboard.ivr.closure import message_prompt

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

# app_queue's position and wait announcements (apps/app_queue.c, say_position): "You are
# number" 3 "in line", "The estimated wait is about" 4 "minutes". English only fills a gap:
# where Asterisk's own English core sounds are installed, `switchboard prompts` keeps them.
POSITION_PROMPTS: Texts = {
    "queue-youarenext": {"no": "Du er nestemann i køen.", "en": "You are next in line."},
    "queue-thereare": {"no": "Du er nummer", "en": "You are number"},
    "queue-callswaiting": {"no": "i køen.", "en": "in line."},
    "queue-quantity1": {"no": "Det er mer enn", "en": "There are more than"},
    "queue-quantity2": {"no": "som venter foran deg.", "en": "callers waiting ahead of you."},
    "queue-holdtime": {"no": "Forventet ventetid er omtrent", "en": "The estimated wait is about"},
    "queue-minute": {"no": "minutt", "en": "minute"},
    "queue-minutes": {"no": "minutter", "en": "minutes"},
    "queue-seconds": {"no": "sekunder", "en": "seconds"},
    "queue-less-than": {"no": "mindre enn", "en": "less than"},
    "queue-thankyou": {"no": "Takk for at du venter.", "en": "Thank you for waiting."},
    "queue-reporthold": {"no": "Ventetid", "en": "Hold time"},
}
_NUMBERS = {
    "no": ["null", "en", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti",
           "elleve", "tolv", "tretten", "fjorten", "femten", "seksten", "sytten", "atten",
           "nitten", "tjue"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
           "seventeen", "eighteen", "nineteen", "twenty"],
}  # fmt: skip
_TENS = {
    "no": {30: "tretti", 40: "førti", 50: "femti", 60: "seksti", 70: "sytti", 80: "åtti",
           90: "nitti"},
    "en": {30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty",
           90: "ninety"},
}  # fmt: skip
# What main/say.c plays for numbers: digits/N below 20, the tens, hundred, thousand; in
# Norwegian also "og" and, for a neuter one ("n" option, as the wait in minutes), "ett".
NUMBER_PROMPTS: Texts = {
    **{f"digits/{n}": {lang: words[n] for lang, words in _NUMBERS.items()} for n in range(21)},
    **{f"digits/{n}": {lang: _TENS[lang][n] for lang in _TENS} for n in _TENS["no"]},
    "digits/1N": {"no": "ett", "en": "one"},
    "digits/hundred": {"no": "hundre", "en": "hundred"},
    "digits/thousand": {"no": "tusen", "en": "thousand"},
    "digits/and": {"no": "og", "en": "and"},
}
NUMBER_SOUNDS = tuple(NUMBER_PROMPTS)


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
