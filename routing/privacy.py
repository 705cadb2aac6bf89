"""What of a caller may appear in logs: never the whole number, never the name."""

import re

_SUFFIX = re.compile(r"^(?P<number>.*?)(?P<suffix>-\d{3})$")


def masked_number(number: str) -> str:
    """Keep the last three digits (and the loop suffix) so a log line can be matched to a call."""
    suffix = ""
    if match := _SUFFIX.match(number):
        number, suffix = match.group("number"), match.group("suffix")
    digits = [c for c in number if c.isdigit()]
    if len(digits) < 4:
        return "caller" + suffix
    return "…" + "".join(digits[-3:]) + suffix
