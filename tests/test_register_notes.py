"""Helper cells beside a register ("Today:", an overdue counter) are notes, never records."""

from __future__ import annotations

import datetime
from pathlib import Path

import openpyxl
from cli_process import scan_report


def _register(path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Instruments"
    sheet.append(["Instrument ID", "Description", "Status", "Last calibrated", "Due date", "Certificate No"])
    for number, month in ((1, 6), (2, 7), (3, 8)):
        due = datetime.date(2026, month, 1)
        sheet.append([f"CAL-00{number}", "Micrometer", "In use", due.replace(year=2025), due, f"C-{number}"])
    sheet.append([])
    sheet.append(["Today:", None, None, None, datetime.date(2026, 3, 31)])
    sheet.append(["Überfällig", 0])
    sheet.append(["CAL-009", "Bore gauge"])  # a short record is still a record
    book.save(path)


def test_helper_cells_are_notes_named_in_the_warnings_and_never_instruments(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    _register(share / "Calibration Log.xlsx")
    report = scan_report(share, tmp_path)
    assert report["evidence_count"] == 4
    notes = [warning["message"] for warning in report["warnings"]]
    assert notes == [
        "row 6 ('Today:') read as a note beside the register, not a record",
        "row 7 ('Überfällig') read as a note beside the register, not a record",
    ]
    cited = {ref["label"] for finding in report["findings"] for ref in finding["evidence"]}
    assert not {"Today:", "Überfällig"} & cited
