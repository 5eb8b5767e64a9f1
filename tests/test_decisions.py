"""Decisions recorded per fingerprint in qmscheck.decisions.toml: a waived or refuted finding stays in
every format, marked so, and stops counting; an expired waiver no longer does; a regraded finding
takes the auditor's grade; a decision no finding has is reported as stale; a broken file is named
with the key at fault."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from qmscheck.auditing.decisions import DECISIONS_NAME, apply_decisions, load_decisions
from qmscheck.errors import ConfigError
from qmscheck.model.grades import Grade
from qmscheck.model.report import Finding, Report, finding_sort_key
from qmscheck.plugins.manager import load_plugins
from qmscheck.rendering.readiness import verdict
from qmscheck.scan import ScanRequest, scan

ACME = Path(__file__).resolve().parents[1] / "fixtures" / "acme"
AS_OF = date(2026, 3, 31)
REASON = "Gauge quarantined in the tool crib; replacement ordered"


@pytest.fixture(scope="module")
def acme() -> Report:
    return scan(ScanRequest(target=ACME))


def only(report: Report, rule_id: str, grade: Grade) -> Finding:
    (finding,) = [f for f in report.findings if f.rule_id == rule_id and f.grade is grade]
    return finding


def decide(tmp_path: Path, text: str, name: str = DECISIONS_NAME) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def waiver(fingerprint: str, expires: str) -> str:
    return f"""
[findings.{fingerprint}]
status = "waived"
reason = "{REASON}"
by = "P. Nair, Quality Manager"
date = 2026-03-02
expires = {expires}
"""


def test_a_waiver_beside_the_config_sets_the_finding_aside_in_every_format(tmp_path: Path) -> None:
    target = tmp_path / "acme"
    shutil.copytree(ACME, target, ignore=shutil.ignore_patterns(".qmscheck"))
    before = scan(ScanRequest(target=target))
    overdue = only(before, "CAL001", Grade.MINOR)
    decide(target, waiver(overdue.fingerprint, "2026-06-30"))
    report = scan(ScanRequest(target=target / "qmscheck.toml"))  # named: trusted, so its decisions apply

    waived = only(report, "CAL001", Grade.MINOR)
    assert waived.disposition is not None and waived.disposition.status == "waived" and not waived.counted
    assert report.summary.minor == before.summary.minor - 1 and len(report.findings) == len(before.findings)
    renderers = load_plugins().renderers
    text = " ".join(renderers.get("text").render(report).split())  # as read, whatever the wrapping
    assert "Decision: Waived until 2026-06-30 by P. Nair, Quality Manager (2026-03-02)" in text
    assert "Not counted: 1 finding set aside by decisions (1 waived)" in text
    data = json.loads(renderers.get("json").render(report))
    (entry,) = [f for f in data["findings"] if f["fingerprint"] == overdue.fingerprint]
    assert entry["disposition"]["status"] == "waived" and entry["disposition"]["expires"] == "2026-06-30"
    html = renderers.get("html").render(report)
    assert f'data-fingerprint="{overdue.fingerprint}" data-disposition="waived"' in html
    assert '<p class="decision">Decision: Waived until 2026-06-30' in html
    # Listed, not counted: the heat-map counts clause 7's minors without it.
    minors = sum(1 for f in before.findings if f.clause.startswith("7.") and f.grade is Grade.MINOR)
    heat = re.search(r'<tr data-clause="7">.*?data-grade="minor" data-count="(\d+)"', html)
    assert heat is not None and int(heat[1]) == minors - 1
    assert "Decision:* Waived until 2026-06-30" in renderers.get("markdown").render(report)
    sarif = json.loads(renderers.get("sarif").render(report))
    results = sarif["runs"][0]["results"]
    (suppressed,) = [r for r in results if "suppressions" in r]
    assert suppressed["properties"]["fingerprint"] == overdue.fingerprint
    (suppression,) = suppressed["suppressions"]
    assert suppression["kind"] == "external" and REASON in suppression["justification"]
    junit = renderers.get("junit").render(report)
    assert f"decision: Waived until 2026-06-30 by P. Nair, Quality Manager (2026-03-02): {REASON}" in junit


def test_a_waiver_past_its_expiry_reappears_as_a_finding(acme: Report, tmp_path: Path) -> None:
    overdue = only(acme, "CAL001", Grade.MINOR)
    decisions = load_decisions(decide(tmp_path, waiver(overdue.fingerprint, "2026-03-30")))
    report = apply_decisions(acme, decisions, AS_OF)

    again = only(report, "CAL001", Grade.MINOR)
    assert again.counted and again.disposition is not None and again.disposition.status == "waiver-expired"
    assert report.summary == acme.summary
    assert "Waiver expired 2026-03-30, counted again" in load_plugins().renderers.get("text").render(report)
    # On its last day the waiver still holds.
    assert not only(apply_decisions(acme, decisions, date(2026, 3, 30)), "CAL001", Grade.MINOR).counted


def test_the_scan_applies_a_decisions_file_it_is_given(acme: Report, tmp_path: Path) -> None:
    major = only(acme, "CMP001", Grade.MAJOR)
    named = decide(tmp_path, waiver(major.fingerprint, "2026-12-31"), "cb-decisions.toml")
    report = scan(ScanRequest(target=ACME, decisions=named))
    assert acme.exceeds(Grade.MAJOR) and not report.exceeds(Grade.MAJOR)
    assert verdict(acme, 2).status == "not-ready" and verdict(report, 2).status != "not-ready"


def test_regraded_refuted_and_verified(acme: Report, tmp_path: Path) -> None:
    overdue = only(acme, "CAL001", Grade.MINOR)
    copy = only(acme, "DOC005", Grade.MINOR)
    supplier = only(acme, "SUP001", Grade.MINOR)
    path = decide(
        tmp_path,
        f"""
