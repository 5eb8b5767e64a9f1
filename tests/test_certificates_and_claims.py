"""Supplier certificates, certification claims and the order of a nonconformity's dates, read from a
small share as a user would scan it: the statements say what failed, with the values read."""

from __future__ import annotations

from datetime import date

import pytest
from qmscheck.checking.primitives.avoids import said
from qmscheck.model.report import Finding, Report
from qmscheck.plugins.manager import load_plugins
from qmscheck.scan import ScanRequest, scan

AS_OF = date(2026, 3, 31)

# Evaluated this year, so the certificate findings are not folded into a supplier-evaluation finding.
SUPPLIERS = """Supplier,Supplied,Quality relevant,Status,Last order,Last evaluated,Score,Certified standard,Certificate No,Certification body,Certificate valid until
Northfield Metals,Aluminium bar,Yes,Approved,02/03/2026,12/09/2025,91,ISO 9001:2015,Q-12345,BSI,14/05/2027
Rapid Castings Ltd,Castings,Yes,Approved,18/02/2026,03/10/2025,80,ISO 9001:2015,RC-778,,31/01/2026
Brightline Anodising,Anodising,Yes,Approved,20/02/2026,08/10/2025,76,IATF 16949,BA-991,TUV SUD,15/05/2026
Sparkle Cleaning,Office cleaning,No,Approved,20/03/2026,,,ISO 9001:2015,SC-1,,30/06/2025
"""

NC_LOG = """NC No,Date raised,Description,Disposition,Root cause,Corrective action,Effectiveness check,Target date,Closed date,Status
NC-2025-010,06/05/2025,Bore oversize,Scrap,Tool wear,Tool life reduced,No recurrence,31/07/2025,10/07/2025,Closed
NC-2025-019,20/11/2025,Burr on thread,Rework,Deburr step missing,Routing updated,No recurrence,20/12/2025,02/11/2025,Closed
"""


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    share = tmp_path_factory.mktemp("share")
    (share / "Approved Supplier List.csv").write_text(SUPPLIERS, encoding="utf-8")
    (share / "NC Log.csv").write_text(NC_LOG, encoding="utf-8")
    (share / "Email signature.txt").write_text(
        "Jane Smith | Quality Manager\nAcme Precision Parts Ltd - an ISO certified company\n", encoding="utf-8"
    )
    (share / "Company brochure.md").write_text(
        "# Company brochure\n\nOur machining is certified to ISO 9001:2015 by BSI.\n", encoding="utf-8"
    )
    return scan(ScanRequest(target=share, as_of=AS_OF), load_plugins(entry_points=False))


def _finding(report: Report, rule_id: str) -> Finding:
    found = [f for f in report.findings if f.rule_id == rule_id or rule_id in f.also_reported_by]
    assert len(found) == 1, [f.statement for f in report.findings]
    return found[0]


def test_an_expired_supplier_certificate_is_a_finding_that_says_where_to_confirm_it(report: Report) -> None:
    expired = [f for f in report.findings if f.rule_id == "SUP004" and f.grade.value == "minor"]
    assert len(expired) == 1
    statement = expired[0].statement
    assert "Rapid Castings" in statement and "2026-01-31" in statement
    assert "IAF CertSearch" in statement and "does not go online" in statement
    # Not quality-relevant: the cleaner's lapsed certificate is nobody's criterion.
    assert "Sparkle" not in " ".join(f.statement for f in report.findings)


def test_a_certificate_expiring_within_the_window_is_an_observation(report: Report) -> None:
    soon = [f for f in report.findings if f.rule_id == "SUP004" and f.grade.value == "observation"]
    assert len(soon) == 1
    assert "Brightline" in soon[0].statement and "2026-05-15" in soon[0].statement


def test_a_certificate_without_its_certification_body_is_advice(report: Report) -> None:
    finding = _finding(report, "SUP005")
    cited = {ref.label for ref in finding.evidence}
    assert "Rapid Castings Ltd" in cited and "Northfield Metals" not in cited


def test_a_closure_before_the_nc_was_raised_states_both_dates(report: Report) -> None:
    finding = _finding(report, "NCR006")
    assert finding.grade.value == "minor"
    assert "completed date 2025-11-02" in finding.statement and "issued date 2025-11-20" in finding.statement


def test_a_misworded_claim_is_quoted_with_the_wording_to_use(report: Report) -> None:
    finding = _finding(report, "CLM001")
    assert finding.grade.value == "observation"
    assert [ref.locator for ref in finding.evidence] == ["Email signature.txt"]
    assert '"ISO certified"' in finding.statement
    assert '"certified to ISO 9001 by <certification body>"' in finding.statement


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Une entreprise certifiée ISO.", ["certifié ISO"]),
        ("Entreprise certifiée ISO 9001:2015 par AFNOR.", []),
        ("Calibrated by an ISO/IEC 17025 accredited laboratory; accrédité ISO/IEC 17025.", []),
        (
            "Wir sind ISO-zertifiziert und nach ISO 9001 akkreditiert.",
            ["ISO-zertifiziert", "nach ISO 9001 akkreditiert"],
        ),
        # Masculine and feminine read alike: the first of the vocabulary's spellings is quoted.
        ("Empresa certificada por la ISO.", ["certificado por la ISO"]),
    ],
)
def test_a_term_ending_in_iso_does_not_count_where_the_standard_is_named(text: str, expected: list[str]) -> None:
    assert said(text, ["certification_claim_wording"]) == expected
