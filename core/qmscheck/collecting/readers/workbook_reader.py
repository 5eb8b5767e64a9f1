"""Workbooks read as documents: properties, sheet names and header rows."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .field_collector import FieldCollector, make_metadata
from .fileio import format_name
from .models import DocumentMetadata
from .ooxml_props import OfficeProperties, read_office_properties
from .propfields import feed_properties
from .register import read_headers
from .textbuf import TextBuffer

# Formats that are zip packages with docProps/ parts.
_OOXML = frozenset({".xlsx", ".xlsm", ".xlsb"})
_MAX_SHEETS = 200


def read_workbook(path: Path) -> DocumentMetadata:
    office = OfficeProperties()
    if format_name(path) in _OOXML:
        with zipfile.ZipFile(path) as archive:
            office = read_office_properties(archive)
    text = TextBuffer()
    for sheet, headers in read_headers(path, _MAX_SHEETS):
        text.add(sheet or "")
        text.add("\t".join(header for header in headers if header))
    collector = FieldCollector()
    feed_properties(collector, office.properties, office.custom)
    title = office.properties.get("title") or path.stem
    return make_metadata(title, collector, office.properties, text, office.warnings)
