"""Forged dialplan events: an AMI event is input, not truth.

The attack run: a `SwitchboardCallback` UserEvent carrying a 5,000-digit number became a
visible callback row. Now every field must have the shape our dialplan gives it, loops must
be the plan's, and the AstDB entry behind a callback is held to the same shapes.
"""

from __future__ import annotations

import asyncio

import pytest

from switchboard.ami.events import CallbackRequested, IvrStep, RawEvent, decode_event
from switchboard.config import parse_config
from switchboard.ivr.forged import forged_problem
from switchboard.ivr.plan import IvrPlan
from switchboard.promises.callbacks import CallbackParseError, from_astdb
from tests.support.screen import CONFIG, screen_engine
from tests.support.waiting import eventually

CHANNEL = {
    "Event": "UserEvent",
    "Channel": "PJSIP/trunk-00000001",
    "CallerIDNum": "4790595313",
    "Language": "no",
    "Uniqueid": "1733051234.42",
    "Linkedid": "1733051234.42",
}
CALLBACK = {**CHANNEL, "UserEvent": "SwitchboardCallback", "Ref": "482913", "Loop": "loop1",
            "Number": "+4790595313"}  # fmt: skip
_PLAN = parse_config(CONFIG, "screen.yaml").ivr
assert _PLAN is not None
PLAN: IvrPlan = _PLAN
STEP = {**CHANNEL, "UserEvent": "SwitchboardIvr", "Step": "choice", "Digit": "1", "Loop": "loop1"}


def test_the_dialplan_s_own_events_decode() -> None:
    assert isinstance(decode_event(CALLBACK), CallbackRequested)
    assert isinstance(decode_event(STEP), IvrStep)
    closed = {**CALLBACK, "Loop": ""}  # asked for while closed: no loop
    assert isinstance(decode_event(closed), CallbackRequested)
    named = {**STEP, "Uniqueid": "pbx1-1733051234.42", "Language": "nb_NO"}  # systemname set
    assert isinstance(decode_event(named), IvrStep)


@pytest.mark.parametrize(
    ("forged", "problem"),
    [
        ({**CALLBACK, "Number": "5" * 5000}, "SwitchboardCallback has a malformed Number"),
        ({**CALLBACK, "Number": "12345"}, "SwitchboardCallback has a malformed Number"),
        ({**CALLBACK, "Number": "+47 905; DROP"}, "SwitchboardCallback has a malformed Number"),
        ({**CALLBACK, "Ref": "1" * 300}, "SwitchboardCallback has a malformed Ref"),
        ({**CALLBACK, "Ref": "../../x"}, "SwitchboardCallback has a malformed Ref"),
        ({**CALLBACK, "Loop": "<script>"}, "SwitchboardCallback has a malformed Loop"),
        ({**CALLBACK, "Uniqueid": "x" * 1000}, "SwitchboardCallback has a malformed Uniqueid"),
        ({**STEP, "Step": "transfer-to-ceo"}, "SwitchboardIvr has an unknown Step"),
        ({**STEP, "Loop": "L" * 70}, "SwitchboardIvr has a malformed Loop"),
        ({**STEP, "Digit": "9" * 500}, "SwitchboardIvr has a malformed Digit"),
        ({**STEP, "To": "loop 9"}, "SwitchboardIvr has a malformed To"),
    ],
)  # fmt: skip
def test_fields_out_of_shape_are_refused_without_quoting_them(
    forged: dict[str, str], problem: str
) -> None:
    event = decode_event(forged)
    assert isinstance(event, RawEvent)
    assert event.error == problem


def test_events_naming_loops_the_plan_lacks_are_forged() -> None:
    ok = decode_event(CALLBACK)
    assert forged_problem(ok, PLAN) is None
    nowhere = decode_event({**CALLBACK, "Loop": "nowhere"})
    assert forged_problem(nowhere, PLAN) == (
        "SwitchboardCallback names a loop the plan does not have"
    )
    overflow = decode_event({**STEP, "Step": "overflow", "To": "loop77"})
    assert forged_problem(overflow, PLAN) == (
        "SwitchboardIvr overflows to a loop the plan does not have"
    )
    assert (
        forged_problem(decode_event({**STEP, "Step": "overflow", "To": "callback"}), PLAN) is None
    )


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("/sb-callback/482913", "5" * 5000 + "|loop1|1733051234|1.7", "no valid phone number"),
        ("/sb-callback/482913", "+4790595313|nowhere|1733051234|1.7", "a loop the plan does not"),
        ("/sb-callback/482913", "+4790595313|loop1|99999999999999|1.7", "no valid request time"),
        ("/sb-callback/482913", "+4790595313|loop1|1733051234|" + "9" * 500, "no valid call id"),
        ("/sb-callback/" + "4" * 5000, "+4790595313|loop1|1733051234|1.7", "is not number|loop"),
    ],
)
def test_a_forged_astdb_entry_is_refused(key: str, value: str, problem: str) -> None:
    with pytest.raises(CallbackParseError, match=problem.replace("|", r"\|")) as refused:
        from_astdb(key, value, PLAN.hours, 2, PLAN.routes)
    assert "5555555555" not in str(refused.value)
    assert len(str(refused.value)) < 120


async def test_a_forged_callback_over_ami_never_becomes_a_visible_row() -> None:
    async with screen_engine() as rig:
        engine, sim = rig.engine, rig.sim
        epoch = 1733051234
        # What the attack run did: a 5,000-digit number, in AstDB and in the UserEvent.
        sim.pbx.astdb["/sb-callback/482913"] = f"{'5' * 5000}|loop1|{epoch}|1733051234.42"
        sim.pbx.astdb["/sb-callback/482914"] = f"+4790595313|nowhere|{epoch}|1733051234.43"
        forged = [
            {**CALLBACK, "Number": "5" * 5000},
            {**CALLBACK, "Ref": "482914", "Loop": "nowhere"},
            {**STEP, "Loop": "made-up-loop"},
            {**CALLBACK},  # well-shaped: it makes the engine read AstDB (and refuse both entries)
        ]
        before = engine.client.event_counts()
        for fields in forged:
            sim.broadcast("".join(f"{k}: {v}\r\n" for k, v in fields.items()).encode() + b"\r\n")
        await eventually(lambda: engine.forged_events == 2, 5)
        await eventually(lambda: engine.intake is not None and not engine.intake.due, 5)
        await asyncio.sleep(0.3)
        assert engine.client.event_counts()["undecodable"] - before["undecodable"] == 1
        assert await rig.callbacks.pending() == []
        assert ("choice", "made-up-loop") not in engine.router.calls.steps
