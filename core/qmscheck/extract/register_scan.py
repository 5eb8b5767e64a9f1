"""First pass over a register: find the header row and profile each column."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .cells import clean_cell, header_text, text_number
from .dates import day_month_parts, is_ambiguous, parse_date
from .fields import DATE_FIELDS, canonical_field, resolve_field
from .table_source import TableSource

HEADER_SEARCH_ROWS = 10
_EXAMPLES = 3
_SERIAL_RANGE = (20000, 80000)


# How much a column's values are examined.  Only columns that may hold dates
# need every value date-parsed, which is most of the cost of a scan.
FULL = "full"  # labelled as a date (or maybe-date) field
UNTIL_TEXT = "until_text"  # unlabelled: dates only if every value is one
COUNT = "count"  # labelled as a non-date field


def column_mode(header: str) -> str:
    if resolve_field(header, True) in DATE_FIELDS:
        return FULL
    return UNTIL_TEXT if canonical_field(header) is None else COUNT


@dataclass
class ColumnStats:
    mode: str = UNTIL_TEXT
    non_empty: int = 0
    dates: int = 0
    serials: int = 0
    day_first_evident: bool = False
    month_first_evident: bool = False
    ambiguous_example: str | None = None
    undated: list[tuple[int, str]] = field(default_factory=list)
    undated_count: int = 0

    def _undated(self, index: int, value: object) -> None:
        self.undated_count += 1
        if len(self.undated) < _EXAMPLES:
            self.undated.append((index, str(value)))

    def add(self, index: int, value: object) -> None:
        self.non_empty += 1
        if self.mode == COUNT or (self.mode == UNTIL_TEXT and self.undated_count):
            return
        if isinstance(value, date):
            self.dates += 1
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1]:
                self.serials += 1
            else:
                self._undated(index, value)
        elif isinstance(value, str) and parse_date(value) is not None:
            self.dates += 1
            parts = day_month_parts(value)
            if parts is not None:
                self.day_first_evident |= parts[0] > 12
                self.month_first_evident |= parts[1] > 12
                if self.ambiguous_example is None and is_ambiguous(value):
                    self.ambiguous_example = value
        else:
            self._undated(index, value)


@dataclass
class Scan:
    header_index: int = -1  # index of the header among yielded rows
    headers: list[str] = field(default_factory=list)
    row_count: int = 0
    columns: dict[int, ColumnStats] = field(default_factory=dict)


def cell_value(raw: object, csv_text: bool) -> object | None:
    value = clean_cell(raw)
    if csv_text and isinstance(value, str):
        return text_number(value)
    return value


def _choose_header(candidates: list[tuple[int, list[object | None]]]) -> tuple[int, list[object | None]]:
    for index, cells in candidates:
        texts = [cell for cell in cells if isinstance(cell, str)]
        hits = sum(1 for text in texts if canonical_field(text) is not None)
        if len(texts) >= 2 and hits >= 2:
            return index, cells
    for index, cells in candidates:
        if sum(1 for cell in cells if cell is not None) >= 2:
            return index, cells
    return candidates[0]


def scan(source: TableSource, csv_text: bool, *, profile_columns: bool = True) -> Scan | None:
    """Profile the table; None when it has no non-empty cell at all.

    profile_columns=False stops after the header row (row_count is then
    only a lower bound), for callers that just want the headers.
    """
    result = Scan()
    rows = source.open_rows()
    candidates: list[tuple[int, list[object | None]]] = []
    for row in rows:
        result.row_count += 1
        cells = [cell_value(cell, csv_text) for cell in row]
        if any(cell is not None for cell in cells):
            candidates.append((result.row_count - 1, cells))
            if len(candidates) >= HEADER_SEARCH_ROWS:
                break
    if not candidates:
        return None
    result.header_index, header_cells = _choose_header(candidates)
    result.headers = [header_text(cell) for cell in header_cells]
    while result.headers and not result.headers[-1]:
        result.headers.pop()
    if not profile_columns:
        return result

    headers = result.headers
    columns = result.columns

    def profile(index: int, cells: list[object | None]) -> None:
        for column, value in enumerate(cells):
            if value is None:
                continue
            stats = columns.get(column)
            if stats is None:
                mode = column_mode(headers[column]) if column < len(headers) and headers[column] else UNTIL_TEXT
                stats = columns[column] = ColumnStats(mode)
            stats.add(index, value)

    for index, cells in candidates:
        if index > result.header_index:
            profile(index, cells)
    for row in rows:
        result.row_count += 1
        profile(result.row_count - 1, [cell_value(cell, csv_text) for cell in row])
    return result
