"""The config file as hostile or careless input: bombs, duplicates, bad bytes, and every
problem told at once with a fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from switchboard.config import ConfigError, load_config, parse_config
from switchboard.yaml_lines import MAX_BYTES, load_with_lines
from tests.switchboard.test_config import GOOD


def problems_in(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as bad:
        load_config(path, {})
    return [str(p) for p in bad.value.problems]


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as bad:
        parse_config(text, "sb.yaml")
    return [str(p) for p in bad.value.problems]


def test_a_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    bomb = tmp_path / "laughs.yaml"
    bomb.write_text("\n".join(lines) + "\n")
    (problem,) = problems_in(bomb)
    assert "expands to more than 2,000,000 values" in problem
    assert "(fix: write the values out" in problem


def test_a_few_aliases_still_work_and_merge_keys_merge() -> None:
    data, _ = load_with_lines(
        "defaults: &d {wait_s: 90, strategy: ringall}\nloop: {<<: *d, wait_s: 30}\nagain: *d\n"
    )
    assert data["loop"] == {"wait_s": 30, "strategy": "ringall"}
    assert data["again"] == {"wait_s": 90, "strategy": "ringall"}
    data["again"]["wait_s"] = 1  # a copy: changing one use changes no other
    assert data["defaults"]["wait_s"] == 90


def test_a_300_mb_file_is_refused_without_being_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as f:  # sparse: 300 MB on paper, no disk used
        f.truncate(300 * 1024 * 1024)
    (problem,) = problems_in(huge)
    assert problem.startswith(f"{huge}:0: file: the file is larger than 16 MiB")
    assert "(fix: check that this is the configuration file" in problem


def office(agents: int, *, by_roles: bool) -> str:
    """A config of `agents` agents in three loops, named in each loop or given by roles."""
    ids = [f"a{i:05d}" for i in range(agents)]
    loops = []
    for n in (1, 2, 3):
        who = "roles: [staff]" if by_roles else "agents: [" + ", ".join(ids) + "]"
        loops.append(
            f'  - {{id: loop{n}, queue: loop{n}, title: Loop {n}, digit: "{n}", '
            f'suffix: "-11{n}", {who}}}'
        )
    roles = ", roles: [staff]" if by_roles else ""
    people = [f"  - {{id: {a}, name: Agent {a}, interface: PJSIP/{a}{roles}}}" for a in ids]
    return "\n".join(
        [
            "ami: {username: switchboard, secret_env: SB_SECRET}",
            "default_loop: loop3",
            "loops:",
            *loops,
            "agents:",
            *people,
            "",
        ]
    )


@pytest.mark.parametrize("by_roles", [False, True], ids=["named", "by-roles"])
def test_an_office_of_20000_agents_in_three_loops_loads(tmp_path: Path, by_roles: bool) -> None:
    config = tmp_path / "large.yaml"
    config.write_text(office(20_000, by_roles=by_roles))
    roster = load_config(config, {}).roster
    assert len(roster.agents) == 20_000
    assert all(len(roster.loops_of(a)) == 3 for a in ("a00000", "a19999"))


def test_a_file_just_under_the_cap_is_read(tmp_path: Path) -> None:
    padded = tmp_path / "padded.yaml"
    padded.write_text(GOOD + "#" * (MAX_BYTES - len(GOOD) - 10) + "\n")
    assert load_config(padded, {}).menu.default_queue == "loop3"


def test_nesting_50000_deep_is_one_clear_line_not_a_recursion_error(tmp_path: Path) -> None:
    deep = tmp_path / "deep.yaml"
    deep.write_text("ami: " + "[" * 50_000 + "]" * 50_000 + "\n")
    (problem,) = problems_in(deep)
    assert problem.startswith(f"{deep}:1: file: nested more than 32 levels deep")
    deep.write_text("a:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 40)))
    (problem,) = problems_in(deep)
    assert "nested more than 32 levels deep" in problem


def test_a_duplicate_key_is_refused_with_both_lines() -> None:
    text = GOOD.replace("  secret_env: SB_SECRET\n", "  secret_env: SB_SECRET\n  username: other\n")
    (problem,) = problems(text)
    assert problem == (
        "sb.yaml:4: file: key 'ami.username' appears twice, on lines 2 and 4 "
        "(YAML would silently keep the last) (fix: keep one of them)"
    )


def test_a_duplicate_key_deep_in_a_list_names_its_place() -> None:
    text = GOOD.replace("    name: Anne Aas\n", "    name: Anne Aas\n    name: Anne B\n")
    (problem,) = problems(text)
    assert "key 'agents.0.name' appears twice, on lines 20 and 21" in problem


def test_a_latin1_file_is_one_line_with_the_place_and_the_fix(tmp_path: Path) -> None:
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes(GOOD.replace("Bo Berg", "Bo Bjørnstad").encode("latin-1"))
    (problem,) = problems_in(latin)
    assert problem == (
        f"{latin}:23: file: not UTF-8: byte 0xF8 at column 16 "
        "(fix: save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8 old.yaml > new.yaml`))"
    )


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_config(bom, {}).menu.default_queue == "loop3"


def test_a_second_document_is_refused() -> None:
    (problem,) = problems(GOOD + "---\nami: {}\n")
    assert "a second YAML document (---)" in problem


def test_field_errors_and_cross_field_errors_come_in_one_pass() -> None:
    text = (
        GOOD.replace('suffix: "-111"', 'suffix: "111"')  # a field error
        .replace("agents: [anne]", "agents: [anna]")  # a cross-field error
        .replace("default_loop: loop3", "default_loop: loop9")  # another
        .replace("interface: PJSIP/202", "interface: PJSIP/201")  # and another
    )
    found = problems(text)
    assert [p.split(": ", 2)[1] for p in found] == [
        "default_loop",
        "loops[0].suffix",
        "loops[0].agents[0]",
        "agents[1].interface",
    ]


@pytest.mark.parametrize(
    ("change", "into"),
    [
        ("  username: switchboard\n", "  username: switchboard\n  port: many\n"),
        ("  username: switchboard\n", "  username: switchboard\n  port: 99999\n"),
        ("  username: switchboard\n", "  username: switchboard\n  action_timeout_s: 0\n"),
        ('    digit: "1"\n', '    digit: "1"\n    strategy: random\n'),
        ('    digit: "1"\n', '    digit: "1"\n    wait_s: 1\n'),
        ("default_loop: loop3\n", "default_loop: loop3\nweb: [8080]\n"),
        ("default_loop: loop3\n", "default_loop: loop3\nhours: {mon: [0830]}\n"),
        ("default_loop: loop3\n", 'default_loop: loop3\nhours: {mon: ["12:00-08:00"]}\n'),
        ("default_loop: loop3\n", "default_loop: loop3\nivr: {prompts: {welcome: x}}\n"),
        ("default_loop: loop3\n", "default_loop: loop3\nscreen: {secure_cookie: maybe}\n"),
        ("default_loop: loop3\n", "default_loop: loop3\nhours: {closed_dates: [tomorrow]}\n"),
        ("    status: leave\n", "    status: away\n"),
        ("    roles: [switchboard]\n    status", "    roles: switchboard\n    status"),
    ],
)
def test_every_problem_comes_with_a_fix(change: str, into: str) -> None:
    assert change in GOOD
    for problem in problems(GOOD.replace(change, into, 1)):
        assert "(fix: " in problem, problem
