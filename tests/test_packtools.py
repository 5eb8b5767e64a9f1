"""The vendor test kit: ``qmscheck pack new``, ``pack check`` and ``pack test``, the pytest plugin
that runs a pack's cases, and the connector test helper."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner
from qmscheck.cli_pack import pack
from qmscheck.collecting.connectors.filesystem import FilesystemConnector
from qmscheck.errors import ExitCode, RulePackError
from qmscheck.packtools import check_pack, new_pack
from qmscheck.testing import connector_items, load_case_file

NAME = "acme-widgets"
PACKAGE = "src/qmscheck_acme_widgets"


@pytest.fixture
def scaffold(tmp_path: Path) -> Path:
    """A fresh scaffold, written through the CLI: the distribution's folder."""
    folder = tmp_path / "dist"
    result = CliRunner().invoke(pack, ["new", NAME, "--dir", str(folder)])
    assert result.exit_code == ExitCode.OK, result.output
    return folder


def test_a_fresh_scaffold_passes_pack_check_and_pack_test(scaffold: Path) -> None:
    runner = CliRunner()
    checked = runner.invoke(pack, ["check", str(scaffold / PACKAGE)])
    assert checked.exit_code == ExitCode.OK, checked.output
    tested = runner.invoke(pack, ["test", str(scaffold / PACKAGE)])
    assert tested.exit_code == ExitCode.OK, tested.output
    assert "2 passed, 0 failed" in tested.output
    assert "ACME001 'open_record_overdue'" in tested.output


