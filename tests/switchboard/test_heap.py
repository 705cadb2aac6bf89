"""Once the engine has logged everyone in, what start-up built is kept out of full collections."""

import gc

from switchboard import heap
from tests.support.screen import screen_engine
from tests.support.waiting import eventually


def test_settling_freezes_what_is_alive_and_leaves_later_objects_to_the_collector() -> None:
    try:
        kept = [object() for _ in range(1000)]
        assert heap.settle() >= len(kept)
        frozen = gc.get_freeze_count()
        later = [[i] for i in range(1000)]
        assert gc.get_freeze_count() == frozen  # made after: collected as ever
        assert later
    finally:
        gc.unfreeze()


async def test_the_engine_settles_its_heap_after_its_first_pass() -> None:
    gc.unfreeze()
    try:
        async with screen_engine() as rig:
            await eventually(lambda: gc.get_freeze_count() > 0, 10)
            assert rig.engine.router.passes > 0
    finally:
        gc.unfreeze()
