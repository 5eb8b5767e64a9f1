"""read_document: dispatch on suffix behind a single error boundary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .boundary import translated_errors
from .errors import ExtractionError
from .fileio import check_readable, format_name
from .models import DocumentMetadata


def _reader(fmt: str) -> Callable[[Path], DocumentMetadata] | None:
    # Imported per call so that importing qmscheck.collecting.readers stays cheap.
    if fmt == ".docx":
        from .docx_reader import read_docx

        return read_docx
    if fmt == ".pdf":
        from .pdf_reader import read_pdf

        return read_pdf
    if fmt in (".md", ".markdown"):
        from .markdown_reader import read_markdown

        return read_markdown
    if fmt in (".html", ".htm"):
        from .html_reader import read_html

        return read_html
    if fmt == ".txt":
        from .text_reader import read_txt

        return read_txt
    if fmt in (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"):
        from .workbook_reader import read_workbook

        return read_workbook
    return None


def read_document(path: Path) -> DocumentMetadata:
    """Metadata and text of one document; raises ExtractionError if unreadable."""
    path = Path(path)
    fmt = format_name(path)
    reader = _reader(fmt)
    if reader is None:
        raise ExtractionError(f"unsupported file type {fmt}")
    check_readable(path)
    with translated_errors(fmt):
        return reader(path)
