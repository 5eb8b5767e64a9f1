"""Cross-document checks of document control, through a scan of a small share: a master list that
disagrees with the documents (DOC009), a reference to a form that does not exist (DOC010), and a
document stating two revisions (DOC011)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.checking.primitives.covers import revision_key, status_meaning
from qmscheck.collecting.readers.documents import read_document
from qmscheck.model.document_numbers import number_key, number_prefix, numbers_in
from qmscheck.model.report import Report
from qmscheck.scan import ScanRequest, scan
from qmscheck.vocabulary import builtin

CONTROL = "| | |\n|---|---|\n| Document No | {number} |\n| Revision | {revision} |\n| Status | Released |\n"


def _procedure(number: str, revision: str, body: str, history: str = "") -> str:
    return f"# {number} Procedure\n\n{CONTROL.format(number=number, revision=revision)}\n## Purpose\n{body}\n{history}"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    share = tmp_path_factory.mktemp("share")
    files = {
        "02 Procedures/QP-01 Control of Documents.md": _procedure(
            "QP-01",
            "C",
            "Documents are listed on the master list.",
            "\n## Revision history\n\n| Rev | Date | Change |\n|---|---|---|\n| B | 2024-01-10 | Review |\n"
            "| D | 2025-02-14 | New layout |\n",
        ),
        "02 Procedures/QP-03 Nonconformity.md": _procedure(
            "QP-03",
            "D",
            "Record each nonconformity on form F-07 and the action on form F-08. "
            "See WI-12 for containment; this meets ISO 9001:2015 clause 10.2.",
        ),
        "04 Forms/F-07 Nonconformance Report.md": "# F-07 Nonconformance Report Form\n\n"
        + CONTROL.format(number="F-07", revision="A"),
        "01 Lists/Master Document List.csv": "Document No,Title,Revision,Status\n"
        "QP-01,Control of Documents,Rev. C,Current\nQP-03,Nonconformity,C,Current\nF-07,NCR,A,Obsolete\n",
    }
    for name, text in files.items():
        path = share / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return scan(ScanRequest(share, as_of=date(2026, 3, 31)))


def _said(report: Report, rule_id: str) -> str:
    """The statements of the findings the rule is among (its own, or one it was merged into)."""
    return " ".join(
        finding.statement for finding in report.findings if rule_id in (finding.rule_id, *finding.also_reported_by)
    )


def test_master_list_row_disagreeing_with_its_document_says_both_values(report: Report) -> None:
    said = _said(report, "DOC009")
    assert (
        "QP-03 - 01 Lists/Master Document List.csv row 3: revision C; 02 Procedures/QP-03 Nonconformity.md: revision D"
        in said
    )
    assert (
        "F-07 - 01 Lists/Master Document List.csv row 4: status Obsolete; "
        "04 Forms/F-07 Nonconformance Report.md: status approved" in said
    )
    # QP-01's "Rev. C" is the document's C.
    assert "QP-01 -" not in said
    (finding,) = [finding for finding in report.findings if "DOC009" in (finding.rule_id, *finding.also_reported_by)]
    assert {ref.locator for ref in finding.evidence} >= {
        "01 Lists/Master Document List.csv row 3",
        "02 Procedures/QP-03 Nonconformity.md",
    }


def test_reference_to_a_form_of_the_organisations_scheme_that_does_not_exist(report: Report) -> None:
    # F-07 exists; WI-12 and ISO 9001 are of no scheme a document of the share uses.
    said = _said(report, "DOC010")
    assert "refers to F-08: no document in the share has this number" in said
    assert "WI-12" not in said and "ISO" not in said.split("Not met")[-1]


def test_two_revisions_in_one_document_are_a_finding(report: Report) -> None:
    assert "revision conflict 'C' (control table 'Revision') vs 'D' (revision history 'Rev')" in _said(report, "DOC011")


def test_a_conflict_stays_a_read_warning_and_a_misread_cell_is_no_conflict(tmp_path: Path) -> None:
    path = tmp_path / "QP-05.md"
    path.write_text(
        _procedure(
            "QP-05",
            "2.1",
            "Text.",
            '\n## Revision history\n\n| Version | Date |\n|---|---|\n| "Teams" subscription | 2025-01-10 |\n',
        ),
        encoding="utf-8",
    )
    meta = read_document(path)
    assert any("conflicting revision" in warning and "Teams" in warning for warning in meta.warnings)
    assert "revision_conflict" not in meta.extra


@pytest.mark.parametrize(
    ("one", "other"),
    [("Rev. C", "c"), ("03", "3"), ("Issue 3", "3"), ("v2.0", "2"), ("Ed. 2", "2"), ("2.0.1", "2.0.1")],
)
def test_revisions_compare_without_label_case_or_leading_zeros(one: str, other: str) -> None:
    assert revision_key(one) == revision_key(other)


def test_different_revisions_stay_different() -> None:
    assert revision_key("C") != revision_key("D")
    assert revision_key("2.0.1") != revision_key("2.0.2")
    assert revision_key("AB") == "ab"


def test_statuses_compare_by_lifecycle_meaning() -> None:
    vocabulary = builtin()
    assert status_meaning("Vigente", vocabulary) == status_meaning("approved", vocabulary) == "approved"
    assert status_meaning("Obsoleto", vocabulary) == status_meaning("archived", vocabulary) == "retired"
    assert status_meaning("see note", vocabulary) is None


def test_document_numbers_compare_whatever_their_separators() -> None:
    assert number_key("CSC PR.001") == number_key("CSC-PR-1") == "csc-pr-1"
    assert number_key("QP-03") == number_key("qp 3")
    assert number_key("Draft") is None
    assert number_prefix("hl-p-3") == "hl-p"
    assert numbers_in("See F-07, then F-07 and HL-P-03; ISO 9001 and COVID-19 are not numbers.") == ["F-07", "HL-P-03"]
