"""PDFs written with fpdf2 (and encrypted with pypdf) read back through read_document."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from qmscheck.collecting.readers import ExtractionError, read_document
from qmscheck.collecting.readers.pdf_reader import pdf_date


def make_pdf(
    lines: list[str],
    *,
    title: str | None = None,
    subject: str | None = None,
    extra_pages: int = 0,
) -> bytes:
    pdf = FPDF()
    if title is not None:
        pdf.set_title(title)
    if subject is not None:
        pdf.set_subject(subject)
    pdf.set_author("Production Manager")
    pdf.set_keywords("setup first-off")
    pdf.set_creation_date(datetime(2026, 1, 1, 0, 0, 0, tzinfo=UTC))
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    for line in lines:
        pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    for number in range(extra_pages):
        pdf.add_page()
        pdf.cell(0, 6, f"Step {number + 2}: tighten the vice", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def test_metadata_labels_and_text(tmp_path: Path) -> None:
    path = tmp_path / "WI-07.pdf"
    path.write_bytes(
        make_pdf(
            [
                "WI-07 CNC Setup and First-Off Inspection",
                "Document No: WI-07",
                "Revision: B",
                "Approved by: Sarah Okafor",
                "Approval date: 11.08.2025",
                "Next review: 10 August 2027",
                "Check the job card before setup.",
            ],
            title="WI-07 CNC Setup",
            subject="Document No WI-07 Rev B",
            extra_pages=1,
        )
    )
    meta = read_document(path)
    assert meta.title == "WI-07 CNC Setup"
    assert meta.fields["document_number"] == "WI-07"
    assert meta.fields["revision"] == "B"
    assert meta.fields["approver"] == "Sarah Okafor"
    assert meta.fields["approved"] == date(2025, 8, 11)
    assert meta.fields["next_review"] == date(2027, 8, 10)
    assert meta.properties["author"] == "Production Manager"
    assert meta.properties["subject"] == "Document No WI-07 Rev B"
    assert meta.properties["keywords"] == "setup first-off"
    assert meta.properties["created"] == "2026-01-01T00:00:00+00:00"
    assert "Check the job card" in meta.text
    assert "Step 2: tighten the vice" in meta.text  # later pages too
    assert meta.warnings == ()


def test_subject_supplies_fields_and_first_line_the_title(tmp_path: Path) -> None:
    path = tmp_path / "wi.pdf"
    path.write_bytes(make_pdf(["Deburring of cross holes", "Use a magnifier."], subject="Doc No WI-09 Rev C"))
    meta = read_document(path)
    assert meta.title == "Deburring of cross holes"
    assert meta.fields["document_number"] == "WI-09"
    assert meta.fields["revision"] == "C"


def test_page_labels_beat_subject(tmp_path: Path) -> None:
    path = tmp_path / "wi.pdf"
    path.write_bytes(make_pdf(["Rev: D"], subject="Document No WI-09 Rev C"))
    meta = read_document(path)
    assert meta.fields["revision"] == "D"
    assert meta.fields["document_number"] == "WI-09"


def encrypt(data: bytes, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_password_protected_pdf_is_an_extraction_error(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(encrypt(make_pdf(["Revision: A"]), "secret"))
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        read_document(path)


def test_permission_only_encryption_is_read_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(encrypt(make_pdf(["Revision: A"]), ""))
    meta = read_document(path)
    assert meta.fields["revision"] == "A"
    assert any("encrypted" in warning for warning in meta.warnings)


def test_pdf_without_text_warns(tmp_path: Path) -> None:
    pdf = FPDF()
    pdf.add_page()
    path = tmp_path / "scan.pdf"
    path.write_bytes(bytes(pdf.output()))
    meta = read_document(path)
    assert meta.text == ""
    assert any("no extractable text" in warning for warning in meta.warnings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("D:20260101000000Z", "2026-01-01T00:00:00+00:00"),
        ("D:20250811143000+02'00'", "2025-08-11T14:30:00+02:00"),
        ("D:20250811143000-05'30", "2025-08-11T14:30:00-05:30"),
        ("D:2025", "2025-01-01T00:00:00"),
        ("yesterday", "yesterday"),
    ],
)
def test_pdf_date(raw: str, expected: str) -> None:
    assert pdf_date(raw) == expected
