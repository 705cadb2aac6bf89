"""A register's CSV export loads into the embedded directory; bad rows are named, not fatal."""

from pathlib import Path

from typer.testing import CliRunner

from screen.directory import SqliteDirectory
from screen.member_import import read_members
from switchboard.cli import app

HEADER = "member_id,member_number,name,phone,email,address,returned_magazine,fnr\n"
ROWS = [
    "m1,1000001,Kari Nordmann,+47 905 95 313,,Storgata 1,yes,31129956715\n",
    "m2,1000008,Ola Nordmann,90595313,ola@example.org,Storgata 1,,01019000100\n",  # placeholder
    "m3,10x,Per Berg,41234567,,,,31129956715\n",
    "m4,1000022,Siri Lie,41234568,,,,31129956716\n",
    "m1,1000029,Twice,41234569,,,,31129956715\n",
]


def test_good_rows_load_and_each_bad_row_is_reported_by_line() -> None:
    members, problems = read_members(HEADER + "".join(ROWS), "export.csv", frozenset({"00100"}))
    assert [m.id for m, _ in members] == ["m1", "m2"]
    assert members[0][0].returned_magazine
    assert problems == [
        "export.csv:4: member_number must be digits; row skipped",
        "export.csv:5: fnr: second check digit (11th) is wrong: ask again; row skipped",
        "export.csv:6: member_id 'm1' appears twice; row skipped",
    ]
    assert not any("3112995671" in p for p in problems)  # numbers are never echoed


def test_a_file_without_the_columns_is_refused_whole() -> None:
    members, problems = read_members("id,name\n1,Kari\n", "x.csv", frozenset())
    assert members == []
    assert problems == [
        "x.csv:1: missing column(s): member_id, member_number, phone, email, address, "
        "returned_magazine, fnr"
    ]


async def test_the_import_command_fills_the_configured_sqlite_file(tmp_path: Path) -> None:
    config = tmp_path / "switchboard.yaml"
    config.write_text(
        "ami: {username: router, secret_env: SB_SECRET}\n"
        "screen: {directory: 'sqlite:members.db'}\n"
        "default_loop: l1\n"
        "loops: [{id: l1, queue: l1, title: One, digit: '1', suffix: '-111', agents: [a]}]\n"
        "agents: [{id: a, name: A, interface: PJSIP/1}]\n"
    )
    export = tmp_path / "export.csv"
    export.write_text(HEADER + "".join(ROWS))
    runner = CliRunner()
    missing_key = runner.invoke(
        app, ["members-import", str(export), "-c", str(config)], env={"SWITCHBOARD_DATA_KEY": ""}
    )
    assert missing_key.exit_code == 2
    assert "SWITCHBOARD_DATA_KEY is not set" in missing_key.output
    result = runner.invoke(
        app,
        ["members-import", str(export), "-c", str(config)],
        env={"SWITCHBOARD_DATA_KEY": "k" * 32},
    )
    assert result.exit_code == 0, result.output
    assert "2 member(s) imported, 3 row(s) skipped" in result.output
    directory = SqliteDirectory(tmp_path / "members.db", b"k" * 32)
    found = await directory.by_phone("90595313")
    assert [m.name for m in found] == ["Kari Nordmann", "Ola Nordmann"]


def test_password_hash_prints_a_login_line() -> None:
    result = CliRunner().invoke(app, ["password-hash"], input="a long password\na long password\n")
    assert result.exit_code == 0, result.output
    assert "login: scrypt$" in result.output
    assert "a long password" not in result.output.split("login:")[1]
