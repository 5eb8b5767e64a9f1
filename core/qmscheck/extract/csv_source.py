"""CSV files: encoding fallback and delimiter sniffing."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from .fileio import Encoding, detect_encoding, opening
from .table_source import TableSource

_SAMPLE_CHARS = 64 * 1024
_DELIMITERS = ",;\t|"


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    # A sample cut mid-line confuses the sniffer's per-line statistics.
    if "\n" in sample:
        sample = sample[: sample.rindex("\n")]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
    except csv.Error:
        first_line = sample.splitlines()[0] if sample else ""
        delimiter = max(_DELIMITERS, key=first_line.count)

        class Fallback(csv.excel):
            pass

        Fallback.delimiter = delimiter if first_line.count(delimiter) else ","
        return Fallback


def _rows(path: Path, encoding: Encoding, dialect: type[csv.Dialect] | csv.Dialect) -> Iterator[list[object]]:
    with opening(path), path.open(newline="", encoding=encoding.name, errors=encoding.errors) as handle:
        for row in csv.reader(handle, dialect):
            yield list(row)


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
