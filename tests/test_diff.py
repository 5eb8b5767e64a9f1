"""``qmscheck diff`` follows findings from one scan to the next by fingerprint, and ``qmscheck history``
lists the scans an evidence index kept.

The end-to-end cases scan a copy of fixtures/acme (never the fixture itself), change one register
with openpyxl and scan again."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from qmscheck.auditing.diff import DIFF_FORMATS, diff_reports, render_diff
from qmscheck.cli_audit.diff import FORMATS, diff_command, history_command
from qmscheck.collecting.run import CollectOptions
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.rendering.json import JsonRenderer
from qmscheck.scan import ScanRequest, scan
from qmscheck.storage.history import read_history
from test_render_golden import XSS, XSS_FLAG, golden_report

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
CALIBRATION_LOG = Path("share") / "04 Records" / "Calibration Log.xlsx"


def acme_copy(tmp_path: Path) -> Path:
    target = tmp_path / "acme"
    shutil.copytree(ACME, target, ignore=shutil.ignore_patterns(".qmscheck"))
    return target


def edit_instrument(target: Path, instrument: str, column: str, value: object) -> None:
    """Set one cell of the calibration log's row for ``instrument``, as a user editing it would."""
    path = target / CALIBRATION_LOG
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Instruments"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == instrument:
            row[header.index(column)].value = value
            break
    else:
        raise AssertionError(f"{instrument} is not in the calibration log")
    workbook.save(path)


def scan_json(target: Path, index: Path | None = None) -> Report:
    report = scan(ScanRequest(target=target, collect=CollectOptions(index=index)))
    # As a user compares them: two saved JSON reports.
    return Report.model_validate_json(JsonRenderer().render(report))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Report:
    return scan_json(acme_copy(tmp_path_factory.mktemp("baseline")))


def test_fixing_one_seeded_defect_resolves_that_finding_and_changes_nothing_else(
    baseline: Report, tmp_path: Path
) -> None:
    target = acme_copy(tmp_path)
    # CAL-007, the thread plug gauge 75 days overdue (seeded defect 7), is calibrated again.
    edit_instrument(target, "CAL-007", "Last Calibrated", datetime(2026, 3, 20))
    edit_instrument(target, "CAL-007", "Next Due", datetime(2027, 3, 20))
    diff = diff_reports(baseline, scan_json(target))

    assert diff.matched_by == "fingerprint" and diff.notes == []
    assert (diff.counts.new, diff.counts.resolved, diff.counts.regraded, diff.counts.changed) == (0, 1, 0, 0)
    assert diff.counts.persisting == len(baseline.findings) - 1
    (resolved,) = diff.of("resolved")
    (overdue,) = [f for f in baseline.findings if f.rule_id == "CAL001" and f.grade is Grade.MINOR]
    assert (resolved.fingerprint, resolved.grade) == (overdue.fingerprint, Grade.MINOR)
    assert "1 resolved" in render_diff(diff, "text")


def test_an_edit_of_a_cited_file_that_fixes_nothing_changes_no_finding(baseline: Report, tmp_path: Path) -> None:
    target = acme_copy(tmp_path)
    edit_instrument(target, "CAL-007", "Location", "Cell 3")  # the overdue gauge moved: still overdue
    after = scan_json(target)
    diff = diff_reports(baseline, after)

    assert diff.counts.persisting == len(baseline.findings) == len(diff.findings)
    cited = {ref.sha256 for f in after.findings for ref in f.evidence if "Calibration Log" in ref.locator}
    before = {ref.sha256 for f in baseline.findings for ref in f.evidence if "Calibration Log" in ref.locator}
    assert cited and cited.isdisjoint(before)  # the file's bytes did change


def fingerprinted(report: Report) -> Report:
    findings = [f.model_copy(update={"fingerprint": f"{f.rule_id}-{n:012x}"}) for n, f in enumerate(report.findings)]
    return report.model_copy(update={"findings": findings})


def test_regraded_and_changed_extent_are_told_apart() -> None:
    old = fingerprinted(golden_report())
    first, second, *rest = old.findings
    worse = Grade.MAJOR if first.grade is not Grade.MAJOR else Grade.MINOR
    wider = second.model_copy(update={"failing": (second.failing or 1) + 1, "evidence": second.evidence[:-1]})
    new = old.model_copy(update={"findings": [first.model_copy(update={"grade": worse}), wider, *rest[1:]]})
    diff = diff_reports(old, new)

    (regraded,) = diff.of("regraded")
    assert (regraded.fingerprint, regraded.old_grade, regraded.grade) == (first.fingerprint, first.grade, worse)
    (changed,) = diff.of("changed")
    assert changed.fingerprint == second.fingerprint and changed.old_failing != changed.failing
    assert [r.fingerprint for r in diff.of("resolved")] == [rest[0].fingerprint]
    assert f"{first.grade.label} -> {worse.label}" in render_diff(diff, "text")


