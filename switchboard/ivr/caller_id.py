"""The caller id as our dialplan delivers it: the caller's own number and the loop suffix.

The dialplan appends the chosen loop's three digits (`90595313-111`) so that the agent's
phone shows where the call came from; everything that keys on the caller strips it again.
"""

from __future__ import annotations


def split_loop_suffix(number: str) -> tuple[str, str]:
    """A delivered caller number as (own number, loop suffix): 90595313-111 → (90595313, -111).

    Only the one dash the dialplan adds counts: a number written 905-95-313 keeps its own.
    """
    head, dash, tail = number.rpartition("-")
    if dash and len(tail) == 3 and tail.isdigit() and "-" not in head:
        return head, dash + tail
    return number, ""
