"""The reports' schema: a new database gets every migration; one at the newest revision is
opened without Alembic; an older one (0002, as the previous release left it) is brought up
with its lines' numbers filled in."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, select

from switchboard.reports import store
from switchboard.reports.store import HEAD, MIGRATIONS
from switchboard.reports.tables import queue_log


def test_head_is_the_newest_migration_in_the_folder() -> None:
    revisions = [
        re.search(r'^revision = "(\d+)"', f.read_text(), re.M)
        for f in (MIGRATIONS / "versions").glob("*.py")
    ]
    assert max(m.group(1) for m in revisions if m) == HEAD


def test_a_database_of_the_previous_release_is_brought_up_with_its_numbers(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with sqlite3.connect(tmp_path / "old.db") as db:
        db.execute(
            "INSERT INTO queue_log (source, line_no, time, callid, queuename, agent, event, "
            "data1, data2, data3, data4, data5) VALUES "
            "('q', 1, 1764000000, 'c1', 'loop1', 'Anne', 'COMPLETECALLER', '12', '240', '1', "
            "'', ''), ('q', 2, 1764000001, 'c2', 'loop1', 'Anne', 'CONNECT', 'x1', '', '', '', '')"
        )
    engine.dispose()
    upgraded = store.connect(url)
    with upgraded.connect() as c:
        rows = c.execute(select(queue_log.c.n1, queue_log.c.n2).order_by(queue_log.c.line_no))
        assert [tuple(r) for r in rows] == [(12, 240), (0, 0)]
    assert store._revision(upgraded) == HEAD
