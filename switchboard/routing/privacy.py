"""What of a caller may appear in logs: never the whole number, never the name."""

from switchboard.ivr.caller_id import split_loop_suffix


def masked_number(number: str) -> str:
    """Keep the last three digits (and the loop suffix) so a log line can be matched to a call."""
    number, suffix = split_loop_suffix(number)
    digits = [c for c in number if c.isdigit()]
    if len(digits) < 4:
        return "caller" + suffix
    return "…" + "".join(digits[-3:]) + suffix
