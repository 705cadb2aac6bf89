"""The reports store under test: SQLite in a file and a real PostgreSQL server, the same code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from switchboard.reports import store
from tests.support.postgres_server import PostgresServer


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'reports.db'}"
    else:
        pg: PostgresServer = request.getfixturevalue("postgres_process")
        url = pg.url
    e = store.connect(url)
    try:
        if request.param == "postgresql":
            with e.begin() as c:  # one server for the session: every test starts empty
                c.exec_driver_sql("TRUNCATE queue_log, ingest_state, promise_outcome, moved_call")
        yield e
    finally:
        e.dispose()
