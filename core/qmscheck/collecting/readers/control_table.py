"""Recognise a document-control table and read its label/value pairs.

Two layouts are common: label/value rows ("Document No | QP-01", possibly
two pairs per row) and a row of labels above a single row of values.
"""

from __future__ import annotations

import re

from .dates import parse_date
from .fields import canonical_field

_MAX_LABEL_CHARS = 60
_HAS_LETTER = re.compile(r"[^\W\d_]")


def clean_label(text: str) -> str:
    return " ".join(text.split()).strip("*_` ").rstrip(":").strip("*_` ")


def _label_like(text: str) -> bool:
    return len(text) <= _MAX_LABEL_CHARS and _HAS_LETTER.search(text) is not None and parse_date(text) is None


def _hits(labels: list[str]) -> int:
    return sum(1 for label in labels if canonical_field(label) is not None)


def _vertical(rows: list[list[str]]) -> tuple[int, list[tuple[str, str]]]:
    pairs: list[tuple[str, str]] = []
    for row in rows:
        if len(row) < 2 or len(row) % 2:
            continue
        for index in range(0, len(row), 2):
            label = clean_label(row[index])
            if label:
                pairs.append((label, row[index + 1].strip()))
    if not pairs:
        return 0, []
    labels = [label for label, _ in pairs]
    label_like = sum(1 for label in labels if _label_like(label))
    # Data tables such as "Date | Status" have dates in the first column.
    if label_like < 0.8 * len(labels):
        return 0, []
    return _hits(labels), pairs


def _horizontal(rows: list[list[str]]) -> tuple[int, list[tuple[str, str]]]:
    if len(rows) != 2 or len(rows[0]) != len(rows[1]) or len(rows[0]) < 2:
        return 0, []
    labels = [clean_label(cell) for cell in rows[0]]
    hits = _hits(labels)
    if hits < 2:
        return 0, []
    pairs = [(label, value.strip()) for label, value in zip(labels, rows[1], strict=True) if label]
    return hits, pairs


def table_pairs(rows: list[list[str]]) -> list[tuple[str, str]] | None:
    """The table's label/value pairs if it looks like a control table."""
    non_empty = [row for row in rows if any(cell.strip() for cell in row)]
    vertical_hits, vertical = _vertical(non_empty)
    horizontal_hits, horizontal = _horizontal(non_empty)
    if horizontal_hits > vertical_hits:
        return horizontal
    if vertical_hits >= 1:
        return vertical
    return None
