"""Templates and blank forms: recognised from placeholders, template folders and blank rows, taken
as forms (never records, never the approved document they are a form for), and named where a
filled document was expected."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from cli_process import inventory_entries, qmscheck, scan_report
from qmscheck.collecting.lifecycle import placeholders

ROOT = Path(__file__).resolve().parents[1]
ORGS = ROOT / "fixtures" / "orgs"

POLICY_TEMPLATE = """# Quality Policy

**Document-ID:** 0100
**Organisation:** {{ meta-organisation.name }}
**Approved by:** {{ meta-handbook.approver }}
**Revision:** [TODO]
**Status:** {{ meta-handbook.status }}

## Quality Policy Statement

[TODO: Insert the organisation's quality policy statement here.]

Signed: <name of the managing director>, dd/mm/yyyy
"""

FILLED_POLICY = """# Quality Policy

Document No: POL-01
Revision: 3
Approved by: Maria Lopez
Approval date: 14/01/2026
Status: Approved

## Policy statement

We commit to meeting customer requirements and to continual improvement. [TODO: add the
site list when the Leeds site opens.]
"""


def inventory_of(folder: Path) -> dict[str, dict[str, Any]]:
    return {entry["path"]: entry for entry in inventory_entries(folder)}


def test_placeholders_are_counted_by_kind() -> None:
    assert placeholders(POLICY_TEMPLATE) == {"{{ }}": 3, "[TODO]": 2, "<name>": 1, "dd/mm/yyyy": 1}
    blank_form = (
        ORGS / "talleres-ebro" / "Plantillas" / "F-02 Informe de auditoría interna (plantilla).md"
    ).read_text()
    assert placeholders(blank_form) == {"dd/mm/yyyy": 1, "____": 5, "[instruction]": 3}
    # Citations and links are not instructions to fill in.
    assert placeholders("See [ISO 9001:2015] and [the procedure](sop.md); [x] done.") == {}


def test_a_template_outside_any_template_folder_is_a_form_for_its_type(tmp_path: Path) -> None:
    (tmp_path / "policy").mkdir()
    (tmp_path / "policy" / "Quality Policy.md").write_text(POLICY_TEMPLATE, encoding="utf-8")
    entry = inventory_of(tmp_path)["policy/Quality Policy.md"]
    assert (entry["type"], entry["kind"], entry["template"], entry["template_for"]) == (
        "form",
        "document",
        True,
        "quality_policy",
    )
    assert entry["template_reason"] == "placeholders {{ }} ×3, [TODO] ×2, <name> ×1, dd/mm/yyyy ×1"


def test_a_filled_document_with_one_todo_left_is_what_it_says(tmp_path: Path) -> None:
    (tmp_path / "Quality Policy.md").write_text(FILLED_POLICY, encoding="utf-8")
    entry = inventory_of(tmp_path)["Quality Policy.md"]
    assert (entry["type"], entry["template"], entry["lifecycle"]) == ("quality_policy", False, "approved")


def test_the_absence_names_the_unfilled_template(tmp_path: Path) -> None:
    """Only a policy template: no quality policy, and the finding says which template was found."""
    share = tmp_path / "share"
    shutil.copytree(ORGS / "talleres-ebro", share)
    manual = share / "01 Manual" / "MC-01 Manual de Calidad.md"
    manual.unlink()
    (share / "Plantillas" / "Politica de calidad.md").write_text(POLICY_TEMPLATE, encoding="utf-8")
    report = scan_report(share, tmp_path)
    absent = [finding for finding in report["findings"] if finding["rule_id"] == "POL001"]
    assert absent, [finding["rule_id"] for finding in report["findings"]]
    assert "Only an unfilled template was found: Plantillas/Politica de calidad.md." in absent[0]["statement"]
    # Never taken for the policy it is a form for.
    assert all(
        ref["locator"] != "Plantillas/Politica de calidad.md"
        for finding in report["findings"]
        if finding["rule_id"].startswith("POL")
        for ref in finding["evidence"]
    )


def test_a_template_copied_into_records_is_a_form_not_minutes(tmp_path: Path) -> None:
    source = ORGS / "brightwater-analytics" / "qms" / "templates" / "TPL-003-management-review-minutes.md"
    (tmp_path / "templates").mkdir()
    (tmp_path / "records").mkdir()
    shutil.copy(source, tmp_path / "templates" / source.name)
    shutil.copy(source, tmp_path / "records" / "2026-02-management-review.md")
    entries = inventory_of(tmp_path)
    for path in ("templates/" + source.name, "records/2026-02-management-review.md"):
        entry = entries[path]
        assert (entry["type"], entry["template"], entry["template_for"]) == (
            "form",
            True,
            "management_review_minutes",
        ), path
    report = scan_report(tmp_path, tmp_path / "out")
    minutes = [f for f in report["findings"] if "MRV001" in (f["rule_id"], *f["also_reported_by"])]
    assert (
        minutes
        and "Only an unfilled template was found: records/2026-02-management-review.md" in minutes[0]["statement"]
    )


def test_a_register_of_blank_rows_holds_no_records(tmp_path: Path) -> None:
    (tmp_path / "Calibration Log.csv").write_text(
        "Instrument ID,Calibration date,Due date,Certificate No\n"
        "____,dd/mm/yyyy,dd/mm/yyyy,____\n"
        "____,dd/mm/yyyy,dd/mm/yyyy,____\n",
        encoding="utf-8",
    )
    entry = inventory_of(tmp_path)["Calibration Log.csv"]
    assert (entry["type"], entry["template"], entry["template_for"]) == ("form", True, "calibration_record")
    assert entry["template_reason"] == "2 rows with no real values, 8 placeholders"
    (tmp_path / "Quality Policy.md").write_text(FILLED_POLICY, encoding="utf-8")
    report = scan_report(tmp_path, tmp_path)
    assert not any(
        ref["locator"].startswith("Calibration Log.csv")
        for finding in report["findings"]
        for ref in finding["evidence"]
    )


def test_inventory_text_says_why_a_file_is_a_template() -> None:
    result = qmscheck("inventory", str(ORGS / "talleres-ebro"), "--quiet", "-j", "1")
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if "Plantillas/F-02" in line)
    assert "unfilled template for internal_audit_report" in line


def test_a_byte_identical_copy_of_a_form_is_never_a_record(tmp_path: Path) -> None:
    # A blank form with no placeholders: only its folder says it is a template; its copy in records/
    # reads like minutes, and is the same bytes.
    blank = "# Management review minutes\n\nDate:\nChair:\nAttendees:\n\n## Inputs\n\n## Decisions\n"
    (tmp_path / "templates").mkdir()
    (tmp_path / "records").mkdir()
    (tmp_path / "templates" / "TPL-03 Management review minutes.md").write_text(blank, encoding="utf-8")
    (tmp_path / "records" / "2026-02 management review.md").write_text(blank, encoding="utf-8")
    report = scan_report(tmp_path, tmp_path / "out")
    [warning] = [w for w in report["warnings"] if "byte-identical copy" in w["message"]]
    assert warning["locator"] == "records/2026-02 management review.md"
    assert "templates/TPL-03 Management review minutes.md" in warning["message"]
    cited = {ref["locator"] for finding in report["findings"] for ref in finding["evidence"]}
    assert "records/2026-02 management review.md" not in cited
    minutes = [f for f in report["findings"] if "MRV004" in (f["rule_id"], *f["also_reported_by"])]
    assert minutes and minutes[0]["grade"] == "major"
