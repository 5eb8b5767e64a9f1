"""A scan names the rules that passed, with the evidence each read, and the rules that did not run; a rescan
that reuses every stored finding says exactly what a full scan says."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from qmscheck.collecting.run import CollectOptions
from qmscheck.model.report import Report
from qmscheck.rendering.json import JsonRenderer
from qmscheck.scan import ScanRequest, scan

ROOT = Path(__file__).resolve().parents[1]
ACME = ROOT / "fixtures" / "acme"
CALIBRATION = Path("share") / "04 Records" / "Calibration Log.xlsx"


@pytest.fixture
def acme(tmp_path: Path) -> Path:
    org = tmp_path / "acme"
    shutil.copytree(ACME, org, ignore=shutil.ignore_patterns(".qmscheck"))
    return org


def run(org: Path, index: Path | None, **request: object) -> tuple[Report, Counter[str]]:
    options = CollectOptions(index=index)
    report = scan(ScanRequest(target=org, collect=options, **request))  # type: ignore[arg-type]
    return report, options.stats


def as_json(report: Report) -> str:
    return JsonRenderer().render(report)


def test_every_rule_that_ran_either_passed_or_raised_findings(acme: Path) -> None:
    report, _ = run(acme, None)
    raised = {finding.rule_id for finding in report.findings}
    passed = {rule.rule_id for rule in report.rules_passed}
    assert passed and passed.isdisjoint(raised)
    assert len(passed) + len(raised) == report.rules_evaluated
    not_run = {rule.rule_id: rule.reason for rule in report.rules_not_run}
    assert not_run["DES001"] == "not applicable: clause 8.3 declared not applicable"  # acme does no design
    assert passed.isdisjoint(not_run) and raised.isdisjoint(not_run)


def test_a_passed_rule_names_the_files_it_read(acme: Path) -> None:
    report, _ = run(acme, None)
    policy = next(rule for rule in report.rules_passed if rule.rule_id == "POL002")
    assert policy.evidence.files == len(policy.evidence.sample) >= 1
    assert policy.evidence.items >= policy.evidence.files
    assert all(locator.startswith("filesystem:") for locator in policy.evidence.sample)


def test_stage_1_lists_the_record_rules_as_not_run(acme: Path) -> None:
    report, _ = run(acme, None, stage=1)
    not_run = {rule.rule_id: rule.reason for rule in report.rules_not_run}
    assert not_run["CAL001"] == "stage 2 only"
    assert "CAL001" not in {rule.rule_id for rule in report.rules_passed}


def test_manual_checks_leave_out_the_clauses_declared_not_applicable(acme: Path) -> None:
    report, _ = run(acme, None)
    clauses = [check.clause for check in report.manual_checks]
    assert "7.3" in clauses and "10.3" in clauses and "8.3.1" not in clauses


def test_a_rescan_reusing_every_stored_finding_reports_byte_for_byte_what_a_full_scan_does(
    acme: Path, tmp_path: Path
) -> None:
    index = tmp_path / "index.sqlite"
    full, _ = run(acme, None)
    first, _ = run(acme, index)
    again, stats = run(acme, index)
    assert stats["rules_reused"] == again.rules_evaluated and stats["rules_evaluated"] == 0
    assert as_json(again) == as_json(first) == as_json(full)


def test_after_a_change_the_rescan_still_matches_a_full_scan(acme: Path, tmp_path: Path) -> None:
    index = tmp_path / "index.sqlite"
    before, _ = run(acme, index)
    book = openpyxl.load_workbook(acme / CALIBRATION)
    sheet = book.active
    assert sheet is not None
    sheet.append(["CAL-099", "Height gauge", "Inspection", "2026-01-10", "2027-01-10", "Cert 99", "in use"])
    book.save(acme / CALIBRATION)
    again, stats = run(acme, index)
    assert 0 < stats["rules_evaluated"] < again.rules_evaluated
    full, _ = run(acme, None)
    assert as_json(again) == as_json(full)
    # CAL002 passes on acme: what it read changed with the file, and the report says so.
    old, new = (next(r.evidence for r in report.rules_passed if r.rule_id == "CAL002") for report in (before, again))
    assert (new.files, new.items, new.sample) == (old.files, old.items + 1, old.sample)
