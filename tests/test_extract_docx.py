"""Word documents built with python-docx and read back through read_document."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Inches
from qmscheck.collecting.readers import DocumentMetadata, ExtractionError, read_document

CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"


def add_custom_properties(path: Path, props: dict[str, tuple[str, str]]) -> None:
    """Add docProps/custom.xml the way Word writes it (python-docx cannot)."""
    entries = "".join(
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" name="{name}">'
        f"<vt:{kind}>{value}</vt:{kind}></property>"
        for pid, (name, (kind, value)) in enumerate(props.items(), start=2)
    )
    custom = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{entries}</Properties>'
    )
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    f'<Override PartName="/docProps/custom.xml" ContentType="{CUSTOM_TYPE}"/></Types>'.encode(),
                )
            elif info.filename == "_rels/.rels":
                data = data.replace(
                    b"</Relationships>",
                    f'<Relationship Id="rIdCustom" Type="{CUSTOM_REL}" Target="docProps/custom.xml"/>'
                    "</Relationships>".encode(),
                )
            target.writestr(info, data)
        target.writestr("docProps/custom.xml", custom)
    path.write_bytes(out.getvalue())


def controlled_procedure(path: Path) -> Path:
    doc = Document()
    props = doc.core_properties
    props.title = "QP-07 Control of Monitoring Equipment"
    props.author = "Quality Manager"
    props.identifier = "QP-07"
    props.version = "C"
    props.created = datetime(2025, 2, 1, 9, 0, 0)
    props.category = "Procedure"
    doc.add_paragraph("QP-07 Control of Monitoring Equipment", style="Title")
    table = doc.add_table(rows=0, cols=2)
    for label, value in [
        ("Document No.", "QP-07"),
        ("Revision:", "D"),
        ("Status", "Released"),
        ("Owner", "Maintenance Lead"),
        ("Approved by", "Sarah Okafor"),
        ("Approval date", "14/02/2025"),
        ("Next review date", "14 February 2027"),
        ("Process", "Maintenance"),
    ]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    doc.add_heading("Purpose", level=1)
    doc.add_paragraph("To keep measuring equipment fit for use.")
    body_table = doc.add_table(rows=2, cols=3)
    for cell, text in zip(body_table.rows[0].cells, ["Gauge", "Interval", "Owner"], strict=True):
        cell.text = text
    for cell, text in zip(body_table.rows[1].cells, ["CAL-001", "12 months", "QA"], strict=True):
        cell.text = text
    doc.save(str(path))
    add_custom_properties(
        path,
        {
            "Process Owner": ("lpwstr", "Owen Pritchard"),
            "Review due": ("filetime", "2027-02-14T00:00:00Z"),
            "Department": ("lpwstr", "Maintenance"),
            "Controlled": ("bool", "true"),
        },
    )
    return path


@pytest.fixture()
def procedure(tmp_path: Path) -> DocumentMetadata:
    return read_document(controlled_procedure(tmp_path / "QP-07.docx"))


def test_control_table_fields(procedure: DocumentMetadata) -> None:
    assert procedure.fields["document_number"] == "QP-07"
    assert procedure.fields["revision"] == "D"  # table wins over core version "C"
    assert procedure.fields["status"] == "Released"
    assert procedure.fields["owner"] == "Maintenance Lead"
    assert procedure.fields["approver"] == "Sarah Okafor"
    assert procedure.fields["approved"] == date(2025, 2, 14)
    assert procedure.fields["next_review"] == date(2027, 2, 14)
    assert procedure.extra["process"] == "Maintenance"
    assert procedure.title == "QP-07 Control of Monitoring Equipment"


def test_core_and_custom_properties(procedure: DocumentMetadata) -> None:
    props = procedure.properties
    assert props["author"] == "Quality Manager"
    assert props["identifier"] == "QP-07"
    assert props["version"] == "C"
    assert props["category"] == "Procedure"
    assert props["created"].startswith("2025-02-01T09:00:00")
    assert props["process_owner"] == "Owen Pritchard"
    assert props["review_due"].startswith("2027-02-14T00:00:00")
    assert props["department"] == "Maintenance"
    assert props["controlled"] == "true"
    # Properties fill no field the control table already gave, and raise no conflict.
    assert procedure.warnings == ()


def test_text_has_paragraphs_and_table_cells_in_order(procedure: DocumentMetadata) -> None:
    text = procedure.text
    assert "Approved by\tSarah Okafor" in text
    assert text.index("Purpose") < text.index("To keep measuring") < text.index("CAL-001\t12 months")


def test_properties_fill_fields_when_body_has_none(tmp_path: Path) -> None:
    doc = Document()
    doc.core_properties.title = ""
    doc.core_properties.identifier = "WI-12"
    doc.core_properties.version = "3"
    doc.core_properties.subject = "Work instruction"
    doc.add_paragraph("Deburring cross holes", style="Heading 1")
    doc.add_paragraph("Use the magnifier.")
    path = tmp_path / "wi.docx"
    doc.save(str(path))
    add_custom_properties(path, {"Approval date": ("lpwstr", "2025-06-30"), "Owner": ("lpwstr", "QA")})
    meta = read_document(path)
    assert meta.title == "Deburring cross holes"
    assert meta.fields["document_number"] == "WI-12"
    assert meta.fields["revision"] == "3"
    assert meta.fields["approved"] == date(2025, 6, 30)
    assert meta.fields["owner"] == "QA"
    assert "approval_date" not in meta.extra  # properties are reported in .properties only


def test_header_labels_and_body_label_paragraphs(tmp_path: Path) -> None:
    doc = Document()
    header = doc.sections[0].header
    header.is_linked_to_previous = False
    header.paragraphs[0].text = "Doc No: F-21\tRev: 2\tPage 1 of 1"
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    footer.paragraphs[0].text = "Next review: 2026-11-30"
    doc.add_paragraph("Management Review Minutes")
    doc.add_paragraph("Meeting date: 3 March 2026")
    doc.add_paragraph("Chair: Sarah Okafor")
    doc.add_paragraph("Attendees: Priya Nair; Graham Doyle")
    doc.add_heading("Inputs", level=2)
    doc.add_paragraph("Note: this line is prose below a heading and must not become a label.")
    path = tmp_path / "minutes.docx"
    doc.save(str(path))
    meta = read_document(path)
    assert meta.fields["document_number"] == "F-21"
    assert meta.fields["revision"] == "2"
    assert meta.fields["next_review"] == date(2026, 11, 30)
    assert meta.fields["issued"] == date(2026, 3, 3)
    assert meta.extra["chair"] == "Sarah Okafor"
    assert meta.extra["attendees"] == "Priya Nair; Graham Doyle"
    assert "note" not in meta.extra
    assert meta.title == "Management Review Minutes"  # first non-empty paragraph


def test_header_table_and_horizontal_control_table(tmp_path: Path) -> None:
    doc = Document()
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    header_table = section.header.add_table(rows=1, cols=2, width=Inches(6))
    header_table.rows[0].cells[0].text = "Acme Precision Parts Ltd"
    header_table.rows[0].cells[1].text = "Status: Draft"
    table = doc.add_table(rows=2, cols=4)
    for cell, text in zip(table.rows[0].cells, ["Doc ID", "Version", "Effective date", "Owner"], strict=True):
        cell.text = text
    for cell, text in zip(table.rows[1].cells, ["SOP-4", "1.10", "03/04/2025", "QA Lead"], strict=True):
        cell.text = text
    path = tmp_path / "sop.docx"
    doc.save(str(path))
    meta = read_document(path)
    assert meta.fields["document_number"] == "SOP-4"
    assert meta.fields["revision"] == "1.10"
    assert meta.fields["owner"] == "QA Lead"
    assert meta.fields["status"] == "Draft"
    assert meta.fields["approved"] == date(2025, 4, 3)
    assert "ambiguous date '03/04/2025' for 'Effective date'" in meta.warnings


def test_conflicting_and_unparseable_values_warn(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("Calibration procedure", style="Title")
    table = doc.add_table(rows=0, cols=2)
    for label, value in [("Revision", "4"), ("Next review", "when needed")]:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    section = doc.sections[0]
    section.header.is_linked_to_previous = False
    section.header.paragraphs[0].text = "Rev: 3"
    path = tmp_path / "conflict.docx"
    doc.save(str(path))
    meta = read_document(path)
    assert meta.fields["revision"] == "4"
    assert meta.fields["next_review"] == "when needed"
    assert any("conflicting revision" in w and "'3'" in w for w in meta.warnings)
    assert "cannot parse date 'when needed' for 'Next review'" in meta.warnings


def test_merged_cells_in_control_table(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    title_row = table.rows[0]
    title_row.cells[0].merge(title_row.cells[1]).text = "Document control"
    table.rows[1].cells[0].text, table.rows[1].cells[1].text = "Document number", "QM-01"
    table.rows[2].cells[0].text, table.rows[2].cells[1].text = "Issue", "7"
    path = tmp_path / "manual.docx"
    doc.save(str(path))
    meta = read_document(path)
    assert meta.fields == {"document_number": "QM-01", "revision": "7"}
    assert meta.text.count("Document control") == 1


def test_vertically_merged_cells_repeat_the_top_cell(tmp_path: Path) -> None:
    doc = Document()
    table = doc.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(2, 0)).text = "Approved by"
    for row, value in enumerate(["A. Person", "B. Person", "C. Person"]):
        table.cell(row, 1).text = value
    path = tmp_path / "vmerge.docx"
    doc.save(str(path))
    meta = read_document(path)
    # python-docx's reading: each continued cell shows the merged cell's content.
    assert meta.text.splitlines() == ["Approved by\tA. Person", "Approved by\tB. Person", "Approved by\tC. Person"]
    assert meta.fields["approver"] == "A. Person"


def test_damaged_part_is_reported_as_python_docx_reports_it(tmp_path: Path) -> None:
    path = controlled_procedure(tmp_path / "QP-07.docx")
    source = zipfile.ZipFile(io.BytesIO(path.read_bytes()))
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, data[:40] if info.filename == "docProps/core.xml" else data)
    with pytest.raises(ExtractionError, match=r"^not a valid \.docx file \(XMLSyntaxError: "):
        read_document(path)
