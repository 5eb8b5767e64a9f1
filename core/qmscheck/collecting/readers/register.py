"""read_register: spreadsheet and CSV registers as canonical rows."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from .boundary import translated_errors
from .errors import ExtractionError
from .fileio import check_readable, format_name
from .models import DocumentTable, RegisterSheet
from .register_plan import plan_columns
from .register_rows import RowStream, produce_rows
from .register_scan import scan
from .table_source import TableSource

WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"})
REGISTER_SUFFIXES = WORKBOOK_SUFFIXES | {".csv"}


def _sources(path: Path, fmt: str) -> list[TableSource]:
    if fmt == ".csv":
        from .csv_source import csv_source

        return [csv_source(path)]
    from .calamine_source import workbook_sheets

    return workbook_sheets(path)


def _sheet(source: TableSource, fmt: str) -> RegisterSheet | None:
    csv_text = source.last_row is None
    result = scan(source, csv_text)
    if result is None:
        return None
    warnings = list(source.warnings)
    plans = plan_columns(source, result, warnings)
    first_row = source.first_row_number(result.row_count)
    rows = RowStream(partial(produce_rows, source, plans, result.header_index, first_row, csv_text, fmt))
    return RegisterSheet(
        sheet=source.name,
        header_row=first_row + result.header_index,
        headers=tuple(plan.header for plan in plans),
        canonical=tuple(plan.canonical for plan in plans),
        rows=rows,
        warnings=warnings,
    )


def read_table(table: DocumentTable, fmt: str) -> RegisterSheet | None:
    """A table found in a document (``fmt`` its suffix) read as a register sheet named after the
    table, its rows numbered from ``table.first_row``. Its cells are text, as a CSV file's are."""
    rows = table.rows
    source = TableSource(name=table.name, open_rows=lambda: iter(rows), first_row=table.first_row)
    return _sheet(source, fmt)


def read_headers(path: Path, max_sheets: int) -> list[tuple[str | None, list[str]]]:
    """(sheet name, header row texts) per non-empty sheet, without reading every row."""
    fmt = format_name(path)
    found: list[tuple[str | None, list[str]]] = []
    with translated_errors(fmt):
        for source in _sources(path, fmt)[:max_sheets]:
            result = scan(source, source.last_row is None, profile_columns=False)
            if result is not None:
                found.append((source.name, result.headers))
    return found


def read_register(path: Path) -> list[RegisterSheet]:
    """One RegisterSheet per non-empty sheet (a CSV file is one sheet).

    Rows are produced lazily from the file on each iteration; everything
    else (headers, column names, date warnings) is settled up front.
    """
    path = Path(path)
    fmt = format_name(path)
    if fmt not in REGISTER_SUFFIXES:
        raise ExtractionError(f"unsupported register file type {fmt}")
    check_readable(path)
    with translated_errors(fmt):
        sheets = [_sheet(source, fmt) for source in _sources(path, fmt)]
    return [sheet for sheet in sheets if sheet is not None]
