"""Agents log in with a password; sessions expire; guessing is slowed down."""

from screen.logins import Sessions, hash_password, verify_password

HASHES = {"anne": hash_password("correct horse")}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_password_hash_verifies_only_its_own_password() -> None:
    stored = HASHES["anne"]
    assert stored.startswith("scrypt$")
    assert "correct horse" not in stored
    assert verify_password("correct horse", stored)
    assert not verify_password("Correct horse", stored)
    assert not verify_password("correct horse", "md5$nonsense")
    assert not verify_password("correct horse", "scrypt$1$2$3$@@@$@@@")


async def test_a_session_ends_when_idle_and_in_any_case_after_the_working_day() -> None:
    clock = Clock()
    sessions = Sessions(clock, idle_s=600, max_s=3600)
    token = await sessions.log_in("anne", "correct horse", HASHES)
    assert token is not None
    for _ in range(5):  # in use every 9 minutes: stays alive
        clock.now += 540
        session = sessions.get(token)
        assert session is not None
        assert session.agent_id == "anne"
    clock.now += 601
    assert sessions.get(token) is None
    token = await sessions.log_in("anne", "correct horse", HASHES)
    for _ in range(7):
        clock.now += 540
    assert sessions.get(token) is None  # 63 minutes in all, though never idle long


async def test_logging_out_ends_the_session() -> None:
    sessions = Sessions(Clock())
    token = await sessions.log_in("anne", "correct horse", HASHES)
    sessions.log_out(token)
    assert sessions.get(token) is None


async def test_unknown_agents_and_wrong_passwords_get_no_session() -> None:
    sessions = Sessions(Clock())
    assert await sessions.log_in("mallory", "correct horse", HASHES) is None
    assert await sessions.log_in("anne", "wrong", HASHES) is None
    assert sessions.get("made-up-token") is None


async def test_five_wrong_passwords_lock_the_login_for_five_minutes() -> None:
    clock = Clock()
    sessions = Sessions(clock, max_failures=5, lockout_s=300)
    for _ in range(5):
        assert await sessions.log_in("anne", "guess", HASHES) is None
    assert sessions.locked_out("anne")
    assert await sessions.log_in("anne", "correct horse", HASHES) is None
    clock.now += 301
    assert await sessions.log_in("anne", "correct horse", HASHES) is not None


async def test_sessions_nobody_came_back_to_are_dropped_at_the_next_login() -> None:
    clock = Clock()
    sessions = Sessions(clock, idle_s=600)
    for _ in range(3):
        await sessions.log_in("anne", "correct horse", HASHES)
    assert len(sessions) == 3
    clock.now += 601
    await sessions.log_in("anne", "correct horse", HASHES)
    assert len(sessions) == 1
