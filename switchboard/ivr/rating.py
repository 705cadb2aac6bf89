"""A satisfaction rating after the call (seeds 002 and 004 measure satisfaction).

When the agent hangs up, Queue(...,c) lets the caller continue in the dialplan: one
question, one key 1..scale. The score goes to the engine by loop and week only.
"""

from __future__ import annotations

from dataclasses import dataclass

RATING = "sb-rating"


@dataclass(frozen=True, slots=True)
class Rating:
    scale: int = 5  # keys 1..scale
    answer_timeout_s: int = 6
