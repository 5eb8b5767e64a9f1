"""What a document holds besides its opening control block, read from real markdown and Word
files: headings, front matter and label lines, revision histories at the end, tables that are
registers, and sections that are evidence of their own (a manual's policy chapter)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from docx import Document
from qmscheck.collecting.connectors.tree import LocalTree
from qmscheck.collecting.connectors.unit_classes import ahead_classifier, classified_items, unit_classes
from qmscheck.collecting.connectors.worker import Outcome, Task, process
from qmscheck.collecting.readers import read_document, read_table

MANUAL_MD = """\
---
id: QM-001
title: Quality Manual
version: 4.0
status: approved
approved_by: Owen Mills
approval_date: 2025-10-01
review_date: 2025-09-20
owner: Priya Shah
---

# Quality Manual

## 1. Scope

The QMS covers the design and hosting of the FlowSense platform.

### 1.1 Exclusions

None: 8.3 applies, we design our software.

## 2. Quality policy

We meet requirements and commit to continual improvement.

## 3. Quality objectives

| Objective | Owner | Target | Due | Status |
|---|---|---|---|---|
| Uptime 99.9 % | Mia Novak | 99.9 % | 2026-12-31 | On track |
|  |  |  |  |  |
| Escaped defects < 1 per release | Dan Okoro | 1 | 2026-12-31 | On track |

## Revision history

