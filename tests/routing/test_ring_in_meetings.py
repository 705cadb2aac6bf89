"""No dead loop, the opt-in way: when nobody else in a loop can answer, members who said
"ring me in meetings if nobody else can" are offered its calls, and only then."""

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from switchboard.ami.client import AmiClient
from switchboard.cli import service_lines
from switchboard.config import parse_config
from switchboard.presence.busy import BusyInterval
from switchboard.presence.source import InMemoryPresence
from switchboard.routing.policy import ManualStatus, PauseReason, desired_members
from switchboard.routing.reconciler import UnpauseMember
from switchboard.routing.router import Router
from switchboard.screen.meeting_notes import opted_in_notes
from tests.routing.builders import BJORN, CARI, ROSTER, at, meeting
from tests.support.engine import running
from tests.support.sim import settings_for, simulator
from tests.support.waiting import eventually

OSLO = ZoneInfo("Europe/Oslo")
BOTH = {"bjorn": (meeting("10:00", "11:00"),), "cari": (meeting("10:00", "12:00"),)}


def loop2(busy: object, manual: object = None, **kw: object) -> dict[str, object]:
    desired = desired_members(
        ROSTER,
        manual or {},  # type: ignore[arg-type]
        busy,  # type: ignore[arg-type]
        at("10:30"),
        opted_in={"cari"},
        ring_opted_in={"loop2"},
        **kw,  # type: ignore[arg-type]
    )
    return {a.id: desired[("loop2", a.interface)].pause for a in (BJORN, CARI)}


def test_everyone_in_meetings_rings_those_who_opted_in() -> None:
    assert loop2(BOTH) == {"bjorn": PauseReason.MEETING, "cari": None}


def test_only_while_nobody_else_in_the_loop_is_available() -> None:
    assert loop2({"cari": BOTH["cari"]}) == {"bjorn": None, "cari": PauseReason.MEETING}
    # Bjørn at lunch cannot answer either: nobody else can, so Cari (opted in) is rung.
    lunch = loop2({"cari": BOTH["cari"]}, {"bjorn": ManualStatus.LUNCH})
    assert lunch == {"bjorn": PauseReason.LUNCH, "cari": None}


def test_other_loops_and_agents_who_did_not_opt_in_stay_paused() -> None:
    plain = desired_members(ROSTER, {}, BOTH, at("10:30"), opted_in={"cari"})
    assert plain[("loop2", CARI.interface)].pause is PauseReason.MEETING
    nobody = desired_members(ROSTER, {}, BOTH, at("10:30"), ring_opted_in={"loop2"})
    assert nobody[("loop2", CARI.interface)].pause is PauseReason.MEETING


def test_deciding_one_member_decides_the_whole_loop_as_a_full_pass_would() -> None:
    kw = {"opted_in": {"cari"}, "ring_opted_in": {"loop2"}}
    full = desired_members(ROSTER, {}, BOTH, at("10:30"), **kw)  # type: ignore[arg-type]
    part = desired_members(ROSTER, {}, BOTH, at("10:30"), agents={"bjorn"}, **kw)  # type: ignore[arg-type]
    assert part[("loop2", CARI.interface)] == full[("loop2", CARI.interface)]
    assert UnpauseMember(full[("loop2", CARI.interface)]).why == (
        "unpause Cari Dahl in loop2: in a meeting, but opted in to take calls when nobody else "
        "in the loop can"
    )


def test_config_and_check_config_name_the_policy_and_who_opted_in() -> None:
    text = """
ami: {username: r, secret_env: S}
default_loop: loop1
loops:
  - {id: loop1, queue: loop1, title: Invoices, digit: "1", suffix: "-111", agents: [a, b],
     when_all_in_meetings: ring_opted_in}
agents:
  - {id: a, name: A, interface: PJSIP/201, ring_in_meetings: true}
  - {id: b, name: B, interface: PJSIP/202}
"""
    settings = parse_config(text, "x.yaml")
    assert settings.ring_in_meetings == frozenset({"a"})
    lines = service_lines(settings)
    assert "all in meetings: ring_opted_in" in lines[0]
    assert "ring in meetings if nobody else can (loop1): opted in a" in lines


async def test_on_the_simulator_the_opted_in_take_calls_until_someone_else_is_back() -> None:
    settings = parse_config(
        """
ami: {username: router, secret_env: S}
default_loop: loop2
loops:
  - {id: loop2, queue: loop2, title: Pay, digit: "2", suffix: "-112", agents: [bjorn, cari],
     when_all_in_meetings: ring_opted_in, unstaffed_after_s: null}
agents:
  - {id: bjorn, name: Bjørn Berg, interface: PJSIP/202}
  - {id: cari, name: Cari Dahl, interface: PJSIP/203, ring_in_meetings: true}
""",
        "x.yaml",
    )
    now = datetime.now(UTC)
    bjorn_back = now + timedelta(seconds=3)
    presence = InMemoryPresence(
        {
            "bjorn": [BusyInterval(now - timedelta(minutes=5), bjorn_back)],
            "cari": [BusyInterval(now - timedelta(minutes=5), now + timedelta(hours=1))],
        }
    )
    async with simulator(ring_s=0.1) as sim:
        router = Router(settings.roster, presence, lambda: datetime.now(UTC), ivr=settings.ivr)
        router.start_with({}, settings.ring_in_meetings)
        client = AmiClient(settings_for(sim), router.on_event, router.on_connected)
        pbx = sim.pbx
        async with running(router, client):
            members = pbx.queues["loop2"].members
            await eventually(lambda: {"PJSIP/202", "PJSIP/203"} <= set(members))
            await eventually(
                lambda: members["PJSIP/202"].paused and not members["PJSIP/203"].paused
            )
            assert members["PJSIP/202"].paused_reason == "switchboard:meeting"
            # The board says so: everyone in meetings, and who takes the calls meanwhile.
            notes = opted_in_notes(
                settings.roster, router.state, presence.busy_intervals(), datetime.now(UTC),
                OSLO, router.opted_in, router.ring_opted_in,
            )  # fmt: skip
            assert len(notes) == 1
            assert notes[0].startswith("Pay: everyone in meetings until ")
            assert notes[0].endswith("; Cari Dahl takes calls meanwhile")
            caller = pbx.new_caller("4790000001", "Kari")
            call = asyncio.create_task(
                pbx.queue_call(caller, "loop2", "s", patience_s=5, talk_s=0.2)
            )
            assert await call == "answered"
            # Bjørn's meeting ends: someone else can answer, so Cari's meeting pauses her again.
            await eventually(lambda: not members["PJSIP/202"].paused, within=6)
            await eventually(lambda: members["PJSIP/203"].paused, within=3)
            assert members["PJSIP/203"].paused_reason == "switchboard:meeting"
            # She turns it off on her screen: nothing changes while Bjørn is free, and she is
            # left paused when he is not.
            router.set_ring_in_meetings("cari", False)
            assert "cari" not in router.opted_in
