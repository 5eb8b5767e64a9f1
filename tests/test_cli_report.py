"""`qmscheck report` re-renders a saved scan; `scan --format` may repeat with --output-dir; errors exit 2."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from qmscheck.cli import main
from qmscheck.errors import ExitCode
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.rendering.readiness import summary_line
from test_render_golden import BUILTIN_FORMATS, builtin_renderers, golden_findings, golden_report
from test_render_json import validator as report_schema_validator
from test_render_sarif import assert_valid_sarif

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
EXTENSIONS = {"text": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "markdown": "md", "html": "html"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def save(report: Report, path: Path) -> Path:
    path.write_text(builtin_renderers()["json"].render(report), encoding="utf-8")
    return path


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    return save(golden_report(), tmp_path / "scan.json")


def minors_only() -> Report:
    return golden_report([f for f in golden_findings() if f.grade is not Grade.MAJOR])


# --- report: re-render a saved scan --------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILTIN_FORMATS))
def test_report_rerenders_a_saved_scan(saved: Path, name: str) -> None:
    result = run("report", saved, "--format", name)
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == builtin_renderers()[name].render(golden_report())


def test_a_saved_scan_of_schema_1_0_without_structured_facts_still_renders(saved: Path) -> None:
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["schema_version"] = "1.0"
    for finding in data["findings"]:
        for added in ("population", "failing", "instances"):
            finding.pop(added, None)
    saved.write_text(json.dumps(data), encoding="utf-8")
    result = run("report", saved, "--format", "markdown")
    assert result.exit_code == ExitCode.OK, result.output
    assert result.stdout == builtin_renderers()["markdown"].render(Report.model_validate(data))


@pytest.mark.parametrize(
    ("report", "fail_on", "code"),
    [
        (golden_report(), None, ExitCode.OK),
        (golden_report(), "major", ExitCode.FINDINGS),
        (golden_report(), "never", ExitCode.OK),
        (minors_only(), None, ExitCode.OK),
        (minors_only(), "minor", ExitCode.FINDINGS),
        (golden_report([f for f in golden_findings() if f.grade is Grade.OFI]), "observation", ExitCode.OK),
    ],
    ids=[
        "majors, default never",
        "majors, fail on major",
        "majors, never",
        "minors, default never",
        "minors, fail on minor",
        "ofi only",
    ],
)
def test_report_exit_code_follows_fail_on(tmp_path: Path, report: Report, fail_on: str | None, code: int) -> None:
    scan = save(report, tmp_path / "scan.json")
    args: list[str | Path] = ["report", scan, "--format", "json"]
    args += ["--fail-on", fail_on] if fail_on else []
    assert run(*args).exit_code == code


def test_exit_code_and_summary_line_are_the_same_whatever_the_format(saved: Path, tmp_path: Path) -> None:
    summary = summary_line(golden_report())  # with the warning count
    for name in sorted(BUILTIN_FORMATS):
        to_stdout = run("report", saved, "--format", name, "--fail-on", "major")
        to_file = run("report", saved, "--format", name, "--output", tmp_path / f"out.{name}", "--fail-on", "major")
        assert (to_stdout.exit_code, to_file.exit_code) == (ExitCode.FINDINGS, ExitCode.FINDINGS)
        assert to_stdout.stderr == f"{summary}\n"
        assert to_file.stderr == f"{summary} - report written to {tmp_path / f'out.{name}'}\n"
        assert to_file.stdout == ""


def test_output_dir_writes_each_format_once_under_a_fixed_name(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "nested"
    args: list[str | Path] = ["report", saved, "--output-dir", out, "--fail-on", "major"]
    for name in ["html", "sarif", "junit", "markdown", "json", "text", "html"]:
        args += ["--format", name]
    result = run(*args)
    assert result.exit_code == ExitCode.FINDINGS, result.output
    assert sorted(p.name for p in out.iterdir()) == sorted(f"qmscheck-report.{ext}" for ext in EXTENSIONS.values())
    for name, extension in EXTENSIONS.items():
        written = (out / f"qmscheck-report.{extension}").read_text(encoding="utf-8")
        assert written == builtin_renderers()[name].render(golden_report()), name
    assert result.stderr.startswith(summary_line(golden_report()) + " - reports written to ")
    assert result.stdout == ""


# --- bad input: a clear message and exit 2, never a traceback -----------------------------------


def _error(result: Result) -> str:
    assert result.exit_code == ExitCode.USAGE_ERROR, result.output
    assert isinstance(result.exception, SystemExit)
    return result.stderr


def test_unknown_format_lists_the_known_ones(saved: Path) -> None:
    message = _error(run("report", saved, "--format", "pdf"))
    assert "unknown format 'pdf'" in message
    known = message.split("known formats: ", 1)[1]
    assert all(name in known for name in BUILTIN_FORMATS)


def test_scan_rejects_an_unknown_format_before_reading_any_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_scan(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the scan must not start")

    monkeypatch.setattr("qmscheck.scan.scan", no_scan)
    assert "unknown format 'pdf'" in _error(
        run("scan", tmp_path, "--format", "json", "--format", "pdf", "--output-dir", tmp_path / "out")
    )
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "json", "--format", "html"], "several formats (json, html) need --output-dir DIR"),
        (["--format", "json", "--output", "a.json", "--output-dir", "out"], "either --output or --output-dir"),
    ],
)
def test_conflicting_output_options(saved: Path, options: list[str], message: str) -> None:
    assert message in _error(run("report", saved, *options))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "is not JSON (Expecting property name enclosed in double quotes at line 1 column 2)"),
        (b"[]", "is not a qmscheck report"),
        (b"\xff\xfe\x00", "is not UTF-8 text"),
        (
            b'{"schema_version": "9.0", "findings": []}',
            "has report schema_version '9.0'; this qmscheck reads '1.0' or '1.1'",
        ),
    ],
    ids=["not json", "not a report", "not utf-8", "future schema"],
)
def test_unreadable_saved_scans(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "scan.json"
    path.write_bytes(content)
    assert message in _error(run("report", path, "--format", "html"))


def test_an_invalid_report_names_the_bad_fields(tmp_path: Path) -> None:
    data = json.loads(builtin_renderers()["json"].render(golden_report()))
    data["findings"][2]["grade"] = "critical"
    del data["summary"]
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    message = _error(run("report", path, "--format", "html"))
    assert "is not a valid qmscheck report" in message
    assert "$.findings[2].grade: Input should be 'major', 'minor', 'request', 'observation' or 'ofi'" in message
    assert "$.summary: Field required" in message


def test_missing_file_and_unwritable_output(saved: Path, tmp_path: Path) -> None:
    assert run("report", tmp_path / "nope.json").exit_code == ExitCode.USAGE_ERROR
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert "cannot write" in _error(run("report", saved, "--format", "html", "--output-dir", blocker / "sub"))


def test_bad_input_in_a_real_process_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "scan.json"
    path.write_text('{"schema_version": "1.0", "findings": [{}]}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "qmscheck", "report", str(path), "--format", "sarif"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == ExitCode.USAGE_ERROR
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert result.stdout == ""


# --- the real thing: fixtures/acme ---------------------------------------------------------------


@pytest.fixture(scope="module")
def acme_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    out = tmp_path_factory.mktemp("acme")
    args: list[str | Path] = ["scan", ACME, "--output-dir", out]
    for name in sorted(BUILTIN_FORMATS):
        args += ["--format", name]
    return run(*args), out


def test_acme_scan_writes_every_format_and_exits_1_for_its_major(acme_reports: tuple[Result, Path]) -> None:
    result, out = acme_reports
    assert result.exit_code == ExitCode.FINDINGS, result.output
    report = Report.model_validate_json((out / "qmscheck-report.json").read_text(encoding="utf-8"))
    assert report.summary.major >= 1
    [config_note, summary] = result.stderr.splitlines()
    assert config_note.startswith("note: using ") and "not trusted" in config_note
    assert summary.startswith(f"{report.summary.line()} - reports written to ")
    assert sorted(p.name for p in out.iterdir()) == sorted(f"qmscheck-report.{ext}" for ext in EXTENSIONS.values())


def test_acme_outputs_are_valid(acme_reports: tuple[Result, Path]) -> None:
    _, out = acme_reports
    report_schema_validator().validate(json.loads((out / "qmscheck-report.json").read_text(encoding="utf-8")))
    sarif = json.loads((out / "qmscheck-report.sarif").read_text(encoding="utf-8"))
    assert_valid_sarif(sarif)
    assert any(
        "region" in loc.get("physicalLocation", {}) for r in sarif["runs"][0]["results"] for loc in r["locations"]
    )
    junit = ET.parse(out / "qmscheck-report.xml").getroot()
    assert int(junit.get("failures", "0")) == len(sarif["runs"][0]["results"])
    html = (out / "qmscheck-report.html").read_text(encoding="utf-8")
    assert 'class="heatmap"' in html and "Not ready: 1 major nonconformity" in html


def test_acme_rerendered_from_its_saved_json_matches_the_direct_render(acme_reports: tuple[Result, Path]) -> None:
    _, out = acme_reports
    for name, extension in EXTENSIONS.items():
        again = run("report", out / "qmscheck-report.json", "--format", name, "--fail-on", "major")
        assert again.exit_code == ExitCode.FINDINGS
        assert again.stdout == (out / f"qmscheck-report.{extension}").read_text(encoding="utf-8"), name


def test_single_format_scan_writes_the_report_to_stdout_and_the_summary_to_stderr() -> None:
    result = run("scan", ACME, "--format", "json", "--fail-on", "never")
    assert result.exit_code == ExitCode.OK
    report = Report.model_validate_json(result.stdout)
    assert result.stderr.endswith(f"{report.summary.line()}\n")


def test_rules_and_plugins_commands_still_work() -> None:
    rules = run("rules")
    assert rules.exit_code == 0
    assert re.search(r"^\d+ rules in \d+ pack\(s\)$", rules.stdout, re.MULTILINE)
    plugins = run("plugins")
    assert plugins.exit_code == 0
    line = next(line for line in plugins.stdout.splitlines() if line.startswith("renderers:"))
    for name in sorted(BUILTIN_FORMATS):
        assert f"{name} [qmscheck.plugins.builtin.renderers]" in line
