"""No absence is claimed on evidence the scan did not understand: such absences are evidence
requests that name what was searched and the files that may hold the evidence."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.rendering.readiness import verdict
from qmscheck.scan import ScanRequest, scan

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
#: Rules of the sample organisation whose seeded defect is an absence (fixtures/acme/README.md).
#: acme's findings of absence (no KPI report for some months); AUD001 cites the programme row of
#: the process planned and never audited, so it is no absence.
ACME_ABSENCES = {"MON001"}


def _scan(target: Path) -> Report:
    return scan(ScanRequest(target=target))


def _acme_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "acme"
    shutil.copytree(ACME, copy)
    return copy


def _absences(report: Report) -> dict[str, Grade]:
    return {finding.rule_id: finding.grade for finding in report.findings if finding.absence}


def test_a_share_understood_whole_keeps_its_absences_as_nonconformities() -> None:
    report = _scan(ACME)
    assert report.understanding is not None
    assert report.understanding.not_understood == []
    assert report.understanding.recognised == report.understanding.files > 20
    assert {rule: grade for rule, grade in _absences(report).items() if rule in ACME_ABSENCES} == {
        "MON001": Grade.MINOR,
    }
    assert report.summary.request == 0


def test_an_unreadable_file_turns_absences_into_requests_that_name_it(tmp_path: Path) -> None:
    share = _acme_copy(tmp_path)
    broken = share / "share" / "04 Records" / "KPI Dashboard 2026.xlsx"
    broken.write_bytes(b"not a workbook")
    report = _scan(share)

    assert report.understanding is not None
    assert [
        (entry.locator, entry.reason.startswith("not a valid .xlsx")) for entry in report.understanding.not_understood
    ] == [("04 Records/KPI Dashboard 2026.xlsx", True)]
    for finding in report.findings:
        if finding.rule_id in ACME_ABSENCES:
            assert finding.grade is Grade.REQUEST
            assert "04 Records/KPI Dashboard 2026.xlsx" in [ref.locator for ref in finding.evidence]
            assert "could not be read" in finding.statement
            assert "recognised file" in finding.statement
            assert "If it does not exist, this is a minor nonconformity." in finding.statement
    # What was established stays as it was: the competence breakdown is still a major.
    assert [f.rule_id for f in report.findings if f.grade is Grade.MAJOR] == ["CMP001"]
    assert report.summary.request == len(ACME_ABSENCES)
    assert report.warnings[0].unread


def test_an_unrecognised_file_may_be_the_evidence(tmp_path: Path) -> None:
    share = _acme_copy(tmp_path)
    (share / "share" / "08 Varios").mkdir()
    (share / "share" / "08 Varios" / "doc-17.md").write_text("# Notas\n\nVer anexo.\n", encoding="utf-8")
    report = _scan(share)
    assert report.understanding is not None
    assert report.understanding.line().endswith("; 1 not recognised")
    requests = [f for f in report.findings if f.grade is Grade.REQUEST]
    assert {f.rule_id for f in requests} == ACME_ABSENCES
    for finding in requests:
        assert finding.evidence[-1].locator == "08 Varios/doc-17.md"
        assert finding.evidence[-1].label == "not recognised"


@pytest.mark.parametrize("content", ["empty", "unrelated"])
def test_nothing_recognised_is_said_plainly_and_claims_no_absence(tmp_path: Path, content: str) -> None:
    share = tmp_path / "share"
    share.mkdir()
    if content == "unrelated":
        (share / "recipes.md").write_text("# Pancakes\n\nFlour, eggs, milk.\n", encoding="utf-8")
        (share / "holiday.txt").write_text("Off from 3 to 17 August.\n", encoding="utf-8")
    report = _scan(share)

    assert report.understanding is not None and report.understanding.recognised == 0
    assert report.findings, "the rules still say what they looked for"
    assert not [f for f in report.findings if f.absence and f.grade in (Grade.MAJOR, Grade.MINOR)]
    assert report.summary.major == 0
    card = verdict(report, 2)
    assert card.status == "unconfirmed"
    assert card.headline.startswith("Not established: no quality-system evidence recognised")


def test_files_skipped_for_their_size_are_named_as_possible_evidence(tmp_path: Path) -> None:
    from qmscheck.collecting.run import CollectOptions

    report = scan(ScanRequest(target=ACME, collect=CollectOptions(max_file_size=1024)))
    assert report.understanding is not None
    assert report.understanding.recognised < report.understanding.files
    assert report.summary.major == len([f for f in report.findings if f.grade is Grade.MAJOR and not f.absence])
    skipped = {entry.locator for entry in report.understanding.not_understood if entry.reason.startswith("skipped")}
    for finding in report.findings:
        if finding.grade is Grade.REQUEST:
            assert skipped <= {ref.locator for ref in finding.evidence}


def test_the_command_line_exits_2_when_nothing_was_recognised_and_still_writes_the_report(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from qmscheck.cli import main

    share = tmp_path / "wrong folder"
    share.mkdir()
    (share / "recipes.md").write_text("# Pancakes\n", encoding="utf-8")
    out = tmp_path / "scan.json"
    result = CliRunner().invoke(main, ["scan", str(share), "--no-index", "--format", "json", "--output", str(out)])
    assert result.exit_code == 2
    assert "no quality-system evidence recognised" in result.stderr
    assert "0 of 1 file recognised; 1 not recognised" in result.stderr
    assert Report.model_validate_json(out.read_text(encoding="utf-8")).summary.major == 0


def test_fail_on_request_makes_requests_fail_a_gate(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from qmscheck.cli import main

    share = _acme_copy(tmp_path)
    (share / "share" / "notes.md").write_text("# Notas\n", encoding="utf-8")
    runner = CliRunner()
    base = ["scan", str(share), "--no-index", "--format", "json"]
    assert runner.invoke(main, [*base, "--fail-on", "request"]).exit_code == 1
    minor_only = runner.invoke(main, [*base, "--fail-on", "never"])
    assert minor_only.exit_code == 0
    assert Report.model_validate_json(minor_only.stdout).summary.request == len(ACME_ABSENCES)
