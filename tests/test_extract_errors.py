"""Unreadable files of every kind become ExtractionError with a useful message."""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from docx import Document
from openpyxl import Workbook
from qmscheck.collecting.readers import ExtractionError, read_document, read_register

DOCUMENT_SUFFIXES = [".docx", ".pdf", ".md", ".markdown", ".txt", ".xlsx", ".xlsm"]
REGISTER_SUFFIXES = [".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"]


def docx_bytes() -> bytes:
    doc = Document()
    doc.add_paragraph("Revision: 3")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Name", "Role"])
    ws.append(["Ann", "Operator"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_random_bytes_as_docx(tmp_path: Path) -> None:
    path = tmp_path / "procedure.docx"
    path.write_bytes(b"this is not a zip archive at all")
    with pytest.raises(ExtractionError, match=r"^not a valid \.docx file \(bad zip: File is not a zip file\)$"):
        read_document(path)


def test_truncated_docx(tmp_path: Path) -> None:
    path = tmp_path / "procedure.docx"
    path.write_bytes(docx_bytes()[:3000])
    with pytest.raises(ExtractionError, match=r"not a valid \.docx file"):
        read_document(path)


def test_xlsx_renamed_to_docx(tmp_path: Path) -> None:
    path = tmp_path / "wrong.docx"
    path.write_bytes(xlsx_bytes())
    with pytest.raises(ExtractionError, match=r"not a valid \.docx file"):
        read_document(path)


def test_corrupt_xlsx_for_register_and_document(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(xlsx_bytes()[:1500])
    with pytest.raises(ExtractionError, match=r"not a valid \.xlsx file"):
        read_register(path)
    with pytest.raises(ExtractionError, match=r"not a valid \.xlsx file"):
        read_document(path)


def test_zip_without_workbook_parts(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match=r"not a valid \.xlsx file"):
        read_register(path)


def test_corrupt_pdf(tmp_path: Path) -> None:
    path = tmp_path / "wi.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage without xref or trailer")
    with pytest.raises(ExtractionError, match=r"not a valid \.pdf file"):
        read_document(path)


@pytest.mark.parametrize("suffix", DOCUMENT_SUFFIXES)
def test_zero_byte_document(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.touch()
    with pytest.raises(ExtractionError, match=rf"^empty file \(0 bytes\): not a valid \{suffix} file$"):
        read_document(path)


@pytest.mark.parametrize("suffix", REGISTER_SUFFIXES)
def test_zero_byte_register(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"empty{suffix}"
    path.touch()
    with pytest.raises(ExtractionError, match="empty file"):
        read_register(path)


@pytest.mark.parametrize("suffix", [*DOCUMENT_SUFFIXES, ".xls", ".xlsb", ".ods", ".csv"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_never_escape_as_other_exceptions(tmp_path: Path, suffix: str, seed: int) -> None:
    path = tmp_path / f"noise{suffix}"
    path.write_bytes(random.Random(seed).randbytes(4096))
    readers: list[Callable[[Path], object]] = (
        [read_register] if suffix in (".xls", ".xlsb", ".ods", ".csv") else [read_document]
    )
    if suffix in (".xlsx", ".xlsm"):
        readers.append(read_register)
    for reader in readers:
        try:
            result = reader(path)
        except ExtractionError as exc:
            assert str(exc)
            assert "Traceback" not in str(exc)
        else:
            # Text formats accept any bytes; they must still produce a result.
            assert suffix in (".md", ".markdown", ".txt", ".csv")
            assert result is not None
            if suffix == ".csv":
                assert isinstance(result, list)
                for sheet in result:
                    list(sheet.rows)  # lazy rows must not raise either


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "drawing.dwg"
    path.write_bytes(b"AC1027")
    with pytest.raises(ExtractionError, match=r"^unsupported file type \.dwg$"):
        read_document(path)
    with pytest.raises(ExtractionError, match=r"^unsupported register file type \.dwg$"):
        read_register(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="file not found"):
        read_document(tmp_path / "gone.docx")
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    with pytest.raises(ExtractionError, match="not a regular file"):
        read_register(folder)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_permission_denied(tmp_path: Path) -> None:
    path = tmp_path / "locked.docx"
    path.write_bytes(docx_bytes())
    path.chmod(0)
    try:
        with pytest.raises(ExtractionError, match="permission denied"):
            read_document(path)
    finally:
        path.chmod(0o600)


def test_os_errors_are_translated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root ignores file modes, so the permission failure is injected where the file is opened.
    path = tmp_path / "locked.txt"
    path.write_text("Revision: 1", encoding="utf-8")

    def deny(self: Path, *args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(ExtractionError, match=r"^cannot read file: permission denied$"):
        read_document(path)


def test_csv_deleted_between_reading_and_iterating(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("Name,Role\nAnn,Operator\n", encoding="utf-8")
    [sheet] = read_register(path)
    path.unlink()
    with pytest.raises(ExtractionError, match="cannot read file"):
        list(sheet.rows)


def test_corrupt_custom_properties_are_a_warning(tmp_path: Path) -> None:
    source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
    path = tmp_path / "odd.docx"
    with zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("docProps/custom.xml", "<Properties><property name='x'>")
    meta = read_document(path)
    assert meta.fields["revision"] == "3"
    assert any("custom.xml is not valid XML" in w for w in meta.warnings)
