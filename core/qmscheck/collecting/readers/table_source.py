"""A re-readable grid of cells: one spreadsheet sheet, one CSV file or one table of a document."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

# (first row, first column, last row, last column), 0-based, inclusive.
CellRange = tuple[int, int, int, int]


@dataclass(frozen=True)
class TableSource:
    name: str | None
    # Called once per pass; each call starts again from the top.
    open_rows: Callable[[], Iterator[Sequence[object]]]
    # 0-based index of the last row/column the reader yields, when the
    # reader may skip leading empty rows/columns (calamine); None for CSV.
    last_row: int | None = None
    last_column: int | None = None
    merged: list[CellRange] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: 1-based number of the first row when the reader skips none (CSV: 1; a table inside a
    #: document: the line it starts on).
    first_row: int = 1

    def first_row_number(self, yielded_rows: int) -> int:
        """1-based sheet row number of the first yielded row."""
        if self.last_row is None:
            return self.first_row
        return self.last_row + 2 - yielded_rows

    def first_column_index(self, row_width: int) -> int:
        if self.last_column is None:
            return 0
        return self.last_column + 1 - row_width
