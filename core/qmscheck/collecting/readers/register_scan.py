"""First pass over a register: find the header row and profile each column."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice

from .cells import csv_cell, header_text, sheet_cell
from .dates import day_month_parts, is_ambiguous, parse_date
from .fields import DATE_FIELDS, canonical_field, resolve_field
from .table_source import TableSource

HEADER_SEARCH_ROWS = 10
_EXAMPLES = 3
_SERIAL_RANGE = (20000, 80000)
# Rows profiled together, column by column: counting a column's non-empty
# cells is then one C-level pass instead of Python work per cell.
_BATCH = 4096
# Distinct texts remembered per column; date columns repeat the same dates.
_MEMO_LIMIT = 10_000


# How much a column's values are examined.  Only columns that may hold dates
# need every value date-parsed, which is most of the cost of a scan.
FULL = "full"  # labelled as a date (or maybe-date) field
UNTIL_TEXT = "until_text"  # unlabelled: dates only if every value is one
COUNT = "count"  # labelled as a non-date field


def column_mode(header: str) -> str:
    if resolve_field(header, True) in DATE_FIELDS:
        return FULL
    return UNTIL_TEXT if canonical_field(header) is None else COUNT


# What one value tells about its column, as bits: a date (with the day/month
# order it proves, and whether it reads both ways), an Excel serial number, or
# neither.  An int so that a column's distinct texts can be memoised cheaply.
EMPTY = -1
UNDATED = 0
SERIAL = 1
DATE = 2
DAY_FIRST = 4
MONTH_FIRST = 8
AMBIGUOUS = 16


def _text_kind(value: str) -> int:
    if parse_date(value) is None:
        return UNDATED
    parts = day_month_parts(value)
    if parts is None:
        return DATE
    kind = DATE | (DAY_FIRST if parts[0] > 12 else 0) | (MONTH_FIRST if parts[1] > 12 else 0)
    return kind | AMBIGUOUS if is_ambiguous(value) else kind


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
    # Kind of each distinct text seen: date columns repeat the same dates.
    known: dict[str, int] = field(default_factory=dict, repr=False, compare=False)
    # Kind of each distinct raw cell (EMPTY when it cleans to nothing).  Cells
    # that compare equal always have the same kind: 1, 1.0 and True are all
    # undated, 45000 and 45000.0 both serials.
    by_cell: dict[object, int] = field(default_factory=dict, repr=False, compare=False)

    def _undated(self, index: int, value: object) -> None:
        self.undated_count += 1
        if len(self.undated) < _EXAMPLES:
            self.undated.append((index, str(value)))

    def settled(self) -> bool:
        """True when only non_empty can still change."""
        return self.mode == COUNT or (self.mode == UNTIL_TEXT and self.undated_count > 0)

    def _kind(self, value: object) -> int:
        if isinstance(value, str):
            kind = self.known.get(value)
            if kind is None:
                kind = _text_kind(value)
                if len(self.known) < _MEMO_LIMIT:
                    self.known[value] = kind
            return kind
        if isinstance(value, date):
            return DATE
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return SERIAL if _SERIAL_RANGE[0] <= value <= _SERIAL_RANGE[1] else UNDATED
        return UNDATED

    def _dated(self, value: object, kind: int) -> None:
        self.dates += 1
        if kind & DAY_FIRST:
            self.day_first_evident = True
        if kind & MONTH_FIRST:
            self.month_first_evident = True
        if kind & AMBIGUOUS and self.ambiguous_example is None:
            self.ambiguous_example = str(value)

    def add(self, index: int, value: object) -> None:
        self.non_empty += 1
        if self.settled():
            return
        kind = self._kind(value)
        if kind == UNDATED:
            self._undated(index, value)
        elif kind == SERIAL:
            self.serials += 1
        else:
            self._dated(value, kind)

    def add_column(self, start: int, raw_values: Sequence[object], clean: Callable[[object], object | None]) -> None:
        """add() for the cells of consecutive rows start, start+1, ... of this column.

        Cells are classified through a memo keyed by the raw cell, so a
        repeated date costs a dict lookup at C speed.  The outcome does not
        depend on order except for the examples and where an unlabelled
        column stops being examined, which are then found by a pass in order.
        """
        memo = self.by_cell
        try:
            kinds: list[int | None] = list(map(memo.get, raw_values))
        except TypeError:  # an unhashable cell
            self._add_each(start, raw_values, clean)
            return
        if None in kinds:
            for offset, kind in enumerate(kinds):
                if kind is None:
                    raw = raw_values[offset]
                    value = clean(raw)
                    kind = EMPTY if value is None else self._kind(value)
                    if len(memo) < _MEMO_LIMIT:
                        memo[raw] = kind
                    kinds[offset] = kind
        counts = Counter(kinds)
        if UNDATED in counts and self.mode == UNTIL_TEXT:
            # The column stops being examined at that cell.
            self._add_each(start, raw_values, clean)
            return
        self.non_empty += len(kinds) - counts[EMPTY]
        ambiguous = False
        for kind, count in counts.items():
            if kind == UNDATED:
                self.undated_count += count
            elif kind == SERIAL:
                self.serials += count
            elif kind is not None and kind >= DATE:
                self.dates += count
                self.day_first_evident |= bool(kind & DAY_FIRST)
                self.month_first_evident |= bool(kind & MONTH_FIRST)
                ambiguous |= bool(kind & AMBIGUOUS)
        if ambiguous and self.ambiguous_example is None:
            for offset, kind in enumerate(kinds):
                if kind is not None and kind >= DATE and kind & AMBIGUOUS:
                    self.ambiguous_example = str(clean(raw_values[offset]))
                    break
        if UNDATED in counts and len(self.undated) < _EXAMPLES:
            for offset, kind in enumerate(kinds):
                if kind == UNDATED:
                    self.undated.append((start + offset, str(clean(raw_values[offset]))))
                    if len(self.undated) == _EXAMPLES:
                        break

    def _add_each(self, start: int, raw_values: Sequence[object], clean: Callable[[object], object | None]) -> None:
        for offset, value in enumerate(map(clean, raw_values)):
            if value is not None:
                self.add(start + offset, value)


@dataclass
class Scan:
    header_index: int = -1  # index of the header among yielded rows
    headers: list[str] = field(default_factory=list)
    row_count: int = 0
    columns: dict[int, ColumnStats] = field(default_factory=dict)


def cell_cleaner(csv_text: bool) -> Callable[[object], object | None]:
    return csv_cell if csv_text else sheet_cell


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
    clean = cell_cleaner(csv_text)
    candidates: list[tuple[int, list[object | None]]] = []
    for row in rows:
        result.row_count += 1
        cells = [clean(cell) for cell in row]
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

    modes = [column_mode(header) if header else UNTIL_TEXT for header in result.headers]
    columns = result.columns

    def new_stats(column: int) -> ColumnStats:
        return ColumnStats(modes[column] if column < len(modes) else UNTIL_TEXT)

    for index, cells in candidates:
        if index > result.header_index:
            for column, value in enumerate(cells):
                if value is not None:
                    if column not in columns:
                        columns[column] = new_stats(column)
                    columns[column].add(index, value)

    # CSV cells are all text, so short rows are padded with empty text.
    pad: object = "" if csv_text else None
    while batch := list(islice(rows, _BATCH)):
        start = result.row_count
        result.row_count += len(batch)
        width = max(map(len, batch))
        if min(map(len, batch)) != width:
            batch = [row if len(row) == width else [*row, *[pad] * (width - len(row))] for row in batch]
        for column, raw_values in enumerate(zip(*batch, strict=True)):
            stats = columns.get(column) or new_stats(column)
            if stats.settled():
                stats.non_empty += _count_present(raw_values, csv_text)
            else:
                stats.add_column(start, raw_values, clean)
            # A column exists once it has a value.
            if stats.non_empty:
                columns[column] = stats
    return result


def _count_present(raw_values: Sequence[object], csv_text: bool) -> int:
    """How many cells are non-empty once cleaned (text_number never empties one)."""
    # Text columns are all str (calamine gives "" for an empty cell), and
    # then counting needs no Python call per cell.
    try:
        return len(raw_values) - list(map(str.strip, raw_values)).count("")  # type: ignore[arg-type]
    except TypeError:
        if csv_text:
            raise
    return len(raw_values) - list(map(sheet_cell, raw_values)).count(None)