def test_reports_without_fingerprints_are_matched_by_rule_clause_and_files_and_say_so() -> None:
    old = golden_report()
    assert not any(f.fingerprint for f in old.findings)
    new = old.model_copy(update={"findings": old.findings[1:]})
    diff = diff_reports(old, new)
    assert diff.matched_by == "rule, clause and cited files"
    assert (diff.counts.resolved, diff.counts.persisting) == (1, len(old.findings) - 1)
    assert "no fingerprints" in diff.notes[0]
    assert "no fingerprints" in render_diff(diff, "text")


@pytest.mark.parametrize("format_name", DIFF_FORMATS)
def test_every_format_names_each_change_and_keeps_hostile_text_inert(format_name: str) -> None:
    old = fingerprinted(golden_report())
    new = old.model_copy(update={"findings": old.findings[1:]})
    text = render_diff(diff_reports(old, new), format_name)
    assert text == render_diff(diff_reports(old, new), format_name)  # deterministic
    if format_name == "json":
        data = json.loads(text)
        assert data["counts"]["resolved"] == 1 and data["findings"][0]["change"] == "resolved"
    if format_name in ("html", "markdown"):
        assert XSS not in text and XSS_FLAG not in text
    if format_name == "html":
        assert '<section id="resolved" data-count="1">' in text and "Content-Security-Policy" in text


def test_the_command_writes_each_format_and_fails_on_a_new_finding_only_when_asked(tmp_path: Path) -> None:
    assert FORMATS == DIFF_FORMATS
    old = fingerprinted(golden_report())
    new = old.model_copy(update={"findings": old.findings[1:]})
    old_file, new_file = tmp_path / "old.json", tmp_path / "new.json"
    old_file.write_text(JsonRenderer().render(old), encoding="utf-8")
    new_file.write_text(JsonRenderer().render(new), encoding="utf-8")
    runner = CliRunner()

    shown = runner.invoke(diff_command, [str(old_file), str(new_file), "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["counts"]["resolved"] == 1
    # Reversed, the resolved finding is new: its grade decides --fail-on-new.
    grade = old.findings[0].grade
    reverse = [str(new_file), str(old_file), "--fail-on-new"]
    assert runner.invoke(diff_command, [*reverse, grade.value]).exit_code == 1
    assert runner.invoke(diff_command, [str(new_file), str(old_file)]).exit_code == 0
    if grade is not Grade.MAJOR:
        assert runner.invoke(diff_command, [*reverse, "major"]).exit_code == 0
    page = tmp_path / "diff.html"
    written = runner.invoke(diff_command, [str(old_file), str(new_file), "--format", "html", "--output", str(page)])
    assert written.exit_code == 0 and page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert runner.invoke(diff_command, [str(old_file), str(new_file), "--fail-on-new", "majr"]).exit_code == 2


def test_history_lists_the_scans_oldest_first_with_the_trend(tmp_path: Path) -> None:
    target = acme_copy(tmp_path)
    index = tmp_path / "index.sqlite"
    first = scan_json(target, index)
    edit_instrument(target, "CAL-007", "Next Due", datetime(2027, 3, 20))
    second = scan_json(target, index)

    records = read_history(index)
    assert [r.summary["minor"] for r in records] == [first.summary.minor, second.summary.minor]
    assert records[1].findings == {f.fingerprint: f.grade.value for f in second.findings}
    shown = CliRunner().invoke(history_command, [str(target), "--index", str(index)])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    assert (
        lines[0].startswith("2 scans kept in")
        and "0 new, 1 resolved, 0 re-graded since the stage 2 scan before" in lines[2]
    )
    data = json.loads(
        CliRunner().invoke(history_command, [str(target), "--index", str(index), "--format", "json"]).output
    )
    assert [(entry["new"], entry["resolved"]) for entry in data] == [(None, None), (0, 1)]


def test_history_of_an_index_without_scans_says_so(tmp_path: Path) -> None:
    shown = CliRunner().invoke(history_command, [str(tmp_path), "--index", str(tmp_path / "none.sqlite")])
    assert shown.exit_code == 0 and shown.output.startswith("no scans kept in")
