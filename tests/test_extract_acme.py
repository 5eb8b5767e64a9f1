"""The repository's own sample file share reads cleanly end to end."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from qmscheck.collecting.readers import read_document, read_register

SHARE = Path(__file__).resolve().parents[1] / "fixtures" / "acme" / "share"

pytestmark = pytest.mark.skipif(not SHARE.is_dir(), reason="acme fixture share not generated")


def test_every_file_reads() -> None:
    files = sorted(path for path in SHARE.rglob("*") if path.is_file())
    assert files
    for path in files:
        meta = read_document(path)
        assert meta.title, path.name
        if path.suffix == ".xlsx":
            for sheet in read_register(path):
                assert list(sheet.rows), (path.name, sheet.sheet)


def test_work_instruction_pdf_fields() -> None:
    [path] = SHARE.glob("03 Work Instructions/WI-07*.pdf")
    meta = read_document(path)
    assert meta.fields["document_number"] == "WI-07"
    assert meta.fields["revision"] == "B"
    assert isinstance(meta.fields["approved"], date)
