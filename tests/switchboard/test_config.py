"""Configuration errors name the file, the line and the fix."""

from pathlib import Path

import pytest

from switchboard.config import ConfigError, Settings, load_config, parse_config
from switchboard.examples import EXAMPLE_CONFIG

EXAMPLE = EXAMPLE_CONFIG

GOOD = """\
ami:
  username: switchboard
  secret_env: SB_SECRET
default_loop: loop3
loops:
  - id: loop1
    queue: loop1
    title: Insurance and invoices
    digit: "1"
    suffix: "-111"
    agents: [anne]
  - id: loop3
    queue: loop3
    title: Everything else
    digit: "3"
    suffix: "-113"
    roles: [switchboard]
agents:
  - id: anne
    name: Anne Aas
    interface: PJSIP/201
  - id: bo
    name: Bo Berg
    interface: PJSIP/202
    roles: [switchboard]
    status: leave
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as bad:
        parse_config(text, "sb.yaml")
    return [str(p) for p in bad.value.problems]


def test_the_shipped_example_is_valid_and_resolves_loop_2_by_role() -> None:
    settings = load_config(EXAMPLE)
    loops = {loop.id: loop for loop in settings.roster.loops}
    assert len(settings.roster.members_of(loops["loop1"])) == 12
    assert len(settings.roster.members_of(loops["loop2"])) >= 4
    assert settings.menu.queues_by_digit() == {
        "1": "loop1",
        "2": "loop2",
        "3": "loop3",
        "9": "switchboard",
    }
    assert settings.menu.route("7") == "loop3"


def test_a_good_config_builds_the_roster_menu_and_leave_list() -> None:
    settings = parse_config(GOOD, "sb.yaml")
    assert [a.id for a in settings.roster.members_of(settings.roster.loops[1])] == ["bo"]
    assert settings.manual == {"bo": "leave"}
    assert settings.menu.default_queue == "loop3"


def test_a_bad_suffix_points_at_its_line_with_the_fix() -> None:
    (problem,) = problems(GOOD.replace('suffix: "-111"', 'suffix: "111"'))
    assert problem.startswith("sb.yaml:10: loops[0].suffix:")
    assert 'e.g. suffix: "-111"' in problem


def test_an_unknown_agent_in_a_loop_lists_the_known_ones() -> None:
    (problem,) = problems(GOOD.replace("agents: [anne]", "agents: [anna]"))
    assert problem.startswith("sb.yaml:11: loops[0].agents[0]: no agent with id 'anna'")
    assert "use one of: anne, bo" in problem


def test_a_misspelt_key_is_named() -> None:
    found = problems(GOOD.replace("    title: Everything else", "    titel: Everything else"))
    assert found[0].startswith("sb.yaml:12: loops[1].title: Field required (fix: add `title:`)")
    assert found[1].startswith("sb.yaml:14: loops[1].titel: unknown key")
    assert "check its spelling" in found[1]


def test_a_secret_in_the_file_is_refused() -> None:
    (problem,) = problems(
        GOOD.replace("  username: switchboard", "  username: switchboard\n  secret: hunter2")
    )
    assert "must not be in the file" in problem
    assert "hunter2" not in problem
    assert "secret_env" in problem


def test_a_role_nobody_holds_is_an_error_not_an_empty_loop() -> None:
    (problem,) = problems(
        GOOD.replace("roles: [switchboard]\nagents", "roles: [switchbord]\nagents")
    )
    assert "no agent holds role 'switchbord'" in problem


def test_two_loops_on_one_digit_and_duplicate_ids_are_both_reported() -> None:
    text = GOOD.replace('digit: "3"', 'digit: "1"').replace("id: bo", "id: anne")
    found = problems(text)
    assert any("digit 1 already leads to loop1" in p for p in found)
    assert any("agent id 'anne' is used twice" in p for p in found)


def test_broken_yaml_gives_the_line() -> None:
    (problem,) = problems("ami:\n  username: [x\n")
    assert problem.startswith("sb.yaml:3: file: not valid YAML")


def test_the_secret_comes_from_the_named_environment_variable() -> None:
    settings = parse_config(GOOD, "sb.yaml")
    assert settings.ami_settings({"SB_SECRET": "s3"}).secret == "s3"
    with pytest.raises(ConfigError, match="SB_SECRET is not set"):
        settings.ami_settings({})


def test_a_missing_file_is_reported_plainly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "nope.yaml")


def test_a_calendar_must_name_a_supported_source() -> None:
    (problem,) = problems(
        GOOD.replace(
            "    interface: PJSIP/201\n",
            "    interface: PJSIP/201\n    calendar: anne@example.org\n",
        )
    )
    assert "agents[0].calendar" in problem
    assert (
        "ics:<file or https URL>, caldav:<calendar URL>, graph:<user e-mail> or ews:<mailbox>"
        in problem
    )


def test_graph_settings_come_together() -> None:
    text = GOOD.replace(
        "default_loop: loop3", "presence:\n  graph_tenant: contoso\ndefault_loop: loop3"
    )
    (problem,) = problems(text)
    assert "graph_tenant, graph_client_id and graph_secret_env together" in problem


def test_a_relative_ics_path_is_relative_to_the_config_file(tmp_path: Path) -> None:
    text = GOOD.replace(
        "    interface: PJSIP/201\n", "    interface: PJSIP/201\n    calendar: ics:cal/anne.ics\n"
    )
    (tmp_path / "sb.yaml").write_text(text)
    settings = load_config(tmp_path / "sb.yaml")
    kind, location = settings.calendar_location(settings.roster.agents["anne"])  # type: ignore[misc]
    assert (kind, location) == ("ics", str(tmp_path / "cal" / "anne.ics"))


def test_ews_settings_come_together() -> None:
    text = GOOD.replace(
        "default_loop: loop3", "presence:\n  ews_username: svc\ndefault_loop: loop3"
    )
    (problem,) = problems(text)
    assert "ews_endpoint, ews_username and ews_password_env together" in problem


@pytest.mark.parametrize(
    ("calendar", "fix"),
    [
        ("graph:anne@example.org", "set presence.graph_tenant, graph_client_id"),
        ("ews:anne@example.org", "set presence.ews_endpoint, ews_username"),
    ],
)
def test_a_graph_or_ews_calendar_needs_its_access_configured(calendar: str, fix: str) -> None:
    text = GOOD.replace(
        "    interface: PJSIP/201\n", f"    interface: PJSIP/201\n    calendar: {calendar}\n"
    )
    (problem,) = problems(text)
    assert problem.startswith("sb.yaml:22: agents[0].calendar: a ")
    assert fix in problem


SCREEN = """\
screen:
  organisation: {no: Arbeidsmandsforbundet, en: General Workers Union}
  greetings: {no: "{organisation}, du snakker med {name}"}
  directory: sqlite:members.db
  kid: {member_digits: 6, algorithms: [mod11]}
