"""CSV files: encoding fallback and delimiter sniffing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from .fileio import Encoding, detect_encoding, opening
from .table_source import TableSource

_SAMPLE_CHARS = 64 * 1024
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
        sniffed = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
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
        yield from csv.reader(handle, dialect)


def csv_source(path: Path) -> TableSource:
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
