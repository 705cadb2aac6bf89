"""A caller keys in a reference in the IVR and hears its status: the router keeps AstDB
sb-status/<ref> from the promise store, the generated dialplan reads it, and the simulator
plays the same steps as that dialplan."""

from __future__ import annotations

from datetime import timedelta

import pytest

from switchboard.config import ConfigError, parse_config
from switchboard.ivr.checker import check_dialplan
from switchboard.ivr.dialplan import render_dialplan
from switchboard.pbxsim.ivr import CallerScript, IvrPlayer
from switchboard.promises.callbacks import from_astdb
from switchboard.promises.keeper import NewInquiry, PromiseKeeper
from tests.support.screen import CONFIG, screen_engine
from tests.support.waiting import eventually

ALWAYS_OPEN = (
    'ivr: {status_digit: "8"}\n'
    "hours: {holidays: null, "
    + ", ".join(f'{d}: ["00:00-24:00"]' for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
    + "}\n"
)
CATALOGUE = """
promises:
  departments: [{id: pay, title: Lønn, inbox: lonn@example.org}]
  topics:
    - {id: wage, title: {no: Lønnskrav}, action: svar, department: pay, promise_working_days: 2}
"""


def test_the_generated_status_context_passes_the_checker_and_a_taken_key_is_refused() -> None:
    settings = parse_config(CONFIG + ALWAYS_OPEN, "status.yaml")
    assert settings.ivr is not None
    text = render_dialplan(settings.ivr)
    assert "exten => 8,1,Goto(sb-status,s,1)" in text
    assert "Read(SB_REF,custom/sb-status-enter,8,,1,10)" in text
    assert check_dialplan(text) == []
    with pytest.raises(ConfigError, match="digit 1 already leads to loop1"):
        parse_config(CONFIG + 'ivr: {status_digit: "1"}\n', "status.yaml")


async def test_a_caller_hears_the_status_of_an_inquiry_and_a_callback_by_reference() -> None:
    async with screen_engine(ring_s=1.0, extra=ALWAYS_OPEN + CATALOGUE) as rig:
        engine = rig.engine
        desk = engine.promises
        assert isinstance(desk, PromiseKeeper)
        settings = engine.settings
        assert settings.ivr is not None
        inquiry = await desk.register(
            NewInquiry("wage", "loop2", "bjorn", "Bjørn Berg", "c1", "41234567-112", "", "",
                       "", "caller-calls-back", "overtime not paid")
        )  # fmt: skip
        epoch = int(engine.clock().timestamp()) - 60
        await rig.callbacks.add(
            from_astdb(
                "/sb-callback/482913", f"+4741234567|loop2|{epoch}|1.7", settings.ivr.hours, 2
            )
        )
        await desk.take("482913", "bjorn")
        await desk.close("482913", "bjorn")
        due = f"{inquiry.due.astimezone(settings.ivr.hours.zone):%d%m}"
        astdb = rig.sim.pbx.astdb
        await eventually(
            lambda: (
                astdb.get(f"/sb-status/{inquiry.ref}") == f"open|{due}"
                and astdb.get("/sb-status/482913") == "done|"
            ),
            10,
        )
        assert "overtime" not in repr(astdb)  # nothing personal in AstDB

        player = IvrPlayer(rig.sim.pbx, settings.ivr, pace=0.05)
        p = settings.ivr.prompts
        typo = inquiry.ref[:-1] + str((int(inquiry.ref[-1]) + 1) % 10)
        heard = await player.call(
            "41234567", "Per", CallerScript(("8",), references=(typo, inquiry.ref))
        )
        assert heard.heard == [
            p.status_enter, p.status_unknown, p.status_enter, p.status_open, f"digits:{due}",
            p.goodbye,
        ]  # fmt: skip
        done = await player.call("41234567", "Per", CallerScript(("8",), references=("482913",)))
        assert done.heard == [p.status_enter, p.status_done, p.goodbye]

        # Three days later nobody has answered: the IVR says it is late.
        rig.clock_offset[0] = timedelta(days=3)
        await eventually(lambda: astdb.get(f"/sb-status/{inquiry.ref}") == f"overdue|{due}", 10)
        late = await player.call("41234567", "Per", CallerScript(("8",), references=(inquiry.ref,)))
        assert late.heard[1:3] == [p.status_overdue, f"digits:{due}"]
