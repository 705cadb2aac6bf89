"""The simulator's queue_log says what Asterisk 22.10.1's said for the same recorded scenarios."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

from switchboard.pbxsim.pbx import AgentBehaviour, Pbx

RECORDED = Path(__file__).parents[1] / "data" / "ami-transcripts" / "queue_log.txt"
SCALE = 20.0  # simulated seconds per real second
EPOCH = 1795343552.0

# Every verb app_queue.c's ast_queue_log calls can write, with its data fields (the
# simulator writes a subset; a verb outside this table would be an invented one).
LAYOUT = {
    "QUEUESTART": 1,  # main/logger.c: "%s" with ""
    "ENTERQUEUE": 3,  # url|callerid|position (log_caller_id_name off)
    "CONNECT": 3,  # holdtime|bridged uniqueid|ringtime
    "COMPLETEAGENT": 3,  # holdtime|talktime|origposition
    "COMPLETECALLER": 3,
    "ABANDON": 3,  # position|origposition|waittime
    "EXITWITHTIMEOUT": 3,
    "EXITEMPTY": 3,
    "EXITWITHKEY": 4,  # key|position|origposition|waittime
    "RINGNOANSWER": 1,  # ring time in ms
    "RINGCANCELED": 1,
    "ADDMEMBER": 1,  # "PAUSED" or ""
    "REMOVEMEMBER": 1,
    "PAUSE": 1,
    "UNPAUSE": 1,
    "PAUSEALL": 1,
    "UNPAUSEALL": 1,
}


def recorded(first: int, last: int) -> list[str]:
    """Lines first..last (1-based) of the recorded log, without their epoch."""
    lines = RECORDED.read_text().splitlines()[first - 1 : last]
    return [line.split("|", 1)[1] for line in lines]


def written(path: Path) -> list[str]:
    return [line.split("|", 1)[1] for line in path.read_text().splitlines()]


def shape(line: str) -> str:
    """A line with uniqueids and counts made generic (the simulator's clock is not the lab's)."""
    line = re.sub(r"\b\d{10}\.\d+\b", "UID", line)
    return re.sub(r"(?<=\|)\d+(?=\||$)", "N", line)


def scaled() -> Callable[[], float]:
    t0 = time.monotonic()
    return lambda: EPOCH + (time.monotonic() - t0) * SCALE


def test_member_changes_are_logged_as_asterisk_logged_them(tmp_path: Path) -> None:
    """Scenario 02: QueueAdd, pauses in one queue and in all, QueueRemove (no QueuePenalty)."""
    log = tmp_path / "queue_log"
    pbx = Pbx({"loop2": "rrmemory"}, lambda _f: None, queue_log=log)
    iface = "Local/agent4@agents/n"
    pbx.add_member("loop2", iface, "Agent Four", "Custom:agent4", penalty=1)
    pbx.pause_member("loop2", iface, True, "Lunch break")
    pbx.pause_member("loop2", iface, False, "Back from lunch")
    pbx.pause_member(None, iface, True, "Team meeting")
    pbx.pause_member(None, iface, False, "")
    pbx.remove_member("loop2", iface)
    pbx.close()
    expected = [line for line in recorded(1, 13) if "|PENALTY|" not in line]
    expected = [expected[0], *expected[4:]]  # line 1 QUEUESTART, then scenario 02
    assert written(log) == expected


async def test_an_answered_call_and_an_abandoned_one_are_logged_as_asterisk_logged_them(
    tmp_path: Path,
) -> None:
    """Scenarios 01 (answered by Agent One, talk 4 s) and 03 (loop2 paused, gone after 8 s)."""
    log = tmp_path / "queue_log"
    clock = scaled()
    pbx = Pbx(
        {"loop1": "rrmemory", "loop2": "rrmemory"},
        lambda _f: None,
        behaviour=lambda _i: AgentBehaviour(ring_s=1 / SCALE),
        wall_clock=clock,
        queue_log=log,
    )
    # In the lab these two are queues.conf members: no ADDMEMBER line.
    pbx.add_member("loop1", "Local/agent1@agents/n", "Agent One", membership="static")
    pbx.add_member("loop2", "Local/agent2@agents/n", "Agent Two", membership="static")
    alice = pbx.new_caller("+15551230001", "Alice Example")
    answered = await pbx.queue_call(alice, "loop1", "1", patience_s=60, talk_s=4 / SCALE)
    pbx.pause_member("loop2", "Local/agent2@agents/n", True, "Not ready")
    bob = pbx.new_caller("+15551230002", "Bob Abandoner")
    gone = await pbx.queue_call(bob, "loop2", "2", patience_s=8 / SCALE, talk_s=1)
    pbx.pause_member("loop2", "Local/agent2@agents/n", False, "Ready")
    await asyncio.sleep(0)
    pbx.close()
    assert (answered, gone) == ("answered", "abandoned")
    expected = recorded(1, 4) + recorded(14, 17)
    assert [shape(line) for line in written(log)] == [shape(line) for line in expected]
    lines = [line.split("|") for line in written(log)]
    assert lines[1][4:] == ["", "+15551230001", "1"]
    assert lines[2][0] == alice.uniqueid != lines[2][5]  # the agent's leg, not the caller's
    talk, wait = int(lines[3][5]), int(lines[6][6])  # whole seconds of a scaled clock: +-1
    assert (abs(talk - 4) <= 1, abs(wait - 8) <= 1) == (True, True)


def test_every_verb_the_simulator_writes_is_app_queues_with_its_fields() -> None:
    """The recorded log itself fits the table the simulator is held to."""
    for line in RECORDED.read_text().splitlines():
        _, _, _, _, verb, *data = line.split("|")
        if verb != "PENALTY":
            assert LAYOUT[verb] == len(data), line
