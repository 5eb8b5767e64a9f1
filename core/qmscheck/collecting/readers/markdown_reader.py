"""Markdown documents: front matter, control table, title and body text."""

from __future__ import annotations

from pathlib import Path

from .control_table import table_pairs
from .field_collector import FieldCollector, make_metadata
from .fileio import read_text
from .frontmatter import parse_front_matter
from .labels import label_pairs
from .markdown_blocks import (
    headings,
    only_blank_between,
    outside_code,
    split_front_matter,
    tables,
)
from .models import DocumentMetadata
from .textbuf import TEXT_LIMIT, TextBuffer

_MAX_BYTES = 8 * TEXT_LIMIT
# Control tables sit in the document's opening block; some files put them
# above the first heading, others under "## General".
_TABLE_WINDOW_LINES = 120
_LABEL_LINES = 15


def _control_tables(lines: list[str], plain: list[bool], collector: FieldCollector) -> None:
    """Read the first control table and any that directly follow it."""
    previous_end: int | None = None
    for table in tables(lines, plain, _TABLE_WINDOW_LINES):
        if previous_end is not None and not only_blank_between(lines, previous_end, table.start):
            return
        pairs = table_pairs(table.rows)
        if pairs is None:
            if previous_end is not None:
                return
            continue
        collector.add_pairs(pairs, "control table")
        previous_end = table.end


def _label_lines(lines: list[str], plain: list[bool], heading_lines: list[int], collector: FieldCollector) -> None:
    """'**Date:** 2025-03-01' style lines before the first section heading."""
    stop = heading_lines[1] if len(heading_lines) > 1 else len(lines)
    taken = 0
    for index in range(min(stop, len(lines))):
        line = lines[index].strip()
        if not plain[index] or not line or line.startswith(("|", "#", "<")):
            continue
        collector.add_pairs(label_pairs(line.lstrip("-*+ ")), "body")
        taken += 1
        if taken >= _LABEL_LINES:
            return


def read_markdown(path: Path) -> DocumentMetadata:
    source = read_text(path, _MAX_BYTES)
    warnings = [source.warning] if source.warning else []
    front, body = split_front_matter(source.text)
    collector = FieldCollector()
    front_title: str | None = None
    if front is not None:
        pairs, front_warnings = parse_front_matter(front)
        warnings.extend(front_warnings)
        collector.add_pairs(pairs, "front matter")
        front_title = next((v for k, v in pairs if k.strip().casefold() == "title" and v), None)

    lines = body.splitlines()
    plain = outside_code(lines)
    found = headings(lines, plain)
    _control_tables(lines, plain, collector)
    _label_lines(lines, plain, [index for index, _, _ in found], collector)

    h1 = next((text for _, level, text in found if level == 1 and text), None)
    any_heading = next((text for _, _, text in found if text), None)
    text = TextBuffer()
    text.add(body.strip())
    if source.truncated:
        text.truncated = True
    return make_metadata(front_title or h1 or any_heading, collector, {}, text, warnings)
