"""Word documents: title, control table, header labels, properties, text."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from .collect import FieldCollector, make_metadata
from .control_table import table_pairs
from .labels import label_pairs
from .models import DocumentMetadata
from .ooxml_props import read_office_properties
from .propfields import feed_properties
from .textbuf import TextBuffer

if TYPE_CHECKING:
    from docx.section import _Footer, _Header
    from docx.table import Table
    from docx.text.paragraph import Paragraph

_LABEL_PARAGRAPHS = 15
_TITLE_STYLES = frozenset({"title", "heading 1", "titel", "überschrift 1", "titre"})


def _table_rows(table: Table) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        previous = None
        for cell in row.cells:
            # A horizontally merged cell is reported once per grid column.
            if cell._tc is previous:
                continue
            previous = cell._tc
            cells.append(cell.text.strip())
        rows.append(cells)
    return rows


def _style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):
        return ""
    return (style.name or "").casefold() if style is not None else ""


def _header_parts(parts: list[tuple[str, _Header | _Footer]], collector: FieldCollector) -> None:
    for source, part in parts:
        # An unlinked part has its own content; a linked one repeats a part
        # already read (or, in the first section, does not exist).
        if part.is_linked_to_previous:
            continue
        for paragraph in part.paragraphs:
            collector.add_pairs(label_pairs(paragraph.text), source)
        for table in part.tables:
            rows = _table_rows(table)
            pairs = table_pairs(rows)
            if pairs is not None:
                collector.add_pairs(pairs, source)
            else:
                for row in rows:
                    for cell in row:
                        collector.add_pairs(label_pairs(cell), source)


def read_docx(path: Path) -> DocumentMetadata:
    import docx
    from docx.table import Table

    # Opening the zip first gives "bad zip: ..." for damaged files instead of
    # python-docx's misleading "Package not found".
    with zipfile.ZipFile(path) as archive:
        office = read_office_properties(archive)
    document = docx.Document(str(path))

    collector = FieldCollector()
    text = TextBuffer()
    control_found = False
    styled_title: str | None = None
    first_line: str | None = None
    body_paragraphs: list[str] = []
    labels_done = False

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = _table_rows(block)
            for row in rows:
                text.add("\t".join(cell for cell in row if cell))
            if not control_found:
                pairs = table_pairs(rows)
                if pairs is not None:
                    collector.add_pairs(pairs, "control table")
                    control_found = True
            continue
        line = block.text.strip()
        if not line:
            continue
        text.add(line)
        first_line = first_line or line
        style = _style_name(block)
        if styled_title is None and style in _TITLE_STYLES:
            styled_title = line
        elif style.startswith(("heading", "überschrift", "titre")):
            # Label lines belong to the document's front block; below the
            # first section heading "Label: text" is prose.
            labels_done = True
        if not labels_done and len(body_paragraphs) < _LABEL_PARAGRAPHS:
            body_paragraphs.append(line)

    parts: list[tuple[str, _Header | _Footer]] = []
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            parts.append(("header", header))
        for footer in (section.footer, section.first_page_footer, section.even_page_footer):
            parts.append(("footer", footer))
    _header_parts(parts, collector)
    for line in body_paragraphs:
        collector.add_pairs(label_pairs(line), "body")
    feed_properties(collector, office.properties, office.custom)

    title = office.properties.get("title") or styled_title or first_line
    return make_metadata(title, collector, office.properties, text, office.warnings)
