"""File-reading layer: documents and registers as plain Python values.

Heavy parsers (python-docx, pypdf, python-calamine, PyYAML) are imported only
when a file of that kind is read, so importing this package is cheap.
"""

from __future__ import annotations

from .dates import parse_date
from .documents import read_document
from .errors import ExtractionError
from .fields import canonical_field, snake
from .models import DocumentMetadata, DocumentSection, DocumentTable, RegisterRow, RegisterSheet
from .register import read_register, read_table
from .register_rows import note_row

__all__ = [
    "DocumentMetadata",
    "DocumentSection",
    "DocumentTable",
    "ExtractionError",
    "RegisterRow",
    "RegisterSheet",
    "canonical_field",
    "note_row",
    "parse_date",
    "read_document",
    "read_register",
    "read_table",
    "snake",
]
