"""Ratings by loop and week (never a number), recordings kept keep_days and shown to the
access role only."""

from __future__ import annotations

import os
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from switchboard.ami.events import IvrStep
from switchboard.quality import recordings as rec
from switchboard.quality.ratings import RatingStore, consent_of, export_csv, iso_week, score_of
from tests.support.screen import PASSWORDS, screen_engine

OSLO = ZoneInfo("Europe/Oslo")


def step(name: str, digit: str, loop: str = "loop1") -> IvrStep:
    return IvrStep("Local/s@sb-ivr-1;2", "1.1", "1.1", "+4790595313-111", name, digit, loop)


def test_ratings_are_counted_by_loop_and_week_and_export_holds_no_number(tmp_path: Path) -> None:
    store = RatingStore(tmp_path / "ratings.db")
    monday = datetime(2026, 11, 23, 10, tzinfo=OSLO)
    for digit in ("5", "4", "5", "9", ""):
        if (rated := score_of(step("rating", digit), 5)) is not None:
            store.add(*rated, monday)
    for digit in ("1", ""):
        answer = consent_of(step("consent", digit))
        assert answer is not None
        store.add_consent(*answer, monday)
    assert iso_week(monday) == "2026-W48"
    assert store.weekly() == [("loop1", "2026-W48", 3, 4.67)]
    assert store.consents() == [("loop1", "2026-W48", 1, 1)]
    csv = export_csv(store, 5)
    assert csv.splitlines() == [
        "loop,week,answers,mean,score_1,score_2,score_3,score_4,score_5",
        "loop1,2026-W48,3,4.67,0,0,0,1,2",
    ]
    assert "9059" not in csv
    assert "9059" not in (tmp_path / "ratings.db").read_bytes().decode("latin-1")


def test_recordings_older_than_keep_days_are_deleted(tmp_path: Path) -> None:
    old = tmp_path / "loop1-20261001-101500-1760000000.12.wav"
    new = tmp_path / "loop1-20261123-101500-1763890000.40.wav"
    other = tmp_path / "notes.txt"  # not ours: never touched
    for path in (old, new, other):
        path.write_bytes(b"RIFF")
    now = time.time()  # every age set from it: the file system's own clock may differ
    os.utime(old, (now - 40 * 86400, now - 40 * 86400))
    os.utime(new, (now - 1 * 86400, now - 1 * 86400))
    os.utime(other, (now - 40 * 86400, now - 40 * 86400))
    assert rec.prune(tmp_path, 30, now) == [old.name]
    assert [r.name for r in rec.recordings(tmp_path)] == [new.name]
    assert other.exists()
    assert rec.path_of(tmp_path, "../etc/passwd") is None
    assert rec.path_of(tmp_path, "notes.txt") is None


async def test_only_the_access_role_lists_and_fetches_recordings(tmp_path: Path) -> None:
    name = "loop1-20261123-101500-1763890000.40.wav"
    (tmp_path / name).write_bytes(b"RIFF-recording")
    async with screen_engine(ring_s=3.0) as rig:
        assert rig.engine.desk is not None
        rig.engine.desk.recordings = (tmp_path, "supervisor")  # bjorn holds the role
        async with (
            httpx.AsyncClient(base_url=rig.base) as anne,
            httpx.AsyncClient(base_url=rig.base) as bjorn,
        ):
            for http, agent in ((anne, "anne"), (bjorn, "bjorn")):
                login = {"agent": agent, "password": PASSWORDS[agent]}
                assert (await http.post("/api/screen/login", json=login)).status_code == 200
            assert (await anne.get("/api/screen/recordings")).status_code == 403
            assert (await anne.get(f"/api/screen/recordings/{name}")).status_code == 403
            listed = (await bjorn.get("/api/screen/recordings")).json()["recordings"]
            assert [r["name"] for r in listed] == [name]
            fetched = await bjorn.get(f"/api/screen/recordings/{name}")
            assert fetched.content == b"RIFF-recording"
            assert (await bjorn.get("/api/screen/recordings/x.wav")).status_code == 403
