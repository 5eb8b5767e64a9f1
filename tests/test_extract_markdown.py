"""Markdown (front matter, control tables) and plain-text documents."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.collecting.readers import read_document


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_front_matter_and_table_after_heading(tmp_path: Path) -> None:
    path = write(
        tmp_path / "CSC-PR-001.md",
        "---\ntitle: Design and Development\nsop_version: 1.2\nqms_version: 2.2.0\n---\n"
        "# Design and Development Procedure\n"
        "| Document | CSC-PR-001 |\n|---|---|\n| Version | 1.2 |\n| Owner | Lead Developer |\n\n"
        "## Purpose\nThis document describes design.\n",
    )
    meta = read_document(path)
    assert meta.title == "Design and Development"
    assert meta.fields["title"] == "Design and Development"
    assert meta.fields["revision"] == "1.2"
    assert meta.fields["document_number"] == "CSC-PR-001"
    assert meta.fields["owner"] == "Lead Developer"
    assert meta.extra["qms_version"] == "2.2.0"
    assert meta.warnings == ()
    assert meta.text.startswith("# Design and Development Procedure")
    assert "sop_version" not in meta.text  # text is the body only


def test_front_matter_scalars_are_kept_verbatim(tmp_path: Path) -> None:
    path = write(
        tmp_path / "sop.md",
        "---\nsop_version: 1.10\nnext_review: 2026-03-01\nowner: [QA, Production]\n---\n# SOP\n",
    )
    meta = read_document(path)
    assert meta.fields["revision"] == "1.10"  # not the float 1.1
    assert meta.fields["next_review"] == date(2026, 3, 1)
    assert meta.fields["owner"] == "QA, Production"


def test_gstt_style_bold_labels_table_and_conflict(tmp_path: Path) -> None:
    path = write(
        tmp_path / "CSC-PR-005.md",
        "---\nqms_version: 2.2.0\nsop_version: 2.0.3\n---\n\n"
        "# Post-Deployment Surveillance SOP\n<!-- [13485:7.5.1f]-->\n\n## General \n\n"
        "|                     |            |\n|---------------------|------------|\n"
        "| **Document ID**     | CSC PR.005 |\n| **Document Version**| 2.0.1      |\n"
        "| **Author**          |            |\n| **Approval**        |            |\n"
        "| **Regulatory References** | ISO 13485:2016 <br> Sec. 8.2.1 |\n\n## Purpose\nText.\n",
    )
    meta = read_document(path)
    assert meta.fields["document_number"] == "CSC PR.005"
    assert meta.fields["revision"] == "2.0.3"  # front matter is the machine-readable source
    assert meta.extra["document_version"] == "2.0.1"
    assert meta.extra["author"] == ""
    assert meta.extra["approval"] == ""
    assert meta.extra["regulatory_references"] == "ISO 13485:2016 Sec. 8.2.1"
    assert any("conflicting revision" in w and "2.0.1" in w for w in meta.warnings)


def test_table_above_first_heading_and_adjacent_tables(tmp_path: Path) -> None:
    path = write(
        tmp_path / "form.md",
        "---\ntemplate_id: CSC F.007\ntemplate_version: 2.0.1\nsop_version: 2.0.3\n---\n"
        "| | |\n|--|--|\n| **Template ID** | CSC F.007 |\n| **SOP Version** | 1.3 |\n\n\n"
        "| | |\n|--|--|\n| **Author** | Jane Doe |\n| **Approval** | 2025-05-01 |\n\n"
        "# Internal Audit Report\n\n## Plan\n| Date | Status |\n|---|---|\n| 02/05/2022 | Complete |\n",
    )
    meta = read_document(path)
    # A form's own version beats the parent procedure's version.
    assert meta.fields["revision"] == "2.0.1"
    assert meta.fields["document_number"] == "CSC F.007"
    assert meta.extra["sop_version"] == "2.0.3"
    assert meta.extra["author"] == "Jane Doe"
    assert meta.fields["approved"] == date(2025, 5, 1)  # "Approval" holding a date
    assert "status" not in meta.fields  # the data table further down is not a control table
    assert meta.title == "Internal Audit Report"


def test_header_row_of_labels_with_one_value_row(tmp_path: Path) -> None:
    path = write(
        tmp_path / "wi.md",
        "# Work Instruction 7\n\n| Doc No | Rev | Approved by | Approval date |\n"
        "|---|:---:|---|---|\n| WI-07 | B | S. Okafor | 12 Mar 2025 |\n",
    )
    meta = read_document(path)
    assert meta.fields == {
        "document_number": "WI-07",
        "revision": "B",
        "approver": "S. Okafor",
        "approved": date(2025, 3, 12),
    }


def test_invalid_yaml_is_a_warning_not_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.md", "---\ntitle: [unclosed\nversion: 4\n---\n# Real Title\nBody\n")
    meta = read_document(path)
    assert any("invalid YAML front matter" in w for w in meta.warnings)
    assert meta.fields["revision"] == "4"  # salvaged from the key: value lines
    assert meta.text.strip().endswith("Body")


def test_front_matter_without_spaces_after_colons(tmp_path: Path) -> None:
    path = write(tmp_path / "mlops.md", "---\nqms_version:2.2.0\nsop_version:2.0.2\n---\n# MLOps\n")
    meta = read_document(path)
    assert meta.fields["revision"] == "2.0.2"
    assert meta.extra["qms_version"] == "2.2.0"
    assert meta.title == "MLOps"


def test_headings_inside_code_fences_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path / "readme.md",
        "```bash\n# install\n| a | b |\n|---|---|\n| Revision | 9 |\n```\n\n## Setup guide\n",
    )
    meta = read_document(path)
    assert meta.title == "Setup guide"
    assert "revision" not in meta.fields


def test_leading_rule_without_closing_is_not_front_matter(tmp_path: Path) -> None:
    path = write(tmp_path / "rule.md", "---\n# Heading\nRevision: 3\n")
    meta = read_document(path)
    assert meta.title == "Heading"
    assert meta.text.startswith("---")


def test_txt_title_and_labels(tmp_path: Path) -> None:
    path = write(
        tmp_path / "record.txt",
        "\n  Calibration certificate  \nCertificate No: PCS-25-04412    Instrument: CAL-001\n"
        "Calibration date: 15/09/2025\nNext due: 15/09/2026\n\nResult: Pass\n",
    )
    meta = read_document(path)
    assert meta.title == "Calibration certificate"
    assert meta.fields["completed"] == date(2025, 9, 15)
    assert meta.fields["due"] == date(2026, 9, 15)
    assert meta.extra["certificate"] == "PCS-25-04412"  # the fields the labels name
    assert meta.extra["instrument_id"] == "CAL-001"
    assert meta.extra["result"] == "Pass"
    assert "Result: Pass" in meta.text


def test_txt_in_cp1252(tmp_path: Path) -> None:
    path = write(tmp_path / "notiz.txt", "Prüfbericht\nVerantwortlich: Jürgen Groß\n", "cp1252")
    meta = read_document(path)
    assert meta.title == "Prüfbericht"
    assert meta.fields["owner"] == "Jürgen Groß"


def test_long_text_is_truncated_with_warning(tmp_path: Path) -> None:
    path = write(tmp_path / "big.txt", "Revision: 2\n" + ("lorem ipsum " * 30_000))
    meta = read_document(path)
    assert len(meta.text) == 200_000
    assert meta.fields["revision"] == "2"
    assert any("truncated" in w for w in meta.warnings)


@pytest.mark.parametrize(
    "chair,attendees",
    [
        ("Preside", "Asistentes"),
        ("Presieduta da", "Presenti"),
        ("**Chaired by:**", "**Participants:**"),
    ],
)
def test_labels_outside_the_document_fields_reach_the_field_they_name(
    tmp_path: Path, chair: str, attendees: str
) -> None:
    separator = " " if chair.endswith(":**") else ": "
    path = write(
        tmp_path / "minutes.md",
        f"# Minutes\n\n{chair}{separator}J. Lanaspa\n\n{attendees}{separator}J. Lanaspa, L. Ferrer\n\n## Inputs\n",
    )
    meta = read_document(path)
    assert meta.extra["chair"] == "J. Lanaspa"
    assert meta.extra["attendees"] == "J. Lanaspa, L. Ferrer"