def test_the_scaffold_declares_what_a_distribution_needs(scaffold: Path) -> None:
    import tomllib

    project = tomllib.loads((scaffold / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["build-system"]["requires"] == ["setuptools>=77.0.1"]
    assert project["project"]["license"] == "Apache-2.0"
    assert project["project"]["entry-points"]["qmscheck"] == {NAME: "qmscheck_acme_widgets.plugin"}
    assert project["tool"]["pytest"]["ini_options"]["qmscheck_packs"] == [PACKAGE]
    manifest = tomllib.loads((scaffold / PACKAGE / "pack.toml").read_text(encoding="utf-8"))
    assert manifest["pack"]["api"] == ">=2,<3"
    assert manifest["depends"] == [{"pack": "iso9001", "version": ">=1.0"}]


def test_pack_new_refuses_a_bad_name_and_a_used_folder(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = runner.invoke(pack, ["new", "Acme Widgets", "--dir", str(tmp_path / "a")])
    assert bad.exit_code == ExitCode.USAGE_ERROR and "pack name 'Acme Widgets'" in bad.output
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x.txt").write_text("x", encoding="utf-8")
    used = runner.invoke(pack, ["new", "acme", "--dir", str(tmp_path / "used")])
    assert used.exit_code == ExitCode.USAGE_ERROR and "not an empty folder" in used.output


def test_the_scaffolds_own_pytest_run_collects_its_cases_through_the_plugin(scaffold: Path) -> None:
    entry_points = {entry.name: entry.value for entry in metadata.entry_points(group="pytest11")}
    assert entry_points.get("qmscheck") == "qmscheck.pytest_plugin", "reinstall qmscheck: pip install -e ."
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-rA"],
        cwd=scaffold,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"PASSED {PACKAGE}/cases/4.1.toml::ACME001-open_record_overdue" in run.stdout
    assert f"PASSED {PACKAGE}/cases/4.1.toml::ACME001-open_record_not_yet_due" in run.stdout
    assert "PASSED tests/test_pack.py::test_a_scan_selects_the_pack" in run.stdout


def test_a_failing_case_names_its_file_and_case_under_pytest(scaffold: Path) -> None:
    cases = scaffold / PACKAGE / "cases" / "4.1.toml"
    cases.write_text(cases.read_text(encoding="utf-8").replace('grade = "minor"', 'grade = "major"'), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", f"{PACKAGE}/cases"],
        cwd=scaffold,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert (
        "cases/4.1.toml: case ACME001 'open_record_overdue': expected major citing rec2, found minor citing rec2"
        in run.stdout
    )
    assert "1 failed, 1 passed" in run.stdout
    tested = CliRunner().invoke(pack, ["test", str(scaffold / PACKAGE)])
    assert tested.exit_code == ExitCode.FINDINGS
    assert "FAIL" in tested.output and "'open_record_overdue'" in tested.output


def test_a_case_file_error_names_the_file_and_the_case(tmp_path: Path) -> None:
    source = tmp_path / "4.1.toml"
    source.write_text(
        '[[cases]]\nrule = "ACME001"\nname = "good_one"\nas_of = 2026-03-31\nexpect = []\n'
        '[[cases]]\nrule = "ACME001"\nname = "typo"\nas_of = 2026-03-31\nexpect = [{ grade = "minr" }]\n'
        '[[cases]]\nrule = "ACME001"\nname = "no_type"\nas_of = 2026-03-31\nexpect = []\nitems = [{ ref = "a" }]\n',
        encoding="utf-8",
    )
    with pytest.raises(RulePackError) as raised:
        load_case_file(source)
    lines = str(raised.value).splitlines()[1:]
    assert [line.strip() for line in lines] == [
        f"{source}: case ACME001 'typo': expect[0].grade: Input should be 'major', 'minor', 'request', "
        "'observation' or 'ofi', not 'minr'; did you mean 'minor'?",
        f"{source}: case ACME001 'no_type': items[0]: needs type (text)",
    ]


def test_pack_check_names_a_rule_without_cases(tmp_path: Path) -> None:
    new_pack("acme", tmp_path)
    package = tmp_path / "src" / "qmscheck_acme"
    rules = package / "rules" / "4.1.toml"
    second = rules.read_text(encoding="utf-8").split("[[rules]]", 1)[1].replace("ACME001", "ACME002")
    rules.write_text(rules.read_text(encoding="utf-8") + "\n[[rules]]" + second, encoding="utf-8")
    assert check_pack(package) == [
        f"{rules}: rule ACME002: no passing case in {package / 'cases' / '4.1.toml'} (expect = [] passes)",
        f"{rules}: rule ACME002: no failing case in {package / 'cases' / '4.1.toml'} (expect = [] passes)",
    ]
    result = CliRunner().invoke(pack, ["check", str(package)])
    assert result.exit_code == ExitCode.FINDINGS and "rule ACME002: no passing case" in result.output


def test_pack_check_names_file_rule_and_path_of_a_bad_rule(tmp_path: Path) -> None:
    new_pack("acme", tmp_path)
    package = tmp_path / "src" / "qmscheck_acme"
    rules = package / "rules" / "4.1.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace('kind = "each"', 'kind = "eahc"'), encoding="utf-8")
    problems = check_pack(package)
    assert len(problems) == 1
    assert (
        problems[0].startswith(f"{rules}: rule ACME001: ")
        and "unknown check kind 'eahc'; did you mean 'each'" in problems[0]
    )


def test_pack_check_and_test_of_a_folder_without_a_pack_are_usage_errors(tmp_path: Path) -> None:
    for command in ("check", "test"):
        result = CliRunner().invoke(pack, [command, str(tmp_path)])
        assert result.exit_code == ExitCode.USAGE_ERROR
        assert f"{tmp_path}: no pack.toml here" in result.output


def test_connector_items_returns_items_with_provenance_and_digest(tmp_path: Path) -> None:
    (tmp_path / "QP-01 Control of documents.md").write_text("# Control of documents\n\nRev 2\n", encoding="utf-8")
    items = connector_items(FilesystemConnector(), {"path": str(tmp_path)}, base_dir=tmp_path)
    assert items and all(item.sha256 and item.provenance.connector == "filesystem" for item in items)


def test_connector_items_names_what_an_item_lacks() -> None:
    from qmscheck.testing import item

    class Sloppy:
        name = "sloppy"
        version = "0"

        def collect(self, options: dict[str, object], context: object) -> object:
            yield item("procedure", "qp01")

        def describe(self, options: dict[str, object]) -> str:
            return "nowhere"

    with pytest.raises(AssertionError) as raised:
        connector_items(Sloppy(), {})  # type: ignore[arg-type]
    message = str(raised.value)
    assert "item test:qp01: provenance.connector is 'test', not 'sloppy'" in message
    assert "item test:qp01: no sha256" in message
