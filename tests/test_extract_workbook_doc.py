"""Workbooks read as documents: properties from docProps, text from sheet headers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.packaging.custom import DateTimeProperty, StringProperty
from qmscheck.collecting.readers import read_document


def test_workbook_properties_and_header_text(tmp_path: Path) -> None:
    wb = Workbook()
    log = wb.active
    assert log is not None
    log.title = "Log"
    log.append(["NC & CAPA log, rev 5"])
    log.append(["NC No", "Date Raised", "Description", "Status"])
    for number in range(1, 500):
        log.append([f"NC-{number}", date(2025, 1, 1), "Burr", "Closed"])
    trend = wb.create_sheet("Trend")
    trend.append(["Month", "Count"])
    wb.properties.title = "NC and CAPA Log"
    wb.properties.creator = "Priya Nair"
    wb.properties.identifier = "REC-03"
    wb.properties.version = "5"
    wb.properties.created = datetime(2026, 1, 1, 0, 0, 0)
    wb.custom_doc_props.append(StringProperty(name="Document Owner", value="Quality Manager"))
    wb.custom_doc_props.append(DateTimeProperty(name="Next review", value=datetime(2026, 6, 30)))
    path = tmp_path / "NC and CAPA Log.xlsx"
    wb.save(path)

    meta = read_document(path)
    assert meta.title == "NC and CAPA Log"
    assert meta.properties["author"] == "Priya Nair"
    assert meta.properties["created"].startswith("2026-01-01T00:00:00")
    assert meta.properties["document_owner"] == "Quality Manager"
    assert meta.fields["document_number"] == "REC-03"
    assert meta.fields["revision"] == "5"
    assert meta.fields["owner"] == "Quality Manager"
    assert meta.fields["next_review"] == date(2026, 6, 30)
    assert meta.text.splitlines() == ["Log", "NC No\tDate Raised\tDescription\tStatus", "Trend", "Month\tCount"]


def test_workbook_without_title_uses_file_stem(tmp_path: Path) -> None:
    wb = Workbook()
    path = tmp_path / "Training Matrix.xlsx"
    wb.save(path)
    meta = read_document(path)
    assert meta.title == "Training Matrix"
    assert meta.fields == {}
    assert meta.text == ""
