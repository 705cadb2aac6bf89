"""Mail to a department inbox, in the structured form of seed 000: one question per mail,
the subject `[surname] [first name] [number] [subject + action]`.

Seed 000 puts a national id in the subject; we never do. The number in the subject is
the member number, and a subject that would still carry eleven digits in a row (a
fødselsnummer typed into a name or note) is refused rather than sent.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from zoneinfo import ZoneInfo

DEFAULT_SUBJECT = "{surname} {first_name} {member_number} {topic} + {action}"
PLACEHOLDERS = frozenset(
    {"surname", "first_name", "member_number", "topic", "action", "ref", "due"}
)
_NATIONAL_ID = re.compile(r"\d{11}")


class MailError(ValueError):
    """A message that must not be sent as it is."""


def template_problem(template: str) -> str:
    """Why a subject template cannot be used ("" when it can)."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        return f"the subject template does not parse: {exc}"
    unknown = names - PLACEHOLDERS
    if unknown:
        return (
            f"unknown placeholder(s) {', '.join(sorted(unknown))}: use "
            + ", ".join(sorted(PLACEHOLDERS))
            + " (a national id never goes into a subject)"
        )
    return ""


@dataclass(frozen=True, slots=True)
class InquiryMail:
    """What a department is told; plain data, nothing personal beyond what it needs."""

    ref: str
    inbox: str
    topic: str  # the topic's title
    action: str
    member_name: str  # "" when the inquiry is about the caller, not a known member
    member_number: str
    due: datetime
    registered_by: str  # the agent's name
    registered_at: datetime
    contact: str  # who calls whom, as agreed with the caller
    note: str
    callback_number: str = ""  # the number to reach the caller on, if we contact them
    heading: str = ""  # e.g. "Escalated: not answered by Fagavdeling in time"


def split_name(full: str) -> tuple[str, str]:
    """(surname, first name) from "Kari Nordmann" (the last word is the surname)."""
    parts = full.split()
    if not parts:
        return "", ""
    if len(parts) == 1:
        return parts[0], ""
    return parts[-1], " ".join(parts[:-1])


def subject(template: str, mail: InquiryMail, zone: ZoneInfo) -> str:
    surname, first = split_name(mail.member_name)
    text = template.format(
        surname=surname or "-",
        first_name=first or "-",
        member_number=mail.member_number or "-",
        topic=mail.topic,
        action=mail.action,
        ref=mail.ref,
        due=f"{mail.due.astimezone(zone):%d.%m.%Y}",
    )
    text = " ".join(text.split())  # no header folding tricks, no empty slots
    if _NATIONAL_ID.search(text.replace(" ", "")):
        raise MailError("the subject would carry eleven digits in a row (a national id?)")
    return f"{mail.heading}: {text}" if mail.heading else text


def message(
    template: str, mail: InquiryMail, sender: str, zone: ZoneInfo, language: str = "no"
) -> EmailMessage:
    """The whole mail: subject from the template, the structured form in the body."""
    labels = _LABELS[language if language in _LABELS else "en"]
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = mail.inbox
    msg["Subject"] = subject(template, mail, zone)
    msg["X-Switchboard-Reference"] = mail.ref
    rows = [
        (labels["ref"], mail.ref),
        (labels["topic"], f"{mail.topic} + {mail.action}"),
        (
            labels["member"],
            f"{mail.member_name} ({mail.member_number})" if mail.member_name else "-",
        ),
        (labels["due"], f"{mail.due.astimezone(zone):%d.%m.%Y %H:%M}"),
        (
            labels["by"],
            f"{mail.registered_by}, {mail.registered_at.astimezone(zone):%d.%m.%Y %H:%M}",
        ),
        (labels["contact"], mail.contact),
    ]
    if mail.callback_number:
        rows.append((labels["number"], mail.callback_number))
    body = [mail.heading, ""] if mail.heading else []
    body += [f"{k}: {v}" for k, v in rows]
    body += ["", mail.note or "-", "", labels["footer"]]
    msg.set_content("\n".join(body) + "\n")
    if _NATIONAL_ID.search(msg.get_content().replace(" ", "")):
        raise MailError("the mail would carry eleven digits in a row (a national id?)")
    return msg


_LABELS = {
    "no": {
        "ref": "Referanse",
        "topic": "Emne",
        "member": "Medlem",
        "due": "Frist",
        "by": "Registrert av",
        "contact": "Avtale",
        "number": "Nås på",
        "footer": "Én henvendelse per e-post. Svar ikke på denne e-posten: lukk den på "
        "sentralbordets skjerm med referansen.",
    },
    "en": {
        "ref": "Reference",
        "topic": "Topic",
        "member": "Member",
        "due": "Due",
        "by": "Registered by",
        "contact": "Agreed",
        "number": "Reach them on",
        "footer": "One inquiry per mail. Do not reply to this mail: close it on the "
        "switchboard screen by its reference.",
    },
}
