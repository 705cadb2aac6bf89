"""AMI messages as the simulator writes them: field names and order copied from Asterisk 22.

The conformance test (tests/pbxsim/test_conformance.py) checks every event built here
against the recorded transcripts, so this file cannot drift from the real thing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Pairs = list[tuple[str, str]]


@dataclass(slots=True)
class SimChannel:
    """The caller's leg as the router sees it (the trunk channel on a real system)."""

    name: str
    uniqueid: str
    linkedid: str
    caller_num: str
    caller_name: str
    context: str = "ivr"
    exten: str = "s"
    priority: int = 1
    state: int = 6
    language: str = "en"

    def block(self, prefix: str = "") -> Pairs:
        state_desc = {0: "Down", 4: "Ring", 5: "Ringing", 6: "Up"}.get(self.state, "Unknown")
        return [
            (prefix + "Channel", self.name),
            (prefix + "ChannelState", str(self.state)),
            (prefix + "ChannelStateDesc", state_desc),
            (prefix + "CallerIDNum", self.caller_num),
            (prefix + "CallerIDName", self.caller_name),
            (prefix + "ConnectedLineNum", self.caller_num),
            (prefix + "ConnectedLineName", self.caller_name),
            (prefix + "Language", self.language),
            (prefix + "AccountCode", ""),
            (prefix + "Context", self.context),
            (prefix + "Exten", self.exten),
            (prefix + "Priority", str(self.priority)),
            (prefix + "Uniqueid", self.uniqueid),
            (prefix + "Linkedid", self.linkedid),
        ]


def message(pairs: Iterable[tuple[str, str]]) -> bytes:
    return ("".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode("utf-8")


def event(name: str, privilege: str, pairs: Iterable[tuple[str, str]]) -> bytes:
    return message([("Event", name), ("Privilege", privilege), *pairs])


def list_item(name: str, pairs: Iterable[tuple[str, str]], action_id: str) -> bytes:
    """QueueStatus/QueueSummary items: no Privilege, ActionID last."""
    return message([("Event", name), *pairs, ("ActionID", action_id)])


def response(action_id: str | None, status: str, pairs: Iterable[tuple[str, str]] = ()) -> bytes:
    head = [("Response", status)]
    if action_id is not None:
        head.append(("ActionID", action_id))
    return message([*head, *pairs])


def success(action_id: str | None, text: str) -> bytes:
    return response(action_id, "Success", [("Message", text)])


def error(action_id: str | None, text: str) -> bytes:
    return response(action_id, "Error", [("Message", text)])


def list_start(action_id: str | None, text: str) -> bytes:
    return response(action_id, "Success", [("EventList", "start"), ("Message", text)])


def list_complete(name: str, action_id: str, count: int) -> bytes:
    return message(
        [
            ("Event", name),
            ("ActionID", action_id),
            ("EventList", "Complete"),
            ("ListItems", str(count)),
        ]
    )
