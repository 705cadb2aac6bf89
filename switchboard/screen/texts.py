"""The screen's words in Norwegian (bokmål): what the agent reads, translated at the edge.

The pure modules speak English (their tests read English); `localise_view` and `say` turn
their words into the configured language just before they reach the browser. A text with no
translation is shown as it is, so a new message is never lost, only untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from switchboard.screen.identity import INSTRUCTIONS, PLACEHOLDER_PROBLEM, Agreement, Method, Step

Json = dict[str, object]

EXACT: dict[str, str] = {
    INSTRUCTIONS[Step.SITUATION]: "Før noe om medlemskap, personopplysninger eller en sak: "
    "hvem ringer?",
    INSTRUCTIONS[Step.FNR_AND_MEMBER_NUMBER]: "Be om både fødselsnummer og medlemsnummer.",
    INSTRUCTIONS[Step.KID]: "Be innringer lese opp KID-nummeret på fakturaen.",
    INSTRUCTIONS[Step.NAME]: "Spør etter medlemmets navn. Stemmer det med navnet som vises?",
    INSTRUCTIONS[Step.FNR]: "Spør nå etter medlemmets fødselsnummer.",
    INSTRUCTIONS[Step.CONSENT]: "Vi må ha muntlig fullmakt fra medlemmet for å diskutere en sak "
    "med andre. Snakk med medlemmet: er det greit at innringer får kjennskap til medlemskap "
    "og sak?",
    INSTRUCTIONS[Step.MEMBER_ON_PHONE]: "Med medlemmet på telefonen: spør etter fødselsnummer og "
    "medlemsnummer (eller mobilnummer).",
    INSTRUCTIONS[Step.AGREEMENT]: "Avtal med innringer hvem som ringer hvem opp igjen.",
    Method.RECOGNISED.value: "gjenkjent av den som svarte",
    Method.FNR_AND_MEMBER_NUMBER.value: "fødselsnummer og medlemsnummer",
    Method.KID_NAME_FNR.value: "KID på faktura, navn og fødselsnummer",
    Method.ORAL_CONSENT.value: "muntlig fullmakt fra medlemmet",
    Agreement.CALLER_CALLS_BACK.value: "innringer ringer tilbake",
    Agreement.WE_CALL_MEMBER.value: "vi ringer medlemmet",
    Agreement.WE_CALL_CALLER.value: "vi ringer innringer opp igjen",
    "not verified: give no details": "ikke bekreftet: gi ingen opplysninger",
    "calls rang out unanswered (Auto-Pause)": "samtaler ringte ut ubesvart (Auto-Pause)",
    "Calls rang out unanswered, so you were paused (Auto-Pause): press Available when you "
    "are back (or *46 at your phone)": "Samtaler ringte ut ubesvart, så du ble satt på pause "
    "(Auto-Pause): trykk Tilgjengelig når du er tilbake (eller *46 på telefonen)",
    "no member with that number: ask them to read it again": "ingen medlem med det nummeret: "
    "be dem lese det opp igjen",
    "the fødselsnummer is not that member's": "fødselsnummeret tilhører ikke det medlemmet",
    "the name does not match the invoice's member": "navnet stemmer ikke med medlemmet på "
    "fakturaen",
    "the fødselsnummer is not the invoice's member's": "fødselsnummeret tilhører ikke medlemmet "
    "på fakturaen",
    PLACEHOLDER_PROBLEM: "medlemmet ligger inne med juksenummer, så det er ingenting å sjekke "
    "mot: lagre riktig fødselsnummer på medlemmet (sjekket mot papirene), og sjekk så",
    "type the 11 digits": "tast de 11 sifrene",
    "only digits, please: a fødselsnummer is 11 digits": "bare sifre: et fødselsnummer har 11 "
    "sifre",
    "a synthetic test number (month + 80), not a real person": "et syntetisk testnummer "
    "(måned + 80), ikke en virkelig person",
    "day and month both shifted: not a valid number": "både dag og måned er forskjøvet: ikke et "
    "gyldig nummer",
    "first check digit (10th) is wrong: ask again": "første kontrollsiffer (10.) er feil: spør "
    "igjen",
    "second check digit (11th) is wrong: ask again": "andre kontrollsiffer (11.) er feil: spør "
    "igjen",
    "type the KID from the invoice": "tast KID-nummeret fra fakturaen",
    "a KID is digits only (the last may be '-')": "et KID-nummer er bare sifre (det siste kan "
    "være '-')",
    "No e-mail on file: offer to add one.": "Ingen e-postadresse registrert: tilby å legge den "
    "inn.",
    "The magazine came back from this address: ask for the right address (saving it clears "
    "the mark).": "Bladet kom i retur fra denne adressen: spør etter riktig adresse (når den "
    "lagres, fjernes avhukingen for bladretur).",
    "The record has a placeholder personal number (e.g. 00100): ask for the real "
    "fødselsnummer.": "Medlemmet ligger inne med juksenummer (f.eks. 00100): spør etter riktig "
    "fødselsnummer.",
    "no number": "ingen",
    "unknown situation": "ukjent situasjon",
    "unknown agreement": "ukjent avtale",
    "the identity check is finished; start over to check again": "legitimeringen er ferdig; "
    "start på nytt for å sjekke igjen",
    "that call is not on your screen": "den samtalen er ikke på skjermen din",
    "that member is not on your call": "det medlemmet hører ikke til samtalen din",
    "that is not an e-mail address": "det er ikke en e-postadresse",
    "type the new value": "skriv inn ny verdi",
    "only a finished call's card can be closed": "bare en avsluttet samtale kan lukkes",
    "someone else has taken that callback": "en kollega har tatt denne tilbakeringingen",
    "someone else has just taken that callback": "en kollega tok nettopp denne tilbakeringingen",
    "take the callback before marking it done": "ta tilbakeringingen før du merker den som utført",
    "callbacks are not kept by this engine": "denne motoren holder ikke tilbakeringinger",
    "no such callback in your loops": "ingen slik tilbakeringing i dine sløyfer",
    "only the one who took a callback can hand it back": "bare den som tok tilbakeringingen "
    "kan gi den tilbake",
    "no such callback or inquiry in your loops": "ingen slik tilbakeringing eller henvendelse "
    "i dine sløyfer",
    "callbacks and inquiries are not kept by this engine": "denne motoren holder ikke "
    "tilbakeringinger og henvendelser",
    "someone else has taken that": "en kollega har tatt den",
    "it is done": "den er utført",
    "only the one who took it can hand it back": "bare den som tok den kan gi den tilbake",
    "someone changed it just now: look again": "en kollega endret den akkurat nå: se igjen",
    "say how it was answered (the outcome)": "skriv hvordan den ble besvart (utfallet)",
    "give the new date as YYYY-MM-DD": "skriv ny frist som ÅÅÅÅ-MM-DD",
    "give the reason the caller is told": "skriv grunnen innringer får høre",
    "the new date must be in the future": "ny frist må være fram i tid",
    "the new date must be later than the one promised": "ny frist må være senere enn den lovte",
    "agree with the caller who calls whom": "avtal med innringer hvem som ringer hvem",
    "pick a topic from the list": "velg et emne fra listen",
    "a reference is digits only": "en referanse er bare sifre",
    "that reference has a typing error (its check digit does not match)": "referansen har en "
    "skrivefeil (kontrollsifferet stemmer ikke)",
    "the request body is not JSON": "forespørselen er ikke JSON",
    "the request body must be a JSON object": "forespørselen må være et JSON-objekt",
    "not logged in (or the session expired)": "ikke innlogget (eller økten er utløpt)",
    "not logged in": "ikke innlogget",
    "missing or wrong request token: reload the page": "manglende eller feil nøkkel: last inn "
    "siden på nytt",
    "give agent and password": "oppgi bruker og passord",
    "the request body is not UTF-8 text": "forespørselen er ikke UTF-8-tekst",
    "send the request body as application/json": "send forespørselen som application/json",
    "the Content-Length header is not a number": "Content-Length er ikke et tall",
    "a request from another site cannot change anything here": "en forespørsel fra et annet "
    "nettsted kan ikke endre noe her",
    "the value holds a line break or control character": "verdien har et linjeskift eller "
    "kontrolltegn",
    "that phone number is not 8-15 digits": "telefonnummeret har ikke 8-15 sifre",
    "unknown agent or wrong password": "ukjent bruker eller feil passord",
    "by hand": "satt på telefonen",
    "lunch": "lunsj",
    "break": "pause",
    "follow-up": "oppfølging",
    "training": "opplæring",
}

# (pattern, Norwegian with {0}, {1}, ... for the groups; each group is translated in turn)
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), no)
    for p, no in (
        (r"^(.*); agreed: (.*)$", "{0}; avtalt: {1}"),
        (r"^verified: (.*)$", "bekreftet: {0}"),
        (r"^(.*); (\d+) tries, not verified$", "{0}; {1} forsøk, ikke bekreftet"),
        (r"^(.*) \(try (\d+) of (\d+)\)$", "{0} (forsøk {1} av {2})"),
        (r"^not expected now \(step: (.*)\)$", "ikke ventet nå (steg: {0})"),
        (r"^no member number (\d+) behind that KID$", "ingen medlemsnummer {0} bak den KID-en"),
        (r"^a fødselsnummer has 11 digits; this has (\d+)$", "et fødselsnummer har 11 sifre; "
         "dette har {0}"),
        (r"^(\d{6}) is not a date of birth$", "{0} er ikke en fødselsdato"),
        (r"^our KIDs have (\d+)-(\d+) digits; this has (\d+)$", "våre KID-numre har {0}-{1} "
         "sifre; dette har {2}"),
        (r"^the check digit does not fit \((.*)\): ask them to read again$", "kontrollsifferet "
         "stemmer ikke ({0}): be dem lese opp igjen"),
        (r"^Registered phone \((.*)\) differs from the calling number: ask which is right\.$",
         "Registrert telefon ({0}) er ikke nummeret det ringes fra: spør hvilket som er riktig."),
        (r"^member directory: (.*)$", "medlemsregisteret: {0}"),
        (r"^member directory unreachable: (.*)$", "får ikke kontakt med medlemsregisteret: {0}"),
        (r"^member directory answered (\d+) to (\w+)$", "medlemsregisteret svarte {0} på {1}"),
        (r"^outcome not recorded: (.*)$", "utfallet ble ikke lagret: {0}"),
        (r"^'(.*)' cannot be corrected here$", "'{0}' kan ikke rettes her"),
        (r"^status must be one of: (.*)$", "status må være en av: {0}"),
        (r"^callback store: (.*)$", "tilbakeringingslageret: {0}"),
        (r"^promise store: (.*)$", "lageret for løfter: {0}"),
        (r"^no promise with reference (\d+)$", "ingen tilbakeringing eller henvendelse med "
         "referanse {0}"),
        (r"^(\d+) is already done$", "{0} er allerede utført"),
        (r"^keep it under (\d+) characters \(it is (\d+)\)$", "hold det under {0} tegn "
         "(det er {1})"),
        (r"^give (\w+)$", "mangler {0}"),
        (r"^too many wrong passwords: wait (\d+) s$", "for mange feil passord: vent {0} s"),
        (r"^too many login attempts from your address: wait (\d+) s$", "for mange "
         "innloggingsforsøk fra din adresse: vent {0} s"),
        (r"^the request body is larger than (\d+) bytes$", "forespørselen er større enn {0} byte"),
        (r"^the request body nests deeper than (\d+) levels$", "forespørselen er nøstet dypere "
         "enn {0} nivåer"),
        (r"^(\w+) is longer than (\d+) characters$", "{0} er lengre enn {1} tegn"),
        (r"^a (.*) request cannot change anything here$", "en forespørsel ({0}) kan ikke endre "
         "noe her"),
        (r"^until (\d\d:\d\d)$", "til {0}"),
        (r"^meeting at (\d\d:\d\d)$", "møte kl. {0}"),
        (r"^back early from a meeting, until (\d\d:\d\d)$", "tilbake tidlig fra møte, til {0}"),
        (r"^by hand: (.*)$", "satt på telefonen: {0}"),
        (r"^all-day event on (\w+ \d\d \w+) is ignored: write it with clock times \(e\.g\. "
         r"08:00-15:30\) to be taken out of the queue$", "heldagsavtalen {0} teller ikke som "
         "opptatt: skriv den med klokkeslett (f.eks. 08:00-15:30) for å bli tatt ut av køen"),
        (r"^You are paused at your phone \((.*)\): unpause there to take queue calls again; "
         r"the screen never lifts a pause it did not make$", "Du har pause satt på telefonen "
         "({0}): opphev den der for å få kø-samtaler igjen; skjermen opphever aldri en pause "
         "den ikke satte selv"),
    )
]  # fmt: skip

WEEKDAYS = {
    "Mon": "man", "Tue": "tir", "Wed": "ons", "Thu": "tor", "Fri": "fre", "Sat": "lør",
    "Sun": "søn",
}  # fmt: skip
MONTHS = {
    "Jan": "jan", "Feb": "feb", "Mar": "mar", "Apr": "apr", "May": "mai", "Jun": "jun",
    "Jul": "jul", "Aug": "aug", "Sep": "sep", "Oct": "okt", "Nov": "nov", "Dec": "des",
}  # fmt: skip
_DATE = re.compile(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) (\d\d) (\w{3})\b")


def norwegian_date(text: str) -> str:
    """ "Mon 23 Nov" as "man 23. nov" wherever it occurs."""
    return _DATE.sub(lambda m: f"{WEEKDAYS[m[1]]} {m[2]}. {MONTHS.get(m[3], m[3])}", text)


def say(text: str, language: str) -> str:
    """`text` in `language` ("no" or "en"); untranslated text is returned as it is."""
    if language != "no" or not text:
        return text
    if text in EXACT:
        return EXACT[text]
    for pattern, template in PATTERNS:
        if match := pattern.match(text):
            return template.format(*(say(group, language) for group in match.groups()))
    return norwegian_date(text)


def localise_card(call: Json | None, language: str) -> Json | None:
    """A caller card's texts (instruction, problem, outcome, flags) in `language`."""
    if language != "no" or call is None:
        return call
    identity = dict(call["identity"])  # type: ignore[call-overload]
    for key in ("instruction", "problem", "outcome"):
        identity[key] = say(identity[key], language)
    members = [
        {**m, "flags": [{**f, "text": say(f["text"], language)} for f in m["flags"]]}
        for m in call["members"]  # type: ignore[attr-defined]
    ]
    return {
        **call,
        "identity": identity,
        "lookup_problem": say(str(call["lookup_problem"]), language),
        "members": members,
    }


