"""Cross-document checks through a scan of a small share: management review minutes whose action table
contradicts the action register (MRV006) or names actions the register shows overdue (MRV007), and a
training matrix naming work instructions that are superseded or do not exist (CMP003)."""

from __future__ import annotations

from datetime import date

import pytest
from qmscheck.model.report import Finding, Report
from qmscheck.scan import ScanRequest, scan

CONTROL = "| | |\n|---|---|\n| Document No | {number} |\n| Revision | {revision} |\n| Status | {status} |\n"

MINUTES = """# Management Review Minutes 2025

Meeting date: 2025-11-20. Chair: Owen Mills.

## Review inputs

Customer satisfaction, audit results and supplier performance were reviewed.

## Actions

| Action ID | Action | Owner | Due | Status |
|---|---|---|---|---|
| MR-25-01 | Automate release evidence | Dan Okoro | 2026-03-31 | Closed |
| MR-25-02 | Hire an SRE | Owen Mills | 2026-01-31 | Done |
| MR-25-03 | Revise the supplier procedure | Priya Shah | 2026-01-15 | Open |
| MR-25-04 | Calibrate the new gauge | Mia Novak | 2026-06-30 | Open |
| MR-25-07 | Update the objectives | Leah Grant | 2025-12-31 | Closed |
"""

REGISTER = """Action ID,Action,Owner,Due,Status
MR-25-01,Automate release evidence,Dan Okoro,2026-03-31,Closed
MR-25-02,Hire an SRE,Owen Mills,2026-01-31,Open
MR-25-03,Revise the supplier procedure,Priya Shah,2026-01-15,Open
MR-25-04,Calibrate the new gauge,Mia Novak,2026-06-30,In progress
MR-25-05,Review the risk register,Priya Shah,2026-05-31,Open
"""

TRAINING = """Employee,Role,Training,Date,Status
Ana Silva,Press operator,WI-02 Press setup,2025-09-01,Competent
Tom Becker,Press operator,WI-05 Old press changeover,2024-03-12,Competent
Mei Chen,Inspector,WI-09 Visual inspection,2025-05-20,Competent
Mei Chen,Inspector,First aid,2025-05-20,Competent
"""


def _instruction(number: str, title: str, status: str) -> str:
    return (
        f"# {number} {title} Work Instruction\n\n{CONTROL.format(number=number, revision='B', status=status)}\n"
        "## Safety\nWear gloves.\n\n## Instructions\nAll press operators shall be trained in this instruction.\n"
    )


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    share = tmp_path_factory.mktemp("share")
    files = {
        "05 Management review/2025-11-20 Management Review Minutes.md": MINUTES,
        "06 Registers/Action Register.csv": REGISTER,
        "03 Work instructions/WI-02 Press setup.md": _instruction("WI-02", "Press setup", "Released"),
        "03 Work instructions/WI-05 Old press changeover.md": _instruction(
            "WI-05", "Old press changeover", "Superseded"
        ),
        "06 Registers/Training Matrix.csv": TRAINING,
    }
    for name, text in files.items():
        path = share / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan(ScanRequest(share, as_of=date(2026, 3, 31)))


def _findings(report: Report, rule_id: str) -> list[Finding]:
    """The findings the rule is among (its own, or one it was merged into)."""
    return [finding for finding in report.findings if rule_id in (finding.rule_id, *finding.also_reported_by)]


def _cited(finding: Finding) -> set[str]:
    return {ref.locator for ref in finding.evidence}


def test_an_action_the_minutes_call_done_but_the_register_has_open_is_a_finding(report: Report) -> None:
    (finding,) = _findings(report, "MRV006")
    said = finding.statement
    assert "status Done" in said and "status Open" in said
    assert {
        "05 Management review/2025-11-20 Management Review Minutes.md [Actions] row 14",
        "06 Registers/Action Register.csv row 3",
    } <= _cited(finding)
    # Closed in both (MR-25-01), and open in the minutes (MR-25-03), are not contradictions.
    assert "MR-25-01" not in said


def test_an_action_the_minutes_call_closed_that_the_register_lacks_is_a_finding(report: Report) -> None:
    (finding,) = _findings(report, "MRV006")
    assert "MR-25-07" in finding.statement
    assert "05 Management review/2025-11-20 Management Review Minutes.md [Actions] row 17" in _cited(finding)


def test_a_review_action_open_past_its_due_date_in_the_register_is_a_finding(report: Report) -> None:
    findings = _findings(report, "MRV007")
    said = " ".join(finding.statement for finding in findings)
    cited = set().union(*(_cited(finding) for finding in findings))
    # MR-25-02 (due 2026-01-31) and MR-25-03 (due 2026-01-15) are open in the register after their dates.
    assert {"06 Registers/Action Register.csv row 3", "06 Registers/Action Register.csv row 4"} <= cited
    assert "has a closed status or a due date that has not passed" in said
    # MR-25-04 is open but not yet due; MR-25-07 is not in the register, which is MRV006's to say.
    assert "MR-25-04" not in said
    assert "06 Registers/Action Register.csv row 5" not in cited


def test_training_on_a_superseded_or_missing_instruction_is_advice(report: Report) -> None:
    (finding,) = _findings(report, "CMP003")
    assert finding.grade.value == "observation"
    assert "names WI-05, but no" in finding.statement and "a status that keeps it in force" in finding.statement
    assert "names WI-09: no" in finding.statement
    cited = _cited(finding)
    assert "03 Work instructions/WI-05 Old press changeover.md" in cited
    # The course on the released WI-02, and one naming no document, are not judged against anything.
    assert "06 Registers/Training Matrix.csv row 2" not in cited
    assert "06 Registers/Training Matrix.csv row 5" not in cited
