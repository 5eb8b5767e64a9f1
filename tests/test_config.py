"""Every value of ``qmscheck.toml`` and of the scan's options is checked when it is read.

A bad value exits 2 with the file, the key path, what is allowed and the closest allowed
value; never a traceback, and never a scan that quietly runs fewer rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main
from qmscheck.config.scan_config import parse_size
from qmscheck.errors import ConfigError, ExitCode
from qmscheck.scan import ScanRequest

SOURCE = '[[sources]]\nconnector = "filesystem"\npath = "share"\n'


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="qmscheck")


@pytest.fixture
def org(tmp_path: Path) -> Path:
    """An organisation folder with a one-document share; each test writes its qmscheck.toml."""
    (tmp_path / "share").mkdir()
    (tmp_path / "share" / "note.txt").write_text("Quality policy draft.\n", encoding="utf-8")
    return tmp_path


def config_error(org: Path, toml: str, command: str = "scan") -> str:
    """The message of scanning ``org`` with ``toml`` as its qmscheck.toml, which must exit 2."""
    (org / "qmscheck.toml").write_text(toml, encoding="utf-8")
    result = run(command, org, *(["--no-index"] if command == "scan" else []))
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert result.stdout == ""
    assert ("Traceback" not in result.stderr and result.exception is None) or isinstance(result.exception, SystemExit)
    # After the note naming the file read, if it was read.
    assert "\nerror: invalid configuration:\n" in f"\n{result.stderr}"
    return result.stderr


def test_a_mistyped_edition_is_an_error_not_a_clean_pass(org: Path) -> None:
    message = config_error(org, '[organisation]\nname = "Acme"\nedition = "2105"\n' + SOURCE)
    assert (
        f"{org / 'qmscheck.toml'}: organisation.edition: Input should be '2015' or '2026', not '2105'; "
        "did you mean '2015'?"
    ) in message


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[scan]\nedition = "2105"\n' + SOURCE,
            "scan.edition: Input should be '2015' or '2026', not '2105'; did you mean '2015'?",
        ),
        ("[scan]\nstage = 3\n" + SOURCE, "scan.stage: Input should be 1 or 2, not 3"),
        ('[scan]\nstage = "2"\n' + SOURCE, "scan.stage: Input should be 1 or 2, not '2'; did you mean 2?"),
        (
            '[scan]\nfail_on = "majr"\n' + SOURCE,
            "scan.fail_on: Input should be 'major', 'minor', 'request', 'observation' or 'never', not 'majr'; "
            "did you mean 'major'?",
        ),
        (
            '[scan]\nas_of = "2026-02-30"\n' + SOURCE,
            "scan.as_of: Input should be a valid date or datetime, day value is outside expected range, "
            "not '2026-02-30'",
        ),
        ("[scan]\nas_of = 20260331\n" + SOURCE, "scan.as_of: "),
        (
            SOURCE + 'max_file_size = "50 MP"\n',
            "sources[0].max_file_size: Value error, '50 MP' is not a size (e.g. 50MB, 1.5GiB or a number of bytes)",
        ),
        (SOURCE + "max_file_size = 0\n", "sources[0].max_file_size: Value error, 0 is not a size: it must be above 0"),
        (
            SOURCE + 'max_filesize = "5MB"\n',
            # The known keys go on to the connection options of remote shares.
            "sources[0].max_filesize: unknown key (known: allow_protocol_chain, ",
        ),
        ('[[sources]]\nconnector = "filesystem"\npath = 3\n', "sources[0].path: Input should be a valid string, not 3"),
        (
            SOURCE + '[[classify]]\npattern = "*.xlsx"\ntype = "training_record"\nkind = "recrod"\n',
            "classify[0].kind: Input should be 'document' or 'record', not 'recrod'; did you mean 'record'?",
        ),
        (
            SOURCE + '[[classify]]\npattern = "*.xlsx"\ntype = "Training Record"\n',
            "classify[0].type: String should match pattern '^[a-z][a-z0-9_]*$', not 'Training Record'",
        ),
        (
            '[[organisation.exclusions]]\nclause = "8.3 design"\n' + SOURCE,
            "organisation.exclusions[0].clause: String should match pattern",
        ),
        (
            '[organisation]\neditoin = "2015"\n' + SOURCE,
            "organisation.editoin: unknown key (known: edition, exclusions, ",
        ),
        (
            "[scn]\nstage = 1\n" + SOURCE,
            "scn: unknown key (known: audit, classify, kept_elsewhere, organisation, parameters, scan, sources); did you mean 'scan'?",
        ),
        (
            'base_dir = "/"\n' + SOURCE,
            "base_dir: unknown key (known: audit, classify, kept_elsewhere, organisation, parameters, scan, sources)",
        ),
        ("[organisation]\nname = 3\n" + SOURCE, "organisation.name: Input should be a valid string, not 3"),
    ],
)
def test_each_key_is_checked_with_its_path_and_the_closest_value(org: Path, toml: str, expected: str) -> None:
    message = config_error(org, toml)
    assert f"{org / 'qmscheck.toml'}: {expected}" in message


def test_every_problem_of_a_file_is_reported_at_once(org: Path) -> None:
    message = config_error(org, '[scan]\nstage = 0\nfail_on = "all"\n' + SOURCE + 'max_file_size = "big"\n')
    assert [line.split(": ")[1] for line in message.splitlines()[1:]] == [
        "scan.stage",
        "scan.fail_on",
        "sources[0].max_file_size",
    ]


@pytest.mark.parametrize("command", ["scan", "inventory"])
def test_an_unknown_connector_names_the_known_ones_and_the_closest(org: Path, command: str) -> None:
    message = config_error(org, SOURCE.replace("filesystem", "filesytem"), command)
    assert f"{org / 'qmscheck.toml'}: sources[0].connector: unknown connector 'filesytem' (known: " in message
    assert "filesystem" in message and message.endswith("; did you mean 'filesystem'?\n")


def test_a_valid_config_sets_the_scan(org: Path) -> None:
    (org / "qmscheck.toml").write_text(
        '[organisation]\nname = "Acme"\nedition = "2015"\n[scan]\nstage = 1\nas_of = 2026-03-31\n'
        'fail_on = "never"\n' + SOURCE + 'max_file_size = "1.5MiB"\n',
        encoding="utf-8",
    )
    result = run("scan", org, "--no-index", "--jobs", "1", "--format", "json")
    assert result.exit_code == ExitCode.OK, result.output  # fail_on = "never"
    report = json.loads(result.stdout)
    assert (report["stage"], report["as_of"], report["organisation"]["edition"]) == (1, "2026-03-31", "2015")
    assert report["rules_evaluated"] > 0


@pytest.mark.parametrize(
    ("option", "expected"),
    [
        (["--edition", "2105"], "'2105' is not one of '2015', '2026'; did you mean '2015'?"),
        (["--stage", "3"], "'3' is not one of '1', '2'"),
        (["--fail-on", "minr"], "did you mean 'minor'?"),
        (["--as-of", "2026-02-30"], "--as-of"),
        (["--max-file-size", "50 MP"], "'50 MP' is not a size"),
        (["--max-file-size", "0"], "it must be above 0 bytes"),
        (["--jobs", "0"], "--jobs"),
        (["--format", "jsn"], "unknown format 'jsn' (known formats: "),
        (["--format", "jsn"], "did you mean 'json'?"),
    ],
)
def test_each_option_is_checked(org: Path, option: list[str], expected: str) -> None:
    result = run("scan", org / "share", "--no-index", *option)
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_the_report_command_checks_fail_on_too(tmp_path: Path) -> None:
    (tmp_path / "scan.json").write_text("{}", encoding="utf-8")
    result = run("report", tmp_path / "scan.json", "--fail-on", "mjor")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert (
        "'mjor' is not one of 'major', 'minor', 'request', 'observation', 'never'; did you mean 'major'?"
        in result.stderr
    )


@pytest.mark.parametrize(("stage", "edition"), [(0, None), (3, None), (None, "2105"), (None, 2015)])
def test_the_scan_api_takes_only_a_known_stage_and_edition(stage: object, edition: object) -> None:
    """The check stage reads any stage but 2 as 1: a bad stage must stop at the way in."""
    with pytest.raises(ConfigError, match=r"(stage|edition) .* is not one of"):
        ScanRequest(target=Path("."), stage=stage, edition=edition)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "size"), [(1, 1), ("1000", 1000), ("50MB", 50_000_000), ("1.5 GiB", 1_610_612_736), (" 2kb ", 2000)]
)
def test_sizes(text: object, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", [0, -5, "", "MB", "5 MP", True, "-1MB"])
def test_not_sizes(text: object) -> None:
    with pytest.raises(ValueError, match="is not a size"):
        parse_size(text)