def _calendar_no(text: object) -> str:
    """Calendar health in bokmål ("calendar read 10:31" -> "kalender lest 10:31")."""
    out = str(text or "")
    for english, norwegian in (
        ("calendar failing since", "kalenderen feiler siden"),
        ("last read", "sist lest"),
        ("never read", "aldri lest"),
        ("calendar not read yet", "kalenderen er ikke lest ennå"),
        ("calendar read", "kalender lest"),
    ):
        out = out.replace(english, norwegian)
    return out


def localise_view(view: Json, language: str) -> Json:
    """The rest of the agent's view in `language` (the card is localised on its own; codes
    such as presence and status stay as they are, the page labels them)."""
    if language != "no":
        return view
    tr: Callable[[object], object] = lambda v: say(v, language) if isinstance(v, str) else v  # noqa: E731
    me = dict(view["me"])  # type: ignore[call-overload]
    me["detail"] = tr(me.get("detail", ""))
    out: Json = {**view, "me": me, "language": language}
    out["hints"] = [tr(h) for h in view.get("hints", [])]  # type: ignore[attr-defined]
    out["loop_notes"] = [
        str(n)
        .replace(": everyone in meetings until ", ": alle i møter til ")
        .replace(": everyone in meetings", ": alle i møter")
        .replace(" takes calls meanwhile", " tar samtaler så lenge")
        .replace(" take calls meanwhile", " tar samtaler så lenge")
        for n in view.get("loop_notes", [])  # type: ignore[attr-defined]
    ]
    out["board"] = [
        {**row, "detail": tr(row["detail"]), "calendar": _calendar_no(row.get("calendar", ""))}
        for row in view["board"]  # type: ignore[attr-defined]
    ]
    me["calendar"] = _calendar_no(me.get("calendar", ""))
    for key in ("callbacks", "inquiries"):
        out[key] = [
            {
                **row,
                "asked": tr(row["asked"]),
                "due": tr(row["due"]),
                "called": tr(row.get("called", "")),
            }
            for row in view.get(key, [])  # type: ignore[attr-defined]
        ]
    return out