| Version | Date | Change | Approved by |
|---|---|---|---|
| 3.0 | 2024-10-01 | Annual review | Owen Mills |
| 4.0 | 2025-10-01 | New objectives | Owen Mills |
"""


def _process(root: Path, relative: str) -> Outcome:
    outcome = process(Task(LocalTree(root), relative, Path(relative).suffix, provenance=(("connector", "fs"),)))
    assert outcome.error is None, outcome.error
    return outcome


def test_markdown_headings_front_matter_and_revision_history(tmp_path: Path) -> None:
    path = tmp_path / "QM-001-quality-manual.md"
    path.write_text(MANUAL_MD)

    meta = read_document(path)

    assert meta.headings == (
        "Quality Manual",
        "1. Scope",
        "1.1 Exclusions",
        "2. Quality policy",
        "3. Quality objectives",
        "Revision history",
    )
    assert meta.fields["document_number"] == "QM-001"  # a bare front-matter "id" names the document
    assert meta.fields["revision"] == "4.0"
    assert meta.fields["approver"] == "Owen Mills"
    assert meta.fields["approved"] == date(2025, 10, 1)
    assert meta.fields["last_reviewed"] == date(2025, 9, 20)
    assert meta.fields["owner"] == "Priya Shah"
    # The revision history agrees with the front matter: nothing to warn about.
    assert meta.warnings == ()


def test_a_revision_history_at_the_end_fills_an_empty_header_and_a_stale_one_is_reported(tmp_path: Path) -> None:
    history = "\n## Revision history\n\n| Rev | Date | Description | Approved by |\n|---|---|---|---|\n"
    rows = "| B | 2024-02-01 | First issue | Ann Lee |\n| C | 2025-03-04 | Review | Ann Lee |\n"
    bare = tmp_path / "bare.md"
    bare.write_text("# Calibration\n\nText.\n" + history + rows)
    stale = tmp_path / "stale.md"
    stale.write_text(
        "# Calibration\n\n| Document No | QP-05 |\n|---|---|\n| Revision | B |\n\nText.\n" + history + rows
    )

    filled = read_document(bare)
    kept = read_document(stale)

    # The latest row (by date) gives the revision, the approver and the approval date.
    assert filled.fields["revision"] == "C"
    assert filled.fields["approver"] == "Ann Lee"
    assert filled.fields["approved"] == date(2025, 3, 4)
    # The header's revision is kept; the disagreement names both values.
    assert kept.fields["revision"] == "B"
    assert any("'B'" in warning and "'C'" in warning and "revision history" in warning for warning in kept.warnings)


def test_bold_label_lines_anywhere(tmp_path: Path) -> None:
    path = tmp_path / "minutes.md"
    path.write_text(
        "# Management review\n\n**Chair:** Owen Mills (CEO)\n**Attendees:** Owen Mills, Priya Shah\n\n"
        "## Inputs\n\nAll covered.\n\n## Decisions\n\n- **Dokument-ID:** MR-2025\n"
        "**Apartado 8.3: no aplicable.** Prose that merely starts in bold.\n"
    )

    meta = read_document(path)

    assert meta.extra["chair"] == "Owen Mills (CEO)"
    assert meta.extra["attendees"] == "Owen Mills, Priya Shah"
    assert meta.fields["document_number"] == "MR-2025"  # a German label the vocabulary knows
    assert not any(key.startswith("apartado") for key in meta.extra)


def test_a_markdown_table_of_records_becomes_register_rows_located_by_line(tmp_path: Path) -> None:
    path = tmp_path / "QM-001-quality-manual.md"
    path.write_text(MANUAL_MD)

    meta = read_document(path)

    # The revision history is control data, not a register.
    assert [table.name for table in meta.tables] == ["3. Quality objectives"]
    sheet = read_table(meta.tables[0], ".md")
    assert sheet is not None
    rows = list(sheet.rows)
    # Numbered as the file's lines; the empty row is skipped.
    assert [row.row for row in rows] == [30, 32]
    assert MANUAL_MD.splitlines()[29].startswith("| Uptime")
    assert rows[0].values["owner"] == "Mia Novak"
    assert rows[1].values["due"] == date(2026, 12, 31)


def test_the_worker_emits_a_table_and_sections_as_parts_of_the_document(tmp_path: Path) -> None:
    (tmp_path / "QM-001-quality-manual.md").write_text(MANUAL_MD)

    outcome = _process(tmp_path, "QM-001-quality-manual.md")

    whole, *parts = outcome.units
    assert whole.part_of is None and not whole.is_register
    table = next(unit for unit in parts if unit.is_register)
    assert table.part_of == "Quality Manual"
    assert table.sheet == "3. Quality objectives"
    first = json.loads(table.items[0])
    assert first["provenance"]["locator"] == {
        "path": "QM-001-quality-manual.md",
        "sheet": "3. Quality objectives",
        "row": 30,
    }
    sections = [unit for unit in parts if not unit.is_register]
    assert [unit.title for unit in sections] == [
        "1. Scope",
        "2. Quality policy",
        "3. Quality objectives",
        "Revision history",
    ]
    scope = json.loads(sections[0].items[0])
    assert scope["provenance"]["locator"] == {"path": "QM-001-quality-manual.md", "sheet": "1. Scope", "row": 14}
    assert "None: 8.3 applies" in scope["text"]  # a subsection belongs to its section
    assert sections[0].headings == ("1. Scope", "1.1 Exclusions")
    # A section is controlled with its document: it carries the document's control fields.
    assert scope["document_number"] == "QM-001"


def test_a_part_is_evidence_only_when_recognised_as_other_than_the_whole(tmp_path: Path) -> None:
    (tmp_path / "QM-001-quality-manual.md").write_text(MANUAL_MD)
    outcome = _process(tmp_path, "QM-001-quality-manual.md")

    classes = unit_classes("QM-001-quality-manual.md", outcome.units, ahead_classifier(()))

    by_title = {unit.sheet or unit.title: unit_class for unit, unit_class in zip(outcome.units, classes, strict=True)}
    assert by_title["Quality Manual"] == ("quality_manual", "document")
    # The policy chapter is a quality policy; the scope chapter says nothing the manual does not.
    assert by_title["2. Quality policy"] == ("quality_policy", "document")
    assert by_title["1. Scope"] is None
    assert by_title["Revision history"] is None
    # Parts that are not evidence of their own are dropped without a warning.
    assert not any(isinstance(unit_class, str) for unit_class in classes)
    types = classified_items(outcome.units, classes).types
    assert types == {"quality_manual", "quality_policy", "quality_objective"}


def test_a_short_document_is_not_cut_into_sections(tmp_path: Path) -> None:
    (tmp_path / "SOP-001.md").write_text("# SOP-001\n\n## Purpose\n\nWhy.\n\n## Method\n\nHow.\n")

    assert read_document(tmp_path / "SOP-001.md").sections == ()


def _manual_docx(path: Path) -> None:
    document = Document()
    document.add_paragraph("HL-QM-01 Quality Manual", style="Title")
    document.add_heading("Scope", level=1)
    document.add_paragraph("Labels for food producers. Clause 8.3 is not applicable: the customer designs.")
    document.add_heading("Quality policy", level=1)
    document.add_paragraph("Right first time, on time; we commit to continual improvement.")
    document.add_heading("Suppliers", level=1)
    suppliers = document.add_table(rows=4, cols=3)
    for row, cells in zip(
        suppliers.rows,
        [
            ["Supplier list", "", ""],
            ["Supplier", "Score", "Evaluation date"],
            ["Avery", "88", "2025-06-01"],
            ["", "", ""],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.add_paragraph("Document HL-QM-01. Owner: Ruth Adeyemi, Quality Manager. Review due: 2026-11-10.")
    document.add_paragraph("Responsible: the quality manager keeps this manual. She reviews it yearly.")
    document.add_heading("Revision history", level=1)
    history = document.add_table(rows=3, cols=4)
    for row, cells in zip(
        history.rows,
        [
            ["Issue", "Date", "Description of change", "Approved by"],
            ["5", "2024-11-04", "Scope wording", "Tom Harwood"],
            ["6", "2025-11-10", "New press", "Tom Harwood"],
        ],
        strict=True,
    ):
        for cell, value in zip(row.cells, cells, strict=True):
            cell.text = value
    document.save(str(path))


def test_docx_headings_control_line_revision_history_table_and_sections(tmp_path: Path) -> None:
    path = tmp_path / "HL-QM-01 Quality Manual.docx"
    _manual_docx(path)

    meta = read_document(path)

    assert meta.headings == ("HL-QM-01 Quality Manual", "Scope", "Quality policy", "Suppliers", "Revision history")
    # The control line in the body and the revision history on the last page.
    assert meta.fields["document_number"] == "HL-QM-01"
    assert meta.fields["owner"] == "Ruth Adeyemi, Quality Manager"
    assert meta.fields["next_review"] == date(2026, 11, 10)
    assert meta.fields["revision"] == "6"
    assert meta.fields["approver"] == "Tom Harwood"
    assert meta.fields["approved"] == date(2025, 11, 10)
    assert "responsible" not in meta.extra  # prose, not control data
    assert [section.heading for section in meta.sections] == [
        "Scope",
        "Quality policy",
        "Suppliers",
        "Revision history",
    ]
    assert "8.3 is not applicable" in meta.sections[0].text

    (table,) = meta.tables
    assert table.name == "Suppliers"
    sheet = read_table(table, ".docx")
    assert sheet is not None
    # The title row above the header is skipped; rows are numbered within the table.
    assert sheet.header_row == 2
    assert [(row.row, row.values["supplier"], row.values["score"]) for row in sheet.rows] == [(3, "Avery", 88)]


def test_docx_register_table_is_a_unit_classified_from_its_heading(tmp_path: Path) -> None:
    _manual_docx(tmp_path / "HL-QM-01 Quality Manual.docx")

    outcome = _process(tmp_path, "HL-QM-01 Quality Manual.docx")
    classes = unit_classes("HL-QM-01 Quality Manual.docx", outcome.units, ahead_classifier(()))

    table, table_class = next((u, c) for u, c in zip(outcome.units, classes, strict=True) if u.is_register)
    assert table.sheet == "Suppliers"
    assert table_class == ("supplier_evaluation", "record")
    row = json.loads(table.items[0])
    assert row["provenance"]["locator"] == {"path": "HL-QM-01 Quality Manual.docx", "sheet": "Suppliers", "row": 3}