"""


def test_the_screen_section_sets_greetings_directory_and_kid_layout(tmp_path: Path) -> None:
    (tmp_path / "sb.yaml").write_text(SCREEN + GOOD)
    settings = load_config(tmp_path / "sb.yaml")
    assert settings.screen.kid.member_digits == 6
    assert settings.screen.kid.algorithms == ("mod11",)
    assert settings.directory_location() == f"sqlite:{tmp_path / 'members.db'}"


@pytest.mark.parametrize(
    "environ",
    [
        {"STATE_DIRECTORY": "/var/lib/switchboard"},  # systemd's StateDirectory=
        {"STATE_DIRECTORY": "/var/lib/switchboard:/var/lib/other"},  # the first of several
        {"SWITCHBOARD_STATE_DIR": "/var/lib/switchboard", "STATE_DIRECTORY": "/elsewhere"},
    ],
)
def test_relative_data_files_go_to_the_state_directory(
    tmp_path: Path, environ: dict[str, str]
) -> None:
    text = SCREEN + GOOD + "reports: {queue_log: /var/log/asterisk/queue_log}\n"
    settings = load_config_text(tmp_path, text, environ)
    assert settings.directory_location() == "sqlite:/var/lib/switchboard/members.db"
    assert settings.reports_database() == "sqlite:////var/lib/switchboard/reports.db"
    assert settings.data_file("ratings.db") == Path("/var/lib/switchboard/ratings.db")
    assert settings.data_file("/srv/r.db") == Path("/srv/r.db")  # absolute stays as given
    calendar = settings.calendar_location(settings.roster.agents["anne"])
    assert calendar is None or not calendar[1].startswith("/var/lib")  # read beside the config


def load_config_text(tmp_path: Path, text: str, environ: dict[str, str]) -> Settings:
    (tmp_path / "sb.yaml").write_text(text)
    return load_config(tmp_path / "sb.yaml", environ)


@pytest.mark.parametrize(
    ("change", "where", "message"),
    [
        ('{name}"}', "screen.greetings", "may use only {organisation} and {name}"),
        ("sqlite:members.db", "screen.directory", "sqlite:<file> or the CRM's https://"),
        ("member_digits: 6", "screen.kid.member_digits", "greater than or equal to 1"),
    ],
)
def test_a_bad_screen_setting_is_named_with_its_line(change: str, where: str, message: str) -> None:
    broken = {
        '{name}"}': '{agent}"}',
        "sqlite:members.db": "members.db",
        "member_digits: 6": "member_digits: 0",
    }[change]
    (problem,) = problems(SCREEN.replace(change, broken) + GOOD)
    assert where in problem
    assert message in problem


def test_a_login_must_be_a_hash_never_a_password() -> None:
    text = GOOD.replace(
        "    interface: PJSIP/201\n", "    interface: PJSIP/201\n    login: hunter2\n"
    )
    (problem,) = problems(text)
    assert "agents[0].login" in problem
    assert "switchboard password-hash" in problem


def test_a_bare_no_means_norwegian_not_false() -> None:
    text = "screen: {ui_language: no}\n" + GOOD.replace(
        'suffix: "-111"\n', 'suffix: "-111"\n    language: no\n'
    )
    settings = parse_config(text, "sb.yaml")
    assert settings.screen.ui_language == "no"
    assert settings.ivr is not None
    assert settings.ivr.routes["loop1"].language == "no"


def test_calendar_codes_are_off_by_default_and_shown_by_check_config() -> None:
    from switchboard.cli import service_lines
    from switchboard.presence.codes import Code

    plain = parse_config(GOOD, "sb.yaml")
    assert not plain.presence.subject_codes.codes().on
    assert service_lines(plain)[-1] == "calendar codes: off (show-as alone decides)"
    coded = parse_config(
        GOOD + 'presence:\n  subject_codes: {enabled: true, busy: ["MØT:", "MØTE:"]}\n', "sb.yaml"
    )
    codes = coded.presence.subject_codes.codes()
    assert codes.read("møte: styret") is Code.BUSY
    assert codes.read(";x") is Code.INFO
    assert service_lines(coded)[-1] == (
        "calendar codes: subjects starting 'MØT:', 'MØTE:' take people out of the queue; "
        "';' is information only (codes win over show-as; all-day events never count)"
    )


def test_a_calendar_code_that_is_both_busy_and_info_is_refused_with_its_line() -> None:
    found = problems(GOOD + "presence:\n  subject_codes:\n    busy: [';']\n")
    assert found == [
        "sb.yaml:28: presence.subject_codes: prefix ';' is both a busy and an info code "
        "(fix: give each prefix one meaning: list it under busy or under info, not both)"
    ]


def test_the_heads_up_is_off_by_default_global_in_presence_and_per_loop_overridable() -> None:
    from switchboard.cli import service_lines

    def leads(text: str) -> dict[str, int]:
        plan = parse_config(text, "sb.yaml").ivr
        assert plan is not None
        return {loop: route.service.heads_up_s for loop, route in plan.routes.items()}

    assert leads(GOOD) == {"loop1": 0, "loop3": 0}
    with_global = GOOD + "presence: {heads_up_min: 5}\n"
    assert leads(with_global) == {"loop1": 300, "loop3": 300}
    own = with_global.replace("agents: [anne]\n", "agents: [anne]\n    heads_up_min: 0\n", 1)
    assert leads(own) == {"loop1": 0, "loop3": 300}
    lines = service_lines(parse_config(own, "sb.yaml"))
    assert lines[0].endswith("; heads-up before meetings: off")
    assert lines[1].endswith("; no new calls 5 min before a member's meeting")
    assert problems(GOOD + "presence: {heads_up_min: 90}\n")[0].endswith("(fix: use 60 or less)")
