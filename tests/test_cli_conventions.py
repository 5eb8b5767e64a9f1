"""The command line behaves as people expect of one: -h, -V, -o, choices in any case, -q, --config,
the qmscheck.toml above a scanned folder, one version style across the JSON outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from qmscheck import API_VERSION, __version__
from qmscheck.auditing.bundle import BUNDLE_FORMAT_VERSION
from qmscheck.auditing.worksheets import JSON_VERSION
from qmscheck.cli import RULES_SCHEMA_VERSION, main
from qmscheck.collecting.inventory import INVENTORY_SCHEMA_VERSION
from qmscheck.config.scan_config import load_config
from qmscheck.errors import ExitCode
from qmscheck.model.collection import AS_OF_LOCATOR, Collection
from qmscheck.model.evidence import Dates, EvidenceItem, Locator, Provenance
from qmscheck.model.groups import EvidenceGroup
from qmscheck.model.report import REPORT_SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args], prog_name="qmscheck")


def qmscheck(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "qmscheck", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )


def commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``group``, with the words that invoke it."""
    found: list[tuple[tuple[str, ...], click.Command]] = [(path, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


@pytest.fixture(scope="module")
def acme_json(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("acme") / "scan.json"
    result = qmscheck("scan", ACME, "--no-index", "--format", "json", "-o", out)
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return data


# --- help, version, -o ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", [path for path, _ in commands(main)], ids=lambda p: " ".join(p) or "qmscheck")
def test_every_command_takes_h_as_help(path: tuple[str, ...]) -> None:
    short, long = run(*path, "-h"), run(*path, "--help")
    assert short.exit_code == 0, short.output
    assert short.output == long.output and short.output.startswith("Usage: qmscheck")
    assert "-h, --help" in short.output


def test_every_output_option_has_o_as_short_form() -> None:
    with_output = [
        (path, command) for path, command in commands(main) if any(p.name == "output" for p in command.params)
    ]
    assert len(with_output) >= 6  # scan, report, inventory, diff, plan, checklist write, bundle...
    for path, command in with_output:
        (option,) = [p for p in command.params if p.name == "output"]
        assert "-o" in option.opts, " ".join(path)


def test_version_names_the_pack_api_and_the_installed_packs() -> None:
    for flag in ("-V", "--version"):
        result = qmscheck(flag)
        assert result.returncode == 0, result.stderr
        first, packs = result.stdout.splitlines()
        assert first == f"qmscheck {__version__} (pack API {API_VERSION})"
        assert re.fullmatch(r"rule packs: .*\biso9001 \d+\.\d+\.\d+\b.*", packs), packs


# --- choices --------------------------------------------------------------------------------------


def test_choices_are_accepted_in_any_case(tmp_path: Path, acme_json: dict[str, Any]) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(acme_json), encoding="utf-8")
    html = run("report", saved, "--format", "HTML", "--fail-on", "MAJOR", "--audience", "Auditor")
    assert html.exit_code == ExitCode.FINDINGS, html.output
    assert html.stdout.startswith("<!DOCTYPE html>")
    markdown = run("report", saved, "--format", "MD", "--fail-on", "Never")
    assert markdown.exit_code == ExitCode.OK, markdown.output
    assert markdown.stdout == run("report", saved, "--format", "markdown").stdout


def test_an_unknown_format_lists_every_accepted_name_and_extension(tmp_path: Path) -> None:
    result = run("scan", tmp_path, "--format", "htm")
    assert result.exit_code == ExitCode.USAGE_ERROR
    for accepted in ("html", "json", "junit (xml)", "markdown (md)", "sarif", "text (txt)"):
        assert accepted in result.stderr
    assert "did you mean 'html'?" in result.stderr


def test_an_unknown_choice_names_the_allowed_values_and_the_closest() -> None:
    result = run("scan", ACME, "--fail-on", "MINR")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert "'major', 'minor', 'request', 'observation', 'never'" in result.stderr
    assert "did you mean 'minor'?" in result.stderr


# --- -q and report's exit code -------------------------------------------------------------------


def test_quiet_leaves_stderr_empty_and_the_report_whole(tmp_path: Path, acme_json: dict[str, Any]) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(acme_json), encoding="utf-8")
    where: list[list[str | Path]] = [["-o", tmp_path / "out.md"], ["--output-dir", tmp_path / "reports"], []]
    for args in where:
        loud, quiet = run("report", saved, "--format", "md", *args), run("report", saved, "--format", "md", "-q", *args)
        assert loud.stderr and quiet.stderr == "", args
        assert quiet.stdout == loud.stdout
    scan = qmscheck("scan", "-q", ACME / "share", "--no-index", "--as-of", "2025-06-30", "-o", tmp_path / "out.txt")
    assert scan.returncode == ExitCode.FINDINGS and scan.stderr == ""  # no note, warning, progress or summary
    inventory = qmscheck("inventory", ACME, "-q", "--format", "json", "-o", tmp_path / "inventory.json")
    assert inventory.returncode == 0 and inventory.stderr == ""


def test_report_exits_0_unless_fail_on_is_given(tmp_path: Path, acme_json: dict[str, Any]) -> None:
    saved = tmp_path / "scan.json"
    saved.write_text(json.dumps(acme_json), encoding="utf-8")
    assert acme_json["summary"]["major"] == 1
    assert run("report", saved).exit_code == ExitCode.OK
    assert run("report", saved, "--fail-on", "major").exit_code == ExitCode.FINDINGS


# --- which configuration a scan reads ------------------------------------------------------------


def test_a_subfolder_is_scanned_with_the_qmscheck_toml_above_it(acme_json: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "share.json"
    result = qmscheck("scan", "share", "--no-index", "--format", "json", "-o", out, cwd=ACME)
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    assert "note: using qmscheck.toml for share (evidence read: share)" in result.stderr
    share = json.loads(out.read_text(encoding="utf-8"))
    assert share["findings"] == acme_json["findings"]
    assert share["summary"]["major"] == 1 and share["as_of"] == "2026-03-31"


def test_a_deeper_folder_reads_only_its_own_evidence_with_the_settings_above() -> None:
    config = load_config(ACME / "share" / "04 Records")
    assert config.file == ACME / "qmscheck.toml"
    assert [source.options()["path"] for source in config.sources] == ["share/04 Records"]
    assert config.organisation.name == "Acme Precision Parts Ltd" and config.scan.as_of == date(2026, 3, 31)
    # The folder holding the config, or the config itself, reads every source as it says.
    assert load_config(ACME).sources == load_config(ACME / "qmscheck.toml").sources


def test_config_names_the_settings_for_a_folder_elsewhere(tmp_path: Path, acme_json: dict[str, Any]) -> None:
    copy = tmp_path / "evidence"
    shutil.copytree(ACME / "share", copy)
    out = tmp_path / "copy.json"
    result = qmscheck("scan", copy, "--config", ACME / "qmscheck.toml", "--no-index", "--format", "json", "-o", out)
    assert result.returncode == ExitCode.FINDINGS, result.stderr
    assert f"(evidence read: {copy})" in result.stderr
    findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
    assert [(f["rule_id"], f["grade"]) for f in findings] == [(f["rule_id"], f["grade"]) for f in acme_json["findings"]]
    bare = qmscheck("scan", copy, "--no-index", "--format", "json", "--fail-on", "never")
    assert json.loads(bare.stdout)["findings"] != findings  # without it: no date, no exclusion


def test_plan_and_sample_read_the_config_as_scan_does(tmp_path: Path, acme_json: dict[str, Any]) -> None:
    copy, saved = tmp_path / "evidence", tmp_path / "scan.json"
    shutil.copytree(ACME / "share", copy)
    saved.write_text(json.dumps(acme_json), encoding="utf-8")
    without = run("plan", copy, "--report", saved)
    assert without.exit_code == ExitCode.USAGE_ERROR and "[[audit.sites]]" in without.stderr
    plan = run("plan", copy, "--report", saved, "--config", ACME / "qmscheck.toml")
    assert plan.exit_code == 0, plan.output
    assert plan.stdout.startswith("# Audit plan: Acme Precision Parts Ltd") and "note: using " in plan.stderr
    below = run("sample", ACME / "share", "--list", "--no-index")
    assert below.exit_code == 0, below.output
    assert below.stdout == run("sample", ACME, "--list", "--no-index").stdout


def test_a_single_file_is_a_clear_error() -> None:
    target = next((ACME / "share").rglob("*.docx"))
    result = run("scan", target, "--no-index")
    assert result.exit_code == ExitCode.USAGE_ERROR
    assert result.stderr == (
        f"error: {target} is a file: TARGET must be a folder of evidence or a qmscheck.toml "
        "(to check one document, scan the folder holding it)\n"
    )
    assert "is a file: TARGET must be a folder" in run("inventory", target).stderr


# --- --as-of --------------------------------------------------------------------------------------


def item(number: int, **dates: date) -> EvidenceItem:
    provenance = Provenance(connector="test", locator=Locator(path=f"p{number}.md"))
    return EvidenceItem(
        id=f"doc-{number}", type="procedure", kind="document", provenance=provenance, dates=Dates(**dates)
    )


def test_evidence_dated_after_the_as_of_day_is_left_out_and_counted() -> None:
    day = date(2025, 6, 30)
    before = EvidenceGroup.of_items("a", [item(1, issued=date(2025, 1, 1)), item(2, due=date(2027, 1, 1))])
    mixed = EvidenceGroup.of_items(
        "b", [item(3, approved=date(2025, 7, 1)), item(4, issued=day), item(5, completed=date(2026, 1, 1))]
    )
    later = EvidenceGroup.of_items("c", [item(6, issued=date(2025, 7, 1))])
    stood = Collection(groups=[before, mixed, later]).as_it_stood(day)
    assert stood.groups[0] is before  # untouched: its stored results still apply
    assert [[i.id for i in g.items()] for g in stood.groups] == [["doc-1", "doc-2"], ["doc-4"]]
    assert stood.groups[1].digest != mixed.digest
    (warning,) = stood.warnings
    assert warning.locator == AS_OF_LOCATOR and warning.message.startswith("3 evidence item(s)")
    unchanged = Collection(groups=[before])
    assert unchanged.as_it_stood(day) is unchanged


def test_as_of_before_the_evidence_warns_with_the_count(tmp_path: Path) -> None:
    out = tmp_path / "scan.json"
    result = qmscheck("scan", ACME, "--as-of", "2025-06-30", "--no-index", "--format", "json", "-o", out)
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    said = re.fullmatch(r"warning: (\d+) evidence item\(s\) issued, approved or completed after 2025-06-30.*", line)
    assert said is not None and int(said[1]) > 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [w["message"] for w in report["warnings"] if w["locator"] == AS_OF_LOCATOR] == [
        line.removeprefix("warning: ")
    ]
    assert report["as_of"] == "2025-06-30"


def test_the_configs_as_of_leaves_nothing_out(acme_json: dict[str, Any]) -> None:
    assert not [w for w in acme_json["warnings"] if w["locator"] == AS_OF_LOCATOR]


# --- rules ---------------------------------------------------------------------------------------


def test_rules_lists_under_a_header_and_filters_by_clause() -> None:
    everything = run("rules")
    assert everything.exit_code == 0
    assert everything.stdout.splitlines()[0].split() == ["ID", "CLAUSE", "GRADE", "STAGES", "CHECK", "TITLE"]
    result = run("rules", "--clause", "7.1,8.4")
    rows = result.stdout.split("\n\n")[0].splitlines()[1:]
    listed = [row.split()[0] for row in rows if re.match(r"[A-Z]+\d{3} ", row)]
    assert listed and {"CAL001", "SUP001"} <= set(listed) and "CMP001" not in listed
    assert all(re.search(r"ISO 9001 (7\.1|8\.4)[. ]", row) for row in rows if re.match(r"[A-Z]+\d{3} ", row))


def test_rules_as_json() -> None:
    result = run("rules", "--format", "JSON", "--clause", "7.1.5")
    data = json.loads(result.stdout)
    assert data["schema_version"] == RULES_SCHEMA_VERSION
    assert [p["name"] for p in data["packs"]] == ["iso9001"]
    assert {r["id"] for r in data["rules"]} == {"CAL001", "CAL002", "CAL003"}
    assert all(r["clause"].startswith("7.1.5") and r["source"] == "iso9001" for r in data["rules"])
    assert [c["clause"] for c in data["clauses"]] == ["7.1.5.1", "7.1.5.2"]


def test_rules_explain_is_markdown_when_piped_and_rendered_on_a_terminal() -> None:
    piped = qmscheck("rules", "explain", "CAL001")
    assert piped.stdout.startswith("# CAL001: ") and "**Clause:**" in piped.stdout
    controller, terminal = os.openpty()
    try:
        subprocess.run(
            [sys.executable, "-m", "qmscheck", "rules", "explain", "CAL001"],
            stdout=terminal,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
            timeout=60,
            check=True,
        )
        os.close(terminal)
        shown = b""
        while chunk := _read(controller):
            shown += chunk
    finally:
        os.close(controller)
    text = shown.decode()
    assert "CAL001: Instruments in use" in text and "**Clause:**" not in text and "# CAL001" not in text


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal's other end is closed: all of it is read
        return b""


def test_a_reader_that_stops_early_is_no_error() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "qmscheck", "rules"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()
    assert process.wait(timeout=60) == 0
    assert process.stderr.read() == b""


# --- one version style ---------------------------------------------------------------------------


def test_every_json_output_states_its_version_as_major_minor(tmp_path: Path) -> None:
    for version in (
        REPORT_SCHEMA_VERSION,
        INVENTORY_SCHEMA_VERSION,
        JSON_VERSION,
        BUNDLE_FORMAT_VERSION,
        RULES_SCHEMA_VERSION,
    ):
        assert isinstance(version, str) and re.fullmatch(r"\d+\.\d+", version), version
    out = tmp_path / "inventory.json"
    assert run("inventory", ACME, "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == INVENTORY_SCHEMA_VERSION


def test_shell_completion_as_the_readme_documents_it() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert '"$(_QMSCHECK_COMPLETE=bash_source qmscheck)"' in readme
    completing = {"_QMSCHECK_COMPLETE": "bash_complete", "COMP_WORDS": "qmscheck scan --fail-on m", "COMP_CWORD": "3"}
    script = Path(sys.executable).parent / "qmscheck"  # the installed command: completion goes by its name
    result = subprocess.run(
        [script],
        capture_output=True,
        text=True,
        env={**os.environ, **completing},
        timeout=60,
        check=False,
    )
    assert result.stdout.split() == ["plain,major", "plain,minor"]
