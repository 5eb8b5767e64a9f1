"""Registers: xlsx written with openpyxl, csv in several dialects, a hand-made ods."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from qmscheck.collecting.readers import RegisterRow, RegisterSheet, read_register


def rows_of(sheet: RegisterSheet) -> list[RegisterRow]:
    return list(sheet.rows)


def test_title_rows_merged_cells_and_row_numbers(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Training"
    ws["A1"] = "Acme Precision Parts Ltd - Training Matrix"
    ws.merge_cells("A1:E1")
    ws["A2"] = "Rev 4, printed copies uncontrolled"
    ws.merge_cells("A2:E2")
    ws.append(["Employee", "Role", "Competence", "Date Completed", "Expiry Date"])
    ws.append(["Lucy Hartmann", "CNC Operator", "WI-07 setup", date(2024, 3, 14), None])
    ws.append([None, None, "Machine guarding", datetime(2025, 2, 20, 8, 30), date(2027, 2, 20)])
    ws.merge_cells("A4:A5")  # the employee spans both of her rows
    ws.merge_cells("B4:B5")
    ws.append([])
    ws.append(["Mei Chen", "Inspector", "CMM operation", 45000, "n/a"])
    path = tmp_path / "Training Matrix.xlsx"
    wb.save(path)

    [sheet] = read_register(path)
    assert sheet.sheet == "Training"
    assert sheet.header_row == 3
    assert sheet.headers == ("Employee", "Role", "Competence", "Date Completed", "Expiry Date")
    assert sheet.canonical == ("person", "role", "competence", "completed", "due")
    rows = rows_of(sheet)
    assert [row.row for row in rows] == [4, 5, 7]  # blank row 6 skipped, Excel numbering kept
    assert rows[0].values == {
        "person": "Lucy Hartmann",
        "role": "CNC Operator",
        "competence": "WI-07 setup",
        "completed": date(2024, 3, 14),
    }
    assert rows[1].values["person"] == "Lucy Hartmann"  # merged cell repeated
    assert rows[1].values["completed"] == date(2025, 2, 20)  # datetime normalised
    assert rows[1].raw["Expiry Date"] == date(2027, 2, 20)
    assert rows[2].values["completed"] == date(2023, 3, 15)  # serial number in a date column
    assert rows[2].values["due"] == "n/a"  # kept as text ...
    assert any("row 7" in w and "'n/a'" in w and "Expiry Date" in w for w in sheet.warnings)  # ... and reported


def test_two_register_sheets_and_an_empty_one(tmp_path: Path) -> None:
    wb = Workbook()
    approved = wb.active
    assert approved is not None
    approved.title = "Approved Suppliers"
    approved.append(["Supplier", "Scope", "Approval Status", "Approval Date", "Last Order Date"])
    approved.append(["Northbank Aluminium Ltd", "Bar", "Approved", date(2019, 5, 14), date(2026, 3, 12)])
    wb.create_sheet("Notes")
    evaluations = wb.create_sheet("Evaluations")
    evaluations.append(["Supplier", "Evaluation Date", "Score", "Result", "Evaluator"])
    evaluations.append(["Northbank Aluminium Ltd", date(2025, 6, 18), 91.0, "Approved", "Daniel Reyes"])
    evaluations.append(["Rapid Castings Ltd", date(2025, 7, 1), 72.5, "Conditional", "Elena Kowalski"])
    path = tmp_path / "Supplier Register.xlsx"
    wb.save(path)

    sheets = read_register(path)
    assert [s.sheet for s in sheets] == ["Approved Suppliers", "Evaluations"]
    first, second = sheets
    assert first.canonical == ("supplier", "scope", None, "approved", "last_used")
    [row] = rows_of(first)
    assert row.values["approval_status"] == "Approved"  # unrecognised header, snake-cased
    assert row.raw["Approval Status"] == "Approved"
    scores = [r.values["score"] for r in rows_of(second)]
    assert scores == [91, 72.5]
    assert type(scores[0]) is int


def test_german_and_french_headers(tmp_path: Path) -> None:
    wb = Workbook()
    de = wb.active
    assert de is not None
    de.title = "Prüfmittel"
    de.append(["Prüfmittel-Nr", "Beschreibung", "Standort", "Letzte Prüfung", "Fällig", "Zertifikat"])
    de.append(["PM-001", "Messschieber", "Halle 1", "15.09.2025", "15.09.2026", "DAkkS-123"])
    fr = wb.create_sheet("Non-conformités")
    fr.append(["Numéro", "Date", "Description", "Cause racine", "Action corrective", "Échéance", "Statut"])
    fr.append(["NC-12", "3 mars 2025", "Bavures", "Outil usé", "Changer l'outil", "30 avril 2025", "Ouvert"])
    path = tmp_path / "Register.xlsx"
    wb.save(path)

    german, french = read_register(path)
    assert german.canonical == ("instrument_id", "description", "location", "last_reviewed", "due", "certificate")
    [row] = rows_of(german)
    assert row.values["last_reviewed"] == date(2025, 9, 15)
    assert row.values["due"] == date(2026, 9, 15)
    assert french.canonical == (
        "reference",
        "issued",
        "description",
        "root_cause",
        "corrective_action",
        "due",
        "status",
    )
    [row] = rows_of(french)
    assert row.values["issued"] == date(2025, 3, 3)
    assert row.values["due"] == date(2025, 4, 30)
    assert german.warnings == [] and french.warnings == []


def test_csv_semicolon_cp1252_with_umlauts(tmp_path: Path) -> None:
    path = tmp_path / "schulung.csv"
    text = (
        "Mitarbeiter;Funktion;Schulung;Abschlussdatum;Gültig bis;Bewertung\r\n"
        "Jürgen Groß;Prüfer;Sichtprüfung;12.03.2025;12.03.2027;4\r\n"
        "Anna Müller;Dreherin;Maßprüfung;01.02.2024;;3,5\r\n"
    )
    path.write_bytes(text.encode("cp1252"))
    [sheet] = read_register(path)
    assert sheet.sheet is None
    assert sheet.header_row == 1
    assert sheet.canonical == ("person", "role", "competence", "completed", "due", "score")
    first, second = rows_of(sheet)
    assert first.row == 2 and second.row == 3
    assert first.values == {
        "person": "Jürgen Groß",
        "role": "Prüfer",
        "competence": "Sichtprüfung",
        "completed": date(2025, 3, 12),
        "due": date(2027, 3, 12),
        "score": 4,
    }
    assert "due" not in second.values  # empty cell omitted
    assert second.values["score"] == "3,5"  # decimal comma is not guessed at
    assert "Gültig bis" not in second.raw


def test_csv_utf8_bom_comma_quotes_and_text_numbers(tmp_path: Path) -> None:
    path = tmp_path / "docs.csv"
    text = (
        "Document No,Title,Rev,Owner,Next review\n"
        'QP-01,"Control of documents, records",007,QA,2026-02-13\n'
        "QP-02,Internal audit,1.10,QA,2027-03-02\n"
    )
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    [sheet] = read_register(path)
    assert sheet.headers[0] == "Document No"  # BOM stripped
    first, second = rows_of(sheet)
    assert first.values["title"] == "Control of documents, records"
    assert first.values["revision"] == "007"
    assert second.values["revision"] == "1.10"
    assert second.values["next_review"] == date(2027, 3, 2)


def test_csv_tab_delimited_with_title_line(tmp_path: Path) -> None:
    path = tmp_path / "cal.csv"
    path.write_text(
        "Calibration log exported 2026-01-05\n\nInstrument ID\tLast calibrated\tNext due\n"
        "CAL-001\t2025-09-15\t2026-09-15\n",
        encoding="utf-8",
    )
    [sheet] = read_register(path)
    assert sheet.header_row == 3
    [row] = rows_of(sheet)
    assert row.row == 4
    assert row.values == {"instrument_id": "CAL-001", "completed": date(2025, 9, 15), "due": date(2026, 9, 15)}


def test_ambiguous_date_columns(tmp_path: Path) -> None:
    path = tmp_path / "dates.csv"
    path.write_text(
        "Ref,Date raised,Due date,Closed\nA,03/04/2025,04/13/2025,05/06/2025\nB,25/04/2025,05/14/2025,06/07/2025\n",
        encoding="utf-8",
    )
    [sheet] = read_register(path)
    first, second = rows_of(sheet)
    # "25/04" proves the raised column is day-first; "04/13" proves due is month-first.
    assert first.values["issued"] == date(2025, 4, 3)
    assert first.values["due"] == date(2025, 4, 13)
    assert second.values["due"] == date(2025, 5, 14)
    # Nothing decides "Closed": day-first, with exactly one warning naming the column.
    assert first.values["completed"] == date(2025, 6, 5)
    ambiguous = [w for w in sheet.warnings if "ambiguous" in w]
    assert len(ambiguous) == 1
    assert "'Closed'" in ambiguous[0]


def test_target_column_holding_text_is_not_a_due_date(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Objective", "Target", "Owner", "Due Date", "Completed", "Current Value"])
    ws.append(["On-time delivery", "98% on time", "Production", date(2026, 12, 31), "No", "97.8%"])
    ws.append(["Returns", "Below 800 PPM", "Quality", date(2026, 12, 31), "Yes", 610])
    path = tmp_path / "objectives.xlsx"
    wb.save(path)
    [sheet] = read_register(path)
    assert sheet.canonical == ("objective", "target", "owner", "due", "completed", "current_value")
    first, second = rows_of(sheet)
    assert first.values["target"] == "98% on time"
    assert first.values["due"] == date(2026, 12, 31)
    assert second.values["completed"] == "Yes"
    assert second.values["current_value"] == 610
    assert sheet.warnings == []  # text in weak date columns is not a parsing problem


def test_target_column_holding_dates_is_due(tmp_path: Path) -> None:
    path = tmp_path / "capa.csv"
    path.write_text("CAPA No,Target,Date\nC-1,2026-01-31,2025-12-01\n", encoding="utf-8")
    [sheet] = read_register(path)
    assert sheet.canonical == ("reference", "due", "issued")
    [row] = rows_of(sheet)
    assert row.values == {"reference": "C-1", "due": date(2026, 1, 31), "issued": date(2025, 12, 1)}


def test_duplicate_and_blank_headers(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("Name,Date,Date,,Comment\nAnn,2025-01-01,2025-02-01,extra,ok\n", encoding="utf-8")
    [sheet] = read_register(path)
    assert sheet.headers == ("Name", "Date", "Date", "Column 4", "Comment")
    assert sheet.canonical == ("person", "issued", None, None, None)
    [row] = rows_of(sheet)
    assert row.values == {
        "person": "Ann",
        "issued": date(2025, 1, 1),
        "date": date(2025, 2, 1),
        "column_4": "extra",
        "comment": "ok",
    }
    assert row.raw["Date (2)"] == "2025-02-01"
    assert any("duplicate column 'Date'" in w for w in sheet.warnings)


def test_unlabelled_date_column_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("Gauge ID,Checked on\nG-1,12 March 2025\nG-2,01/04/2025\n", encoding="utf-8")
    [sheet] = read_register(path)
    assert sheet.canonical == ("instrument_id", None)
    first, _second = rows_of(sheet)
    assert first.values["checked_on"] == date(2025, 3, 12)


def test_rows_can_be_iterated_twice(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Name,Role\nA,Op\nB,Insp\n", encoding="utf-8")
    [sheet] = read_register(path)
    assert [r.values["person"] for r in sheet.rows] == ["A", "B"]
    assert [r.values["person"] for r in sheet.rows] == ["A", "B"]
    assert next(iter(sheet.rows)).row == 2


def test_header_found_without_canonical_names(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Widget report\nColour,Flavour\nred,sweet\n", encoding="utf-8")
    [sheet] = read_register(path)
    assert sheet.header_row == 2
    assert sheet.canonical == (None, None)
    assert [r.values for r in sheet.rows] == [{"colour": "red", "flavour": "sweet"}]


def test_empty_csv_and_sheetless_content(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n;;\n", encoding="utf-8")
    assert read_register(path) == []


# calamine rejects whitespace between ODS cells, so the XML is built unindented.
ODS_ROWS = [
    '<table:table-cell office:value-type="string"><text:p>Kalibrierplan 2026</text:p></table:table-cell>',
    '<table:table-cell office:value-type="string"><text:p>Prüfmittel</text:p></table:table-cell>'
    '<table:table-cell office:value-type="string"><text:p>Fällig</text:p></table:table-cell>',
    '<table:table-cell office:value-type="string"><text:p>PM-01</text:p></table:table-cell>'
    '<table:table-cell office:value-type="date" office:date-value="2026-05-01">'
    "<text:p>01.05.2026</text:p></table:table-cell>",
]
ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Kalibrierung">'
    + "".join(f"<table:table-row>{cells}</table:table-row>" for cells in ODS_ROWS)
    + "</table:table></office:spreadsheet></office:body></office:document-content>"
)

ODS_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


def test_ods(tmp_path: Path) -> None:
    # odfpy is not a dependency; an ODS file is a zip of XML parts, written here by hand.
    path = tmp_path / "kalibrierung.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST)
        archive.writestr("content.xml", ODS_CONTENT)
    [sheet] = read_register(path)
    assert sheet.sheet == "Kalibrierung"
    assert sheet.header_row == 2
    assert sheet.canonical == ("instrument_id", "due")
    [row] = rows_of(sheet)
    assert row.row == 3
    assert row.values == {"instrument_id": "PM-01", "due": date(2026, 5, 1)}


@pytest.mark.parametrize("suffix", [".xlsm"])
def test_macro_enabled_suffix_is_read(tmp_path: Path, suffix: str) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["NC No", "Date raised", "Status"])
    ws.append(["NC-1", date(2025, 1, 2), "Open"])
    path = tmp_path / f"log{suffix}"
    wb.save(path)
    [sheet] = read_register(path)
    assert [r.values for r in sheet.rows] == [{"reference": "NC-1", "issued": date(2025, 1, 2), "status": "Open"}]


def test_spanish_and_italian_headers_map_to_canonical_fields(tmp_path: Path) -> None:
    path = tmp_path / "nc.csv"
    path.write_text(
        "Nº NC;Fecha apertura;Descripción;Causa raíz;Acción correctiva;Fecha prevista;Fecha cierre;Estado\n"
        "NC-2025-03;11/03/2025;Pliegue a 88°;Utillaje desgastado;Sustitución;15/04/2025;08/04/2025;Cerrada\n",
        encoding="utf-8",
    )
    (sheet,) = read_register(path)
    assert list(sheet.canonical) == [
        "reference",
        "issued",
        "description",
        "root_cause",
        "corrective_action",
        "due",
        "completed",
        "status",
    ]
    (row,) = rows_of(sheet)
    assert row.values["completed"] == date(2025, 4, 8)
    # A status in any language reads as the rules' English word; the raw value keeps what was written.
    assert row.values["status"] == "closed"
    assert row.raw["Estado"] == "Cerrada"
    italian = tmp_path / "reclami.csv"
    italian.write_text(
        "Numero,Cliente,Data ricezione,Descrizione,Data risposta,Stato\nREC-1,Sebina,02/04/2025,Bave,16/04/2025,Chiuso\n",
        encoding="utf-8",
    )
    (sheet,) = read_register(italian)
    assert list(sheet.canonical) == ["reference", "customer", "issued", "description", "responded", "status"]


def test_excel_serial_numbers_in_a_csv_date_column(tmp_path: Path) -> None:
    path = tmp_path / "nc export.csv"
    path.write_text(
        "NC No,Date Raised,Description,Date Closed,Fecha homologación\nNC-0401,45750,Barcode grade C,45771,46081\n",
        encoding="utf-8",
    )
    (sheet,) = read_register(path)
    (row,) = rows_of(sheet)
    assert row.values["issued"] == date(2025, 4, 3)
    assert row.values["completed"] == date(2025, 4, 24)
    # A header that names a date ("Fecha ...") reads serials as dates even when it is no known field.
    assert row.values["fecha_homologacion"] == date(2026, 2, 28)


def test_day_or_month_first_from_the_sheet_then_the_language(tmp_path: Path) -> None:
    # The first column proves day first (25/03); the second's 04/05 then reads as 4 May.
    path = tmp_path / "log.csv"
    path.write_text("Item,Date raised,Date closed\nA,25/03/2025,04/05/2025\n", encoding="utf-8")
    (sheet,) = read_register(path)
    (row,) = rows_of(sheet)
    assert row.values["completed"] == date(2025, 5, 4)
    assert not [warning for warning in sheet.warnings if "ambiguous" in warning]
    # Spanish headers: Spanish writes day first.
    spanish = tmp_path / "es.csv"
    spanish.write_text("Equipo,Fecha de calibración\nEQ-1,04/05/2025\n", encoding="utf-8")
    (sheet,) = read_register(spanish)
    assert rows_of(sheet)[0].values["completed"] == date(2025, 5, 4)
    assert not [warning for warning in sheet.warnings if "ambiguous" in warning]
    # English headers and nothing else to tell: read day first, and say so.
    english = tmp_path / "en.csv"
    english.write_text("Item,Date closed\nA,04/05/2025\n", encoding="utf-8")
    (sheet,) = read_register(english)
    assert rows_of(sheet)[0].values["completed"] == date(2025, 5, 4)
    assert [warning for warning in sheet.warnings if "neither the sheet's other dates nor its language" in warning]
