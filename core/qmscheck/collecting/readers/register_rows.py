"""Second pass over a register: turn rows into RegisterRow objects lazily."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from itertools import islice
from typing import cast

from qmscheck.vocabulary import builtin, normalise

from .boundary import translated_errors
from .cells import csv_cell, sheet_cell, text_number
from .dates import parse_date
from .models import RegisterRow
from .register_plan import ColumnPlan
from .register_scan import cell_cleaner
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

    @property
    def needed(self) -> bool:
        """False when no merge spans rows below the header (the usual case)."""
        return bool(self._starts)

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


_MEMO_LIMIT = 10_000


def _date_converter(dayfirst: bool) -> Callable[[object], object]:
    """Cell value -> date where it reads as one, else the value unchanged.

    Text results are remembered: a date column repeats the same few hundred
    dates, and parsing text is the bulk of a row's cost.
    """
    memo: dict[str, object] = {}

    def convert(value: object) -> object:
        if type(value) is date:
            return value
        if type(value) is str:
            found = memo.get(value)
            if found is None:
                parsed = parse_date(value, dayfirst=dayfirst)
                found = value if parsed is None else parsed
                if len(memo) < _MEMO_LIMIT:
                    memo[value] = found
            return found
        parsed = parse_date(value, dayfirst=dayfirst)
        return value if parsed is None else parsed

    return convert


#: A status column's words in any supported language, as the English words rules name
#: ("Cerrada" is "closed"); the row's raw values keep what was written.
_STATUS_WORDS = builtin().record_status


#: Columns whose words rules name in English ("Cerrada" is "closed", "Mayor" is "major",
#: "Auditoría externa" is "external audit").
_IN_RULES_WORDS = frozenset({"status", "classification", "source"})


def _status(value: object) -> object:
    if type(value) is str:
        key = normalise(value)
        found = _STATUS_WORDS.get(key, key)
        # A word already English ("Open") is kept as written.
        return value if found == key else found
    return value


#: Yes/no answers in any supported language ("Sí", "Nein", "Nej").
_ANSWERS = builtin().answers
#: Yes/no columns, read as the rules' English "yes" and "no" ("Relevante para calidad: No" is "no");
#: any other value is kept as written, and the row's raw values keep what was written.
_YES_NO = frozenset({"quality_relevant"})


def _answer(value: object) -> object:
    if type(value) is str:
        found = _ANSWERS.get(normalise(value))
        return value if found is None else ("yes" if found else "no")
    return value


def _converter(plan: ColumnPlan) -> Callable[[object], object] | None:
    if plan.dates:
        return _date_converter(plan.dayfirst)
    if plan.key in _YES_NO:
        return _answer
    return _status if plan.key in _IN_RULES_WORDS else None


def _sheet_rows(
    rows: Iterator[Sequence[object]],
    start: int,
    columns: list[tuple[int, str, str, Callable[[object], object] | None]],
    name: str | None,
) -> Iterator[RegisterRow]:
    for number, row in enumerate(rows, start=start):
        width = len(row)
        values: dict[str, object] = {}
        raw: dict[str, object] = {}
        for index, raw_key, key, convert in columns:
            if index >= width:
                continue
            value = row[index]
            # sheet_cell inlined for text and dates, the commonest cells.
            if type(value) is str:
                value = value.strip()
                if not value:
                    continue
            elif type(value) is date:
                raw[raw_key] = values[key] = value
                continue
            else:
                value = sheet_cell(value)
                if value is None:
                    continue
            raw[raw_key] = value
            values[key] = value if convert is None else convert(value)
        if values:
            yield RegisterRow(name, number, values, raw)


_CsvCell = Callable[[str], "tuple[object, object] | None"]


def _csv_date_cell(dayfirst: bool) -> _CsvCell:
    """Raw CSV text -> (raw value, value) for a date column; None when empty.

    Remembered per distinct text, so a repeated date skips cleaning, the
    number test and date parsing together.
    """
    memo: dict[str, tuple[object, object] | None] = {}
    convert = _date_converter(dayfirst)

    def cell(text: str) -> tuple[object, object] | None:
        try:
            return memo[text]
        except KeyError:
            pass
        value = csv_cell(text)
        found = None if value is None else (value, convert(value))
        if len(memo) < _MEMO_LIMIT:
            memo[text] = found
        return found

    return cell


def _csv_rows(
    rows: Iterator[Sequence[str]],
    start: int,
    plans: list[ColumnPlan],
    name: str | None,
) -> Iterator[RegisterRow]:
    columns = [
        (plan.index, plan.raw_key, plan.key, _csv_date_cell(plan.dayfirst) if plan.dates else None) for plan in plans
    ]
    # Status and flag columns: their words read in any language.
    converted = {plan.index: convert for plan in plans if not plan.dates and (convert := _converter(plan)) is not None}
    for number, row in enumerate(rows, start=start):
        width = len(row)
        values: dict[str, object] = {}
        raw: dict[str, object] = {}
        for index, raw_key, key, date_cell in columns:
            if index >= width:
                continue
            if date_cell is not None:
                pair = date_cell(row[index])
                if pair is not None:
                    raw[raw_key], values[key] = pair
                continue
            if index in converted:
                text = row[index].strip()
                if text:
                    raw[raw_key] = text
                    values[key] = converted[index](text)
                continue
            # csv_cell, inlined.
            text = row[index].strip()
            if not text:
                continue
            # "+", "-" and ASCII digits all sort before "9"; text_number
            # leaves anything else (other scripts' digits too) as text.
            value = text_number(text) if text[0] <= "9" else text
            raw[raw_key] = values[key] = value
        if values:
            yield RegisterRow(name, number, values, raw)


def _filled_rows(
    rows: Iterator[Sequence[object]],
    start: int,
    columns: list[tuple[int, str, str, Callable[[object], object] | None]],
    name: str | None,
    clean: Callable[[object], object | None],
    fill: _MergeFill,
    source: TableSource,
) -> Iterator[RegisterRow]:
    for number, row in enumerate(rows, start=start):
        cells = [clean(cell) for cell in row]
        fill.apply(number, source.first_column_index(len(row)), cells)
        width = len(cells)
        values: dict[str, object] = {}
        raw: dict[str, object] = {}
        for index, raw_key, key, convert in columns:
            value = cells[index] if index < width else None
            if value is None:
                continue
            raw[raw_key] = value
            values[key] = value if convert is None else convert(value)
        if values:
            yield RegisterRow(name, number, values, raw)


def produce_rows(
    source: TableSource,
    plans: list[ColumnPlan],
    header_index: int,
    first_row: int,
    csv_text: bool,
    fmt: str,
) -> Iterator[RegisterRow]:
    # Everything about a column is settled by the plan, so each row is just
    # a walk over (position, keys, converter) with no per-cell decisions.
    columns = [(plan.index, plan.raw_key, plan.key, _converter(plan)) for plan in plans]
    fill = _MergeFill(source, first_row + header_index)
    start = first_row + header_index + 1
    with translated_errors(fmt):
        rows = islice(source.open_rows(), header_index + 1, None)
        if fill.needed:
            yield from _filled_rows(rows, start, columns, source.name, cell_cleaner(csv_text), fill, source)
        elif csv_text:
            # The csv module yields only text.
            yield from _csv_rows(cast(Iterator[Sequence[str]], rows), start, plans, source.name)
        else:
            yield from _sheet_rows(rows, start, columns, source.name)


#: A note beside a register fills this many cells at most ("Today:" and a date, "Overdue" and 2).
_NOTE_CELLS = 2


def note_row(values: dict[str, object]) -> str | None:
    """The first cell of a row that is a helper note beside the register, not a record: one or two
    cells, the first a label ending in ':' or a note word of the vocabulary ("Today", "Total",
    "Überfällig"). None for a record."""
    if not values or len(values) > _NOTE_CELLS:
        return None
    first = next(iter(values.values()))
    if not isinstance(first, str):
        return None
    text = first.strip()
    if text.endswith(":") or normalise(text) in builtin().note_words:
        return text
    return None
