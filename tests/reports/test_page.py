"""The engine reads queue_log on and serves /reports and /reports.csv to an agent with the
reports role only; the figures on the page and in the CSV are the hand count."""

from __future__ import annotations

import csv
import dataclasses
import io
import shutil
from pathlib import Path

import httpx

from switchboard.reports import store
from tests.reports.test_hand_count import RECORDED
from tests.support.screen import PASSWORDS, screen_engine


async def login(http: httpx.AsyncClient, agent: str) -> None:
    r = await http.post(
        "/api/screen/login",
        json={"agent": agent, "password": PASSWORDS[agent]},
        headers={"Origin": str(http.base_url).rstrip("/")},
    )
    assert r.status_code == 200, r.text


async def test_the_reports_page_and_csv_show_the_hand_count_to_the_reports_role(
    tmp_path: Path,
) -> None:
    log = tmp_path / "queue_log"
    shutil.copy(RECORDED, log)
    extra = (
        f"reports: {{database: 'sqlite:///{tmp_path / 'reports.db'}', queue_log: '{log}', "
        "role: reports}\n"
    )
    async with screen_engine(ring_s=1.0, extra=extra) as rig:
        engine = rig.engine
        assert engine.reports is not None
        await engine.reports.read_on()  # the engine's own pass may have read it already
        assert len(store.lines(engine.reports.engine)) == 39
        # The router tells the reports whom it moved out of a queue (queue_log: ABANDON).
        assert engine.router.has_ivr
        roster = engine.settings.roster
        anne = dataclasses.replace(roster.agents["anne"], roles=frozenset({"reports"}))
        engine.settings = dataclasses.replace(
            engine.settings,
            roster=dataclasses.replace(roster, agents={**roster.agents, "anne": anne}),
        )
        async with httpx.AsyncClient(base_url=rig.base) as nobody:
            assert (await nobody.get("/reports")).status_code == 403
        async with httpx.AsyncClient(base_url=rig.base) as bjorn:
            await login(bjorn, "bjorn")
            assert (await bjorn.get("/reports.csv")).status_code == 403  # no reports role
        async with httpx.AsyncClient(base_url=rig.base) as http:
            await login(http, "anne")
            page = await http.get("/reports?period=day&end=2026-11-22&lang=no")
            assert page.status_code == 200
            assert "Samtaler per sløyfe" in page.text
            assert "<svg" in page.text
            # loop ids from the roster: queue loop1 is loop1, loop2 is loop2 in this config
            assert "<td>2026-11-22</td><td>loop2</td><td>2</td><td>1</td><td>1</td><td>1</td>" in (
                page.text
            )
            assert (await http.get("/reports?period=year")).status_code == 400
            assert (await http.get("/reports?end=yesterday")).status_code == 400
            assert (await http.get("/reports?count=-1")).status_code == 400
            earlier = await http.get("/reports?period=day&end=2026-11-15&count=7&lang=no")
            assert "2026-11-22" not in earlier.text  # only the week asked for
            got = await http.get("/reports.csv?period=quarter&end=2026-11-22")
            assert got.headers["content-type"].startswith("text/csv")
            rows = list(csv.reader(io.StringIO(got.text)))
            by_loop = {r[1]: r[2:7] for r in rows[1:] if len(r) > 7}
            assert by_loop["loop1"] == ["2", "2", "2", "0", "0"]
            assert by_loop["loop2"] == ["2", "1", "1", "1", "0"]
            assert "+1555" not in got.text
