"""One pool of calendar readers for the presence tests (starting workers costs ~0.1 s each)."""

from collections.abc import Iterator

import pytest

from switchboard.presence.parse_pool import ParsePool


@pytest.fixture(scope="session")
def pool() -> Iterator[ParsePool]:
    readers = ParsePool(workers=2, deadline_s=10)
    yield readers
    readers.close()
