"""A register's CSV export loads into the embedded directory; bad rows are named, not fatal."""

from pathlib import Path

from typer.testing import CliRunner

from switchboard.cli import app
from switchboard.data_key import generate
from switchboard.screen.directory import SqliteDirectory
from switchboard.screen.directory_key import hash_key
from switchboard.screen.member_import import read_members

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
        "returned_magazine, fnr (read as comma-separated; the first line must name the "
        "columns: member_id,member_number,name,phone,email,address,returned_magazine,fnr)"
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
    key = generate()
    result = runner.invoke(
        app,
        ["members-import", str(export), "-c", str(config)],
        env={"SWITCHBOARD_DATA_KEY": key},
    )
    assert result.exit_code == 0, result.output
    assert "2 member(s) imported, 3 row(s) skipped" in result.output
    directory = SqliteDirectory(tmp_path / "members.db", hash_key(tmp_path / "members.db", key))
    found = await directory.by_phone("90595313")
    assert [m.name for m in found] == ["Kari Nordmann", "Ola Nordmann"]


def test_password_hash_prints_a_login_line() -> None:
    result = CliRunner().invoke(app, ["password-hash"], input="a long password\n")
    assert result.exit_code == 0, result.output
    assert "login: scrypt$" in result.output
    assert "a long password" not in result.output.split("login:")[1]


CONFIG = (
    "ami: {username: router, secret_env: SB_SECRET}\n"
    "screen: {directory: 'sqlite:members.db'}\n"
    "default_loop: l1\n"
    "loops: [{id: l1, queue: l1, title: One, digit: '1', suffix: '-111', agents: [a]}]\n"
    "agents: [{id: a, name: A, interface: PJSIP/1}]\n"
)


def import_file(tmp_path: Path, content: bytes) -> tuple[int, str, SqliteDirectory]:
    config = tmp_path / "switchboard.yaml"
    config.write_text(CONFIG)
    export = tmp_path / "export.csv"
    export.write_bytes(content)
    key = generate()
    result = CliRunner().invoke(
        app, ["members-import", str(export), "-c", str(config)], env={"SWITCHBOARD_DATA_KEY": key}
    )
    db = tmp_path / "members.db"
    return result.exit_code, result.output, SqliteDirectory(db, hash_key(db, key))


async def test_a_semicolon_export_from_norwegian_excel_in_windows_1252_imports(
    tmp_path: Path,
) -> None:
    text = (HEADER + ROWS[0] + ROWS[1]).replace(",", ";").replace("Kari", "Kåre Ødegård")
    code, output, directory = import_file(tmp_path, text.encode("cp1252"))
    assert code == 0, output
    assert "read as Windows-1252 (Latin-1)" in output
    assert "2 member(s) imported, 0 row(s) skipped" in output
    (kare,) = [m for m in await directory.by_phone("90595313") if m.id == "m1"]
    assert kare.name == "Kåre Ødegård Nordmann"


async def test_a_utf16_export_with_tabs_imports(tmp_path: Path) -> None:
    text = (HEADER + ROWS[0]).replace(",", "\t")
    code, output, _ = import_file(tmp_path, text.encode("utf-16"))
    assert code == 0, output
    assert "1 member(s) imported" in output


async def test_a_2_mb_field_skips_only_its_row(tmp_path: Path) -> None:
    huge = 'm9,1000036,Long,41234560,,"' + "x" * 2_000_000 + '",,31129956715\n'
    code, output, directory = import_file(tmp_path, (HEADER + ROWS[0] + huge + ROWS[1]).encode())
    assert code == 0, output
    assert "export.csv:3: address is 2,000,000 characters (at most 500); row skipped" in output
    assert "2 member(s) imported, 1 row(s) skipped" in output
    assert await directory.get("m2") is not None


def test_an_export_that_imports_nothing_exits_1(tmp_path: Path) -> None:
    code, output, _ = import_file(tmp_path, (HEADER + ROWS[2]).encode())
    assert code == 1
    assert "nothing was imported" in output
    (tmp_path / "second").mkdir()
    code, output, _ = import_file(tmp_path / "second", b"id|name\n1|Kari\n")
    assert code == 1
    assert "missing column(s)" in output
    assert "the first line must name the columns" in output


def test_a_directory_set_up_with_another_key_is_refused(tmp_path: Path) -> None:
    import_file(tmp_path, (HEADER + ROWS[0]).encode())
    result = CliRunner().invoke(
        app,
        ["members-import", str(tmp_path / "export.csv"), "-c", str(tmp_path / "switchboard.yaml")],
        env={"SWITCHBOARD_DATA_KEY": generate()},
    )
    assert result.exit_code == 2
    (line,) = result.output.splitlines()
    assert "the data key does not open the member directory" in line
    assert "switchboard re-key" in line


def test_a_binary_file_is_refused_in_one_line(tmp_path: Path) -> None:
    code, output, _ = import_file(tmp_path, b"PK\x03\x04\x00\x00 an xlsx")
    assert code == 2
    assert output.strip().endswith(
        "this is not a text file (fix: save it from Excel as CSV UTF-8 (comma delimited))"
    )