[findings.{overdue.fingerprint}]
status = "regraded"
grade = "major"
reason = "Gauge used on released product since its due date"
by = "Lead auditor"

[findings.{copy.fingerprint}]
status = "refuted"
reason = "The copy is the read-only training copy, listed in the distribution list"
note = "Seen on site, 2026-04-02"

[findings.{supplier.fingerprint}]
status = "verified"
by = "Lead auditor"
""",
    )
    report = apply_decisions(acme, load_decisions(path), AS_OF)

    regraded = next(f for f in report.findings if f.fingerprint == overdue.fingerprint)
    assert regraded.grade is Grade.MAJOR and regraded.disposition is not None
    assert regraded.disposition.original_grade is Grade.MINOR
    assert report.findings == sorted(report.findings, key=finding_sort_key)  # by the grade it has now
    refuted = next(f for f in report.findings if f.fingerprint == copy.fingerprint)
    assert not refuted.counted and refuted.disposition is not None and refuted.disposition.status == "refuted"
    verified = next(f for f in report.findings if f.fingerprint == supplier.fingerprint)
    assert verified.counted and verified.disposition is not None and verified.disposition.status == "verified"
    assert (report.summary.major, report.summary.minor) == (acme.summary.major + 1, acme.summary.minor - 2)
    text = " ".join(load_plugins().renderers.get("text").render(report).split())  # whatever the wrapping
    assert "Regraded from Minor nonconformity by Lead auditor: Gauge used on released product" in text
    assert "Refuted: The copy is the read-only training copy" in text and "Note: Seen on site" in text


def test_a_decision_no_finding_has_is_reported_as_stale(acme: Report, tmp_path: Path) -> None:
    path = decide(tmp_path, waiver("CAL001-000000000000", "2026-12-31"))
    report = apply_decisions(acme, load_decisions(path), AS_OF)
    assert [(s.fingerprint, s.status) for s in report.stale_decisions] == [("CAL001-000000000000", "waived")]
    assert report.summary == acme.summary
    renderers = load_plugins().renderers
    assert "Stale decisions (1)" in renderers.get("text").render(report)
    assert "## Stale decisions (1)" in renderers.get("markdown").render(report)
    assert '<section id="stale-decisions">' in renderers.get("html").render(report)
    sarif = json.loads(renderers.get("sarif").render(report))
    assert sarif["runs"][0]["properties"]["staleDecisions"][0]["fingerprint"] == "CAL001-000000000000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[findings.X-1]\nstatus = "waived"\nreson = "r"\n', "findings.X-1.reson: unknown key"),
        ('[findings.X-1]\nstatus = "waived"\nreson = "r"\n', "did you mean 'reason'?"),
        ('[findings.X-1]\nstatus = "waive"\n', "did you mean 'waived'?"),
        ('[findings.X-1]\nstatus = "regraded"\nreason = "r"\ngrade = "majr"\n', "did you mean 'major'?"),
        ('[findings.X-1]\nstatus = "waived"\nreason = "r"\nby = "b"\n', "findings.X-1: Value error, a waived "),
        ('[findings.X-1]\nstatus = "verified"\nby = "b"\nexpires = 2026-01-01\n', "expires is only for a waived"),
        ('[finding.X-1]\nstatus = "verified"\n', "finding: unknown key (known: findings); did you mean 'findings'?"),
        ("[findings.X-1\n", "not valid TOML"),
    ],
    ids=["unknown key", "key hint", "status hint", "grade hint", "waiver needs expiry", "expiry", "table", "toml"],
)
def test_errors_in_the_decisions_file_name_the_file_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = decide(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_decisions(path)
    assert str(path) in str(raised.value) and expected in str(raised.value)


def test_a_broken_decisions_file_fails_the_scan_before_evidence_is_read(tmp_path: Path) -> None:
    path = decide(tmp_path, '[findings.X-1]\nstatus = "waive"\n')
    with pytest.raises(ConfigError, match="did you mean 'waived'"):
        scan(ScanRequest(target=ACME, decisions=path))
    with pytest.raises(ConfigError, match="cannot read"):
        scan(ScanRequest(target=ACME, decisions=tmp_path / "missing.toml"))
