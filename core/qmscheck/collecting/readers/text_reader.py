"""Plain-text documents: first line as title, 'Label: value' lines."""

from __future__ import annotations

from pathlib import Path

from .field_collector import FieldCollector, make_metadata
from .fileio import read_text
from .labels import label_pairs
from .models import DocumentMetadata
from .textbuf import TEXT_LIMIT, TextBuffer

_MAX_BYTES = 8 * TEXT_LIMIT
# Labels in a text record live in its opening block, not in the narrative.
_LABEL_LINES = 60


def read_txt(path: Path) -> DocumentMetadata:
    source = read_text(path, _MAX_BYTES)
    warnings = [source.warning] if source.warning else []
    lines = [line.strip() for line in source.text.splitlines() if line.strip()]
    collector = FieldCollector()
    for line in lines[:_LABEL_LINES]:
        collector.add_pairs(label_pairs(line), "text")
    text = TextBuffer()
    text.add(source.text.strip())
    if source.truncated:
        text.truncated = True
    title = lines[0] if lines else None
    return make_metadata(title, collector, {}, text, warnings)
