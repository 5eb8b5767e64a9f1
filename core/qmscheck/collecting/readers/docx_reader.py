"""Word documents: title, control table, header labels, properties, text."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from . import docx_fallback
from .control_table import APPROVALS, REGISTER, REVISIONS, table_pairs, table_role
from .document_parts import DocumentTables, Heading, control_line, sections
from .docx_package import HeaderPart, Paragraph, read_content
from .field_collector import FieldCollector, make_metadata
from .labels import label_pairs
from .models import DocumentMetadata
from .ooxml_props import OfficeProperties, read_office_properties
from .packages import check_declared
from .propfields import feed_properties
from .textbuf import TextBuffer

_LABEL_PARAGRAPHS = 15
_TITLE_STYLES = frozenset({"title", "heading 1", "titel", "überschrift 1", "titre"})
_HEADING_WORDS = ("heading", "überschrift", "titre")
# Heading styles by their case-folded names, Word's built-in English ones and those of localised
# templates: "heading 2", "überschrift 2", "titolo 2", "título 2", "kop 2", "rubrik 2".
# TODO(vocabulary): the heading style names of each language.
_HEADING_STYLE = re.compile(
    r"^(?:heading|überschrift|titre|titolo|título|titulo|kop|rubrik|overskrift|otsikko|nagłówek)\s*(\d)$"
)

# A body block: (paragraph text, its case-folded style name on demand) or a table's rows.
Block = tuple[str, Callable[[], str]] | list[list[str]]


def _header_labels(parts: list[HeaderPart], collector: FieldCollector) -> None:
    for part in parts:
        for paragraph in part.paragraphs:
            collector.add_pairs(label_pairs(paragraph), part.source)
        for rows in part.tables:
            pairs = table_pairs(rows)
            if pairs is not None:
                collector.add_pairs(pairs, part.source)
            else:
                for row in rows:
                    for cell in row:
                        collector.add_pairs(label_pairs(cell), part.source)


def _heading_level(style: str) -> int | None:
    """1 for "heading 1" (and its names in other languages), 0 for the title style, else None."""
    if style in _TITLE_STYLES and not style[-1:].isdigit():
        return 0
    match = _HEADING_STYLE.match(style)
    return int(match.group(1)) if match else None


def metadata_of_blocks(
    blocks: Iterable[Block],
    office: OfficeProperties,
    header_parts: Callable[[], list[HeaderPart]] = list,
) -> DocumentMetadata:
    """A document's metadata from its body blocks in reading order (a Word document's, or an HTML
    page's), its file properties and its page headers."""
    collector = FieldCollector()
    parts = DocumentTables(collector)
    text = TextBuffer()
    control_found = False
    styled_title: str | None = None
    first_line: str | None = None
    body_paragraphs: list[str] = []
    later_paragraphs: list[str] = []
    labels_done = False
    marks: list[Heading] = []
    # Each block's text, by position, for cutting the document into sections.
    texts: list[str] = []

    for block in blocks:
        if isinstance(block, list):
            rows_text = "\n".join("\t".join(cell for cell in row if cell) for row in block)
            texts.append(rows_text)
            text.add(rows_text)
            role = table_role(block)
            if role in (REGISTER, REVISIONS, APPROVALS):
                heading = next((mark.text for mark in reversed(marks) if mark.level > 0), None)
                parts.add(block, heading, 1)
            elif not control_found:
                pairs = table_pairs(block)
                if pairs is not None:
                    collector.add_pairs(pairs, "control table")
                    control_found = True
            continue
        paragraph_text, style_name = block
        line = paragraph_text.strip()
        texts.append(line)
        if not line:
            continue
        text.add(line)
        first_line = first_line or line
        style = style_name()
        level = _heading_level(style)
        if level is not None:
            marks.append(Heading(len(texts) - 1, level, line))
        if styled_title is None and style in _TITLE_STYLES:
            styled_title = line
        elif style.startswith(_HEADING_WORDS):
            # Label lines belong to the document's front block; below the
            # first section heading "Label: text" is prose.
            labels_done = True
        if not labels_done and len(body_paragraphs) < _LABEL_PARAGRAPHS:
            body_paragraphs.append(line)
        elif labels_done and level is None:
            later_paragraphs.append(line)

    _header_labels(header_parts(), collector)
    for line in body_paragraphs:
        collector.add_pairs(control_line(line) or label_pairs(line), "body")
    for line in later_paragraphs:
        collector.add_pairs(control_line(line), "control line")
    feed_properties(collector, office.properties, office.custom)

    title = office.properties.get("title") or styled_title or first_line
    return make_metadata(
        title,
        collector,
        office.properties,
        text,
        office.warnings,
        headings=tuple(mark.text for mark in marks),
        tables=tuple(parts.registers),
        sections=tuple(sections(marks, len(texts), lambda start, stop: "\n".join(t for t in texts[start:stop] if t))),
    )


def read_docx(path: Path) -> DocumentMetadata:
    # Opening the zip first gives "bad zip: ..." for damaged files instead of
    # python-docx's misleading "Package not found".
    with zipfile.ZipFile(path) as archive:
        # Both parsers below (and python-docx reads every part) meet only parts within the limits.
        check_declared(archive, ".docx")
        office = read_office_properties(archive)
        try:
            content, styles = read_content(archive)
            blocks: list[Block] = [
                (block.text, partial(styles.paragraph_style, block.element)) if isinstance(block, Paragraph) else block
                for block in content.blocks
            ]
            return metadata_of_blocks(blocks, office, lambda: content.header_parts)
        except Exception:
            # docx_package.Unusual, or a damaged part: python-docx has the last
            # word on what such a file contains or why it cannot be read.
            pass
    # read_office_properties has no side effects on failure, so reuse its result.
    document = docx_fallback.open_document(path)
    return metadata_of_blocks(docx_fallback.blocks(document), office, lambda: docx_fallback.header_parts(document))
