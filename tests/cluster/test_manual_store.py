"""A status an agent sets survives a change of engine: it lives in the real Redis."""

from redis.asyncio import Redis

from switchboard.cluster.manual_store import KEY, OPT_IN_KEY, RedisManualStore
from switchboard.routing.policy import ManualStatus


async def test_a_status_saved_by_one_engine_is_loaded_by_the_other(redis: Redis) -> None:
    await RedisManualStore(redis).save("anne", ManualStatus.LUNCH)
    await RedisManualStore(redis).save("bjorn", ManualStatus.LEAVE)
    assert await RedisManualStore(redis).load() == {
        "anne": ManualStatus.LUNCH,
        "bjorn": ManualStatus.LEAVE,
    }


async def test_an_unknown_status_in_redis_is_skipped_not_fatal(redis: Redis) -> None:
    await redis.hset(KEY, "cari", "on-the-moon")
    await redis.hset(KEY, "anne", "available")
    assert await RedisManualStore(redis).load() == {"anne": ManualStatus.AVAILABLE}


async def test_a_ring_in_meetings_choice_is_shared_and_a_strange_one_skipped(
    redis: Redis,
) -> None:
    await RedisManualStore(redis).save_opt_in("anne", True)
    await RedisManualStore(redis).save_opt_in("bjorn", False)
    await redis.hset(OPT_IN_KEY, "cari", "perhaps")
    assert await RedisManualStore(redis).load_opt_ins() == {"anne": True, "bjorn": False}
