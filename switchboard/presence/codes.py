"""Calendar codes: the Nordic habit of a code at the start of a subject. Pure.

"MØT: styremøte" takes the person out of the queue whatever the event is shown as; ";lunsj"
is information only and never does. Read inside each calendar reader, where the subject
is; what leaves the reader is the code's effect on the event, never the subject itself.

Precedence (docs/craft.md): a cancelled event is gone; an all-day event never counts,
code or not (the house rule: clock times take you out); otherwise a code wins over
show-as (a busy code makes a free or TRANSPARENT event busy, an information code makes a
busy one information only); without a code show-as decides, as always.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from switchboard.presence.calendar import ShowAs


class Code(StrEnum):
    BUSY = "busy"  # out of the queue, whatever the event is shown as
    INFO = "info"  # information only: never out of the queue


def _fold(text: str) -> str:
    # Outlook and phones write the same letters in different normal forms and cases.
    return unicodedata.normalize("NFC", text).casefold()


@dataclass(frozen=True, slots=True)
class SubjectCodes:
    """The prefixes that mean a code; none at all (the default) turns codes off."""

    busy: tuple[str, ...] = ()
    info: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for prefix in (*self.busy, *self.info):
            if not prefix.strip():
                raise ValueError("a calendar code prefix must not be empty")
        if overlap := {_fold(p) for p in self.busy} & {_fold(p) for p in self.info}:
            raise ValueError(f"prefix {sorted(overlap)[0]!r} is both a busy and an info code")

    @property
    def on(self) -> bool:
        return bool(self.busy or self.info)

    def read(self, subject: str) -> Code | None:
        """The code the subject starts with (leading blanks ignored), if any.

        The longest matching prefix wins, so "MØT" and "MØTE:" may both be configured.
        """
        if not self.on:
            return None
        head = _fold(subject.lstrip())
        found: tuple[int, Code] | None = None
        for code, prefixes in ((Code.BUSY, self.busy), (Code.INFO, self.info)):
            for prefix in prefixes:
                folded = _fold(prefix.strip())
                if head.startswith(folded) and (found is None or len(folded) > found[0]):
                    found = (len(folded), code)
        return found[1] if found else None

    def describe(self) -> str:
        """One line for check-config."""
        if not self.on:
            return "calendar codes: off (show-as alone decides)"
        busy = ", ".join(repr(p) for p in self.busy) or "none"
        info = ", ".join(repr(p) for p in self.info) or "none"
        return (
            f"calendar codes: subjects starting {busy} take people out of the queue; "
            f"{info} is information only (codes win over show-as; all-day events never count)"
        )


NO_CODES = SubjectCodes()


def coded(show_as: ShowAs, code: Code | None) -> tuple[ShowAs, bool]:
    """(show-as, information only) of an event once its code is read."""
    if code is Code.BUSY:
        return ShowAs.BUSY, False
    return show_as, code is Code.INFO
