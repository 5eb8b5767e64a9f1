"""Sheets of xlsx/xlsm/xls/xlsb/ods workbooks via python-calamine."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from .fileio import format_name
from .packages import check_binary_workbook, check_opendocument, check_workbook
from .table_source import CellRange, TableSource

if TYPE_CHECKING:
    from python_calamine import CalamineSheet


def _rows(sheet: CalamineSheet) -> Iterator[Sequence[object]]:
    return sheet.iter_rows()


def _merged(sheet: CalamineSheet) -> list[CellRange]:
    ranges = sheet.merged_cell_ranges or []
    return [(top, left, bottom, right) for (top, left), (bottom, right) in ranges]


def _check(path: Path) -> None:
    """Refuse a workbook calamine could not load within the limits (``packages``), before it tries.

    An xls file is no zip: its format bounds a sheet to 65,536 rows by 256 columns, and its
    parser's memory is left to the worker's budget."""
    fmt = format_name(path)
    if fmt == ".xls":
        return
    with zipfile.ZipFile(path) as archive:
        if fmt == ".ods":
            check_opendocument(archive, fmt)
        elif fmt == ".xlsb":
            check_binary_workbook(archive, fmt)
        else:
            check_workbook(archive, fmt)


def workbook_sheets(path: Path) -> list[TableSource]:
    """Every worksheet that has at least one cell.

    Sheets are loaded and the workbook closed straight away so that lazy row
    iteration later does not hold file handles open.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    _check(path)
    sources: list[TableSource] = []
    with CalamineWorkbook.from_path(str(path)) as workbook:
        for meta in workbook.sheets_metadata:
            if meta.typ not in (SheetTypeEnum.WorkSheet,):
                continue
            sheet = workbook.get_sheet_by_name(meta.name)
            end = sheet.end
            if sheet.start is None or end is None:
                continue
            sources.append(
                TableSource(
                    name=meta.name,
                    open_rows=partial(_rows, sheet),
                    last_row=end[0],
                    last_column=end[1],
                    merged=_merged(sheet),
                )
            )
    return sources
