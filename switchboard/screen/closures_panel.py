"""What the screen shows of the supervisor's switch (pure): every agent sees what is closed;
a supervisor also gets the scopes and messages to close with."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from switchboard.ivr.closure import WHOLE_LINE
from switchboard.supervision.closures import Closure

Json = dict[str, object]


def closures_json(closures: Mapping[str, Closure], titles: Mapping[str, str]) -> list[Json]:
    return [
        {
            "scope": scope,
            "title": "" if scope == WHOLE_LINE else titles.get(scope, scope),
            "message": c.message,
            "by": c.by,
        }
        for scope, c in sorted(closures.items())
    ]


def switch_json(titles: Mapping[str, str], messages: Sequence[str]) -> Json:
    """The supervisor's controls: the whole line first, then each loop."""
    return {
        "scopes": [{"scope": WHOLE_LINE, "title": ""}]
        + [{"scope": loop_id, "title": title} for loop_id, title in titles.items()],
        "messages": list(messages),
    }
