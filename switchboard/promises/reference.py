"""Inquiry references: eight digits a caller can key in, the last a check digit.

Callback references are six digits (the dialplan draws them), so the two never collide,
and a mistyped digit or two swapped digits is caught before anything is looked up.
"""

from __future__ import annotations

import random

LENGTH = 8


def luhn_digit(digits: str) -> str:
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return str((10 - total % 10) % 10)


def new_reference(rng: random.Random) -> str:
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(LENGTH - 2))
    return body + luhn_digit(body)


def is_inquiry_reference(text: str) -> bool:
    return len(text) == LENGTH and text.isdigit() and luhn_digit(text[:-1]) == text[-1]


def reference_problem(text: str) -> str:
    """Why `text` is no reference we could have given ("" when it could be one)."""
    text = text.strip()
    if not text.isdigit():
        return "a reference is digits only"
    if len(text) == 6:
        return ""  # a callback reference
    if len(text) != LENGTH:
        return f"a reference has 6 (callback) or {LENGTH} (inquiry) digits"
    if not is_inquiry_reference(text):
        return "that reference has a typing error (its check digit does not match)"
    return ""
