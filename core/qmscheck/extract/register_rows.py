"""Second pass over a register: turn rows into RegisterRow objects lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from .boundary import translated_errors
from .dates import parse_date
from .models import RegisterRow
from .register_plan import ColumnPlan
from .register_scan import cell_value
from .table_source import TableSource


class RowStream(Iterator[RegisterRow]):
    """Lazy rows that can be iterated more than once.

    A plain generator would silently yield nothing the second time a caller
    loops over RegisterSheet.rows -- in a compliance check that reads as
    "no records", so every `for` loop starts a fresh pass over the file.
    """

    def __init__(self, produce: Callable[[], Iterator[RegisterRow]]) -> None:
        self._produce = produce
        self._current: Iterator[RegisterRow] | None = None

    def __iter__(self) -> Iterator[RegisterRow]:
        return self._produce()

    def __next__(self) -> RegisterRow:
        if self._current is None:
            self._current = self._produce()
        return next(self._current)


class _MergeFill:
    """Repeat the value of a vertically merged cell in every row it spans,
    as the user sees it in Excel."""

    def __init__(self, source: TableSource, header_row: int) -> None:
        self._starts: dict[int, list[tuple[int, int]]] = {}
        for top, left, bottom, _right in source.merged:
            if bottom > top and top + 1 > header_row:
                self._starts.setdefault(top + 1, []).append((left, bottom + 1))
        self._active: dict[int, tuple[object, int]] = {}

    def apply(self, row_number: int, first_column: int, cells: list[object | None]) -> None:
        for column, until in self._starts.get(row_number, ()):
            position = column - first_column
            if 0 <= position < len(cells) and cells[position] is not None:
                self._active[column] = (cells[position], until)
        for column, (value, until) in list(self._active.items()):
            position = column - first_column
            if row_number > until:
                del self._active[column]
            elif 0 <= position < len(cells) and cells[position] is None:
                cells[position] = value


def _convert(plan: ColumnPlan, value: object) -> object:
    if plan.dates:
        parsed = parse_date(value, dayfirst=plan.dayfirst)
        if parsed is not None:
            return parsed
    return value


def produce_rows(
    source: TableSource,
    plans: list[ColumnPlan],
    header_index: int,
    first_row: int,
    csv_text: bool,
    fmt: str,
) -> Iterator[RegisterRow]:
    fill = _MergeFill(source, first_row + header_index)
    with translated_errors(fmt):
        for index, row in enumerate(source.open_rows()):
            if index <= header_index:
                continue
            number = first_row + index
            cells = [cell_value(cell, csv_text) for cell in row]
            fill.apply(number, source.first_column_index(len(row)), cells)
            values: dict[str, object] = {}
            raw: dict[str, object] = {}
            for plan in plans:
                value = cells[plan.index] if plan.index < len(cells) else None
                if value is None:
                    continue
                raw[plan.raw_key] = value
                values[plan.key] = _convert(plan, value)
            if values:
                yield RegisterRow(source.name, number, values, raw)
