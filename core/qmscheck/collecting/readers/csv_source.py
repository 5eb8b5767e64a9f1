"""CSV files: encoding fallback and delimiter sniffing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from .errors import ExtractionError
from .fileio import Encoding, detect_encoding, opening
from .limits import MAX_CSV_COLUMNS, MAX_CSV_FIELD_CHARS
from .table_source import TableSource

_SAMPLE_CHARS = 64 * 1024
# The sniffer's quote-guessing patterns take time growing with the square of the sample on lines
# full of quotes and delimiters (64 KB of ',"a' take 18 s); its first lines tell the dialect.
_SNIFF_CHARS = 8 * 1024
_DELIMITERS = ",;\t|"


def _consistency(sample: str, delimiter: str) -> tuple[int, int]:
    """(rows sharing the most common width, that width) when split on delimiter."""
    widths: dict[int, int] = {}
    for row in csv.reader(io.StringIO(sample), delimiter=delimiter):
        if len(row) > 1:
            widths[len(row)] = widths.get(len(row), 0) + 1
    if not widths:
        return 0, 0
    width = max(widths, key=lambda w: (widths[w], w))
    return widths[width], width


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    # A sample cut mid-line confuses the sniffer's per-line statistics.
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    best = max(_DELIMITERS, key=lambda d: _consistency(sample, d))
    try:
        head = sample[:_SNIFF_CHARS]
        if len(sample) > _SNIFF_CHARS and "\n" in head:
            head = head[: head.rindex("\n")]
        sniffed = csv.Sniffer().sniff(head, delimiters=_DELIMITERS)
    except csv.Error:
        sniffed = None
    # The sniffer is thrown by title lines above the header; trust it only
    # when its delimiter splits the rows as consistently as the best one.
    if sniffed is not None and _consistency(sample, sniffed.delimiter) >= _consistency(sample, best):
        return sniffed

    class Detected(csv.excel):
        delimiter = best if _consistency(sample, best)[0] else ","

    return Detected


def _rows(path: Path, encoding: Encoding, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[list[str]]:
    with opening(path), path.open(newline="", encoding=encoding.name, errors=encoding.errors) as handle:
        reader = csv.reader(handle, dialect)
        try:
            for row in reader:
                if len(row) > MAX_CSV_COLUMNS:
                    raise ExtractionError(
                        f"csv line {reader.line_num} has {len(row):,} columns, "
                        f"beyond the {MAX_CSV_COLUMNS:,}-column limit: not read"
                    )
                yield row
        except csv.Error as exc:
            if "field limit" not in str(exc):
                raise
            raise ExtractionError(
                f"csv line {reader.line_num} has a field longer than the {MAX_CSV_FIELD_CHARS:,}-character "
                "limit: not read"
            ) from exc


def csv_source(path: Path) -> TableSource:
    # The csv module's own per-field limit, stated here so that no other code may have raised it.
    csv.field_size_limit(MAX_CSV_FIELD_CHARS)
    encoding = detect_encoding(path)
    with opening(path), path.open(newline="", encoding=encoding.name, errors=encoding.errors) as handle:
        sample = handle.read(_SAMPLE_CHARS)
    dialect = _dialect(sample)
    warnings = [encoding.warning] if encoding.warning else []
    return TableSource(
        name=None,
        open_rows=lambda: _rows(path, encoding, dialect),
        warnings=warnings,
    )
