"""Markdown documents: front matter, control table, label lines, title and body text, and the
parts a document holds (revision histories, register tables, sections: document_parts)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from .control_table import APPROVALS, REGISTER, REVISIONS, table_pairs, table_role
from .document_parts import LATER_PRIORITY, DocumentTables, Heading, sections
from .field_collector import FieldCollector, make_metadata
from .fileio import read_text
from .frontmatter import parse_front_matter
from .labels import label_pairs
from .markdown_blocks import (
    Table,
    headings,
    only_blank_between,
    outside_code,
    split_front_matter,
    strip_emphasis,
    tables,
)
from .models import DocumentMetadata
from .textbuf import TEXT_LIMIT, TextBuffer

_MAX_BYTES = 8 * TEXT_LIMIT
# Control tables sit in the document's opening block; some files put them
# above the first heading, others under "## General".
_TABLE_WINDOW_LINES = 120
_LABEL_LINES = 15
# "**Chair:** Owen Mills" further down: a bold label is written as one.
_BOLD_LABEL = re.compile(r"^[-*+]?\s*(\*\*|__)[^*_:]{1,60}(:\s*(\*\*|__)|(\*\*|__)\s*:)")


def _control_tables(lines: list[str], plain: list[bool], found: list[Table], collector: FieldCollector) -> set[int]:
    """Read the first control table and any that directly follow it; the start lines of those read."""
    read: set[int] = set()
    previous_end: int | None = None
    for table in found:
        if table.start >= _TABLE_WINDOW_LINES:
            break
        if previous_end is not None and not only_blank_between(lines, previous_end, table.start):
            break
        # A table of records, a revision history or an approval block at the head of a document
        # is no label/value block, whatever its columns: they are read as such (document_parts).
        pairs = None if table_role(table.rows) in (REGISTER, REVISIONS, APPROVALS) else table_pairs(table.rows)
        if pairs is None:
            if previous_end is not None:
                break
            continue
        collector.add_pairs(pairs, "control table")
        read.add(table.start)
        previous_end = table.end
    return read


def _label_lines(lines: list[str], plain: list[bool], heading_lines: list[int], collector: FieldCollector) -> None:
    """'**Date:** 2025-03-01' style lines before the first section heading, and bold labels anywhere."""
    stop = heading_lines[1] if len(heading_lines) > 1 else len(lines)
    taken = 0
    for index, raw in enumerate(lines):
        line = raw.strip()
        if not plain[index] or not line or line.startswith(("|", "#", "<")):
            continue
        if index < stop and taken < _LABEL_LINES:
            collector.add_pairs(label_pairs(strip_emphasis(line).lstrip("-*+ ")), "body")
            taken += 1
        elif index >= stop and _BOLD_LABEL.match(line):
            for label, value in label_pairs(strip_emphasis(line).lstrip("-*+ ")):
                collector.add(label, value, "body", priority=LATER_PRIORITY)


# In front matter a bare "id" names the document itself, not a record's reference.
# TODO(vocabulary): front-matter keys could join the field labels of each language.
_FRONT_MATTER_KEYS = {"id": "document_id", "doc_id": "document_id", "ref": "document_id"}


def _front_matter_label(key: str) -> str:
    return _FRONT_MATTER_KEYS.get(key.strip().casefold(), key)


def read_markdown(path: Path) -> DocumentMetadata:
    source = read_text(path, _MAX_BYTES)
    warnings = [source.warning] if source.warning else []
    front, body = split_front_matter(source.text)
    collector = FieldCollector()
    front_title: str | None = None
    if front is not None:
        pairs, front_warnings = parse_front_matter(front)
        warnings.extend(front_warnings)
        collector.add_pairs([(_front_matter_label(key), value) for key, value in pairs], "front matter")
        front_title = next((v for k, v in pairs if k.strip().casefold() == "title" and v), None)

    # Lines are cited as the file numbers them: the body starts below the front matter.
    offset = source.text.count("\n", 0, len(source.text) - len(body)) if front is not None else 0
    lines = body.splitlines()
    plain = outside_code(lines)
    found = headings(lines, plain)
    every_table = tables(lines, plain, len(lines))
    control = _control_tables(lines, plain, every_table, collector)
    _label_lines(lines, plain, [index for index, _, _ in found], collector)
    parts = DocumentTables(collector)
    heading_at = 0
    for table in every_table:
        if table.start in control:
            continue
        while heading_at < len(found) and found[heading_at][0] < table.start:
            heading_at += 1
        above = found[heading_at - 1][2] if heading_at else None
        # The separator line is kept as an empty row, so that rows are numbered as the file's lines.
        rows = [table.rows[0], [], *table.rows[1:]]
        parts.add(rows, above, offset + table.start + 1)

    h1 = next((text for _, level, text in found if level == 1 and text), None)
    any_heading = next((text for _, _, text in found if text), None)
    text = TextBuffer()
    text.add(body.strip())
    if source.truncated:
        text.truncated = True
    marks = [Heading(index, level, heading) for index, level, heading in found]
    cut = sections(marks, len(lines), lambda start, stop: "\n".join(lines[start:stop]))
    return make_metadata(
        front_title or h1 or any_heading,
        collector,
        {},
        text,
        warnings,
        headings=tuple(heading for _, _, heading in found if heading),
        tables=tuple(parts.registers),
        sections=tuple(replace(section, line=section.line + offset) for section in cut),
    )
