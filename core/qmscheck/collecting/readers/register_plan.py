"""Decide, per register column, its names and how to read its values."""

from __future__ import annotations

from dataclasses import dataclass

from qmscheck.vocabulary import builtin

from .fields import DATE_FIELDS, canonical_field, is_weak_date_label, names_a_date, resolve_field, snake
from .register_scan import ColumnStats, Scan
from .table_source import TableSource


@dataclass(frozen=True)
class ColumnPlan:
    index: int  # position within a yielded row
    header: str  # as shown to the user (generated for blank headers)
    raw_key: str  # unique key in RegisterRow.raw
    canonical: str | None
    key: str  # unique key in RegisterRow.values
    dates: bool
    dayfirst: bool


def _where(sheet: str | None) -> str:
    return f"sheet '{sheet}'" if sheet is not None else "csv"


class _Names:
    """Names made unique by numbering repeats ("Owner", "Owner (2)", ...), as they are taken.

    The number tried next for each name is remembered: names are only ever added, so the first
    free number never goes down, and a sheet of 10,000 identical headers costs 10,000 steps, not
    50 million."""

    def __init__(self, template: str) -> None:
        self._template = template
        self.taken: set[str] = set()
        self._next: dict[str, int] = {}

    def unique(self, key: str) -> str:
        if key not in self.taken:
            return key
        number = self._next.get(key, 2)
        while self._template.format(key, number) in self.taken:
            number += 1
        self._next[key] = number + 1
        return self._template.format(key, number)


def _holds_dates(stats: ColumnStats, canonical: str | None, header: str) -> bool:
    if stats.non_empty == 0:
        # An empty column keeps the meaning of its header.
        return canonical in DATE_FIELDS
    # Numbers are Excel serial dates (46081 is 2026-02-28) only where the header names a date:
    # a CSV export writes them so, and elsewhere they are quantities.
    serials = stats.serials if canonical in DATE_FIELDS or names_a_date(header) else 0
    return (stats.dates + serials) * 2 >= stats.non_empty


@dataclass(frozen=True)
class _Order:
    """How a sheet's ambiguous numeric dates read when a column's own values cannot tell."""

    dayfirst: bool | None  # None: nothing tells


def _sheet_order(columns: list[_Column], headers: list[str]) -> _Order:
    """From the sheet's other date columns ('25/03/2026' proves day first), else from the
    language of its headers ('Fecha de cierre': Spanish writes day first)."""
    day = any(column.dates and column.stats.day_first_evident for column in columns)
    month = any(column.dates and column.stats.month_first_evident for column in columns)
    if day != month:
        return _Order(day)
    vocabulary = builtin()
    language = vocabulary.language_of((), labels=headers)
    order = vocabulary.date_order.get(language) if language else None
    if order in ("dmy", "mdy"):
        return _Order(order == "dmy")
    return _Order(None)


def _dayfirst(stats: ColumnStats, sheet: str | None, header: str, order: _Order, warnings: list[str]) -> bool:
    if stats.day_first_evident and stats.month_first_evident:
        warnings.append(
            f"{_where(sheet)}: column '{header}' mixes day/month and month/day dates; ambiguous ones read as day/month"
        )
        return True
    if stats.month_first_evident:
        return False
    if stats.day_first_evident or stats.ambiguous_example is None:
        return True
    if order.dayfirst is not None:
        return order.dayfirst
    warnings.append(
        f"{_where(sheet)}: ambiguous dates in column '{header}' (e.g. '{stats.ambiguous_example}'), and "
        "neither the sheet's other dates nor its language tell day/month from month/day; read as day/month/year"
    )
    return True


def _undated_warnings(stats: ColumnStats, sheet: str | None, header: str, first_row: int, warnings: list[str]) -> None:
    for index, value in stats.undated:
        warnings.append(f"{_where(sheet)} row {first_row + index}: cannot parse date '{value}' in column '{header}'")
    more = stats.undated_count - len(stats.undated)
    if more > 0:
        warnings.append(f"{_where(sheet)}: {more} more unparseable dates in column '{header}'")


@dataclass
class _Column:
    index: int
    header: str
    raw_key: str
    stats: ColumnStats
    canonical: str | None
    genuine: bool  # canonical is a real field, not a text fallback like "target"
    dates: bool


def _columns(source: TableSource, result: Scan, warnings: list[str]) -> list[_Column]:
    width = max([len(result.headers), *(index + 1 for index in result.columns)])
    first_column = source.first_column_index(width)
    columns: list[_Column] = []
    raw_names = _Names("{} ({})")
    for index in range(width):
        header = result.headers[index] if index < len(result.headers) else ""
        stats = result.columns.get(index, ColumnStats())
        if not header and stats.non_empty == 0:
            continue
        header = header or f"Column {first_column + index + 1}"
        raw_key = raw_names.unique(header)
        if raw_key != header:
            warnings.append(f"{_where(source.name)}: duplicate column '{header}'")
        raw_names.taken.add(raw_key)

        holds_dates = _holds_dates(stats, canonical_field(header), header)
        canonical = resolve_field(header, holds_dates)
        # "Completed: yes" keeps its text; unlabelled columns that hold
        # nothing but dates are read as dates too.
        text_column = is_weak_date_label(header) and not holds_dates
        dates = (canonical in DATE_FIELDS and not text_column) or (
            canonical is None
            and stats.non_empty > 0
            and stats.dates + (stats.serials if names_a_date(header) else 0) == stats.non_empty
        )
        genuine = canonical is not None and not text_column
        columns.append(_Column(index, header, raw_key, stats, canonical, genuine, dates))
    return columns


def plan_columns(source: TableSource, result: Scan, warnings: list[str]) -> list[ColumnPlan]:
    columns = _columns(source, result, warnings)
    order = _sheet_order(columns, result.headers)
    first_row = source.first_row_number(result.row_count)
    keys: dict[int, str] = {}
    names = _Names("{}_{}")
    taken = names.taken
    # Real fields claim their canonical key first; a second "Date" column or a
    # text "Completed" column must not take the key a date column needs.
    for column in columns:
        if column.genuine and column.canonical is not None and column.canonical not in taken:
            keys[column.index] = column.canonical
            taken.add(column.canonical)
    plans: list[ColumnPlan] = []
    for column in columns:
        canonical = column.canonical
        if column.index not in keys:
            if column.genuine:
                canonical = None
            base = canonical or snake(column.header) or f"column_{column.index + 1}"
            keys[column.index] = names.unique(base)
            taken.add(keys[column.index])
        dayfirst = True
        if column.dates:
            dayfirst = _dayfirst(column.stats, source.name, column.header, order, warnings)
            _undated_warnings(column.stats, source.name, column.header, first_row, warnings)
        plans.append(
            ColumnPlan(
                column.index,
                column.header,
                column.raw_key,
                canonical,
                keys[column.index],
                column.dates,
                dayfirst,
            )
        )
    return plans
