"""Normalise spreadsheet cell values to the types registers promise."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def clean_cell(value: object) -> object | None:
    """Stripped text, int for whole floats, date for datetimes; None when empty."""
    if isinstance(value, str):
        text = value.strip()
        return text or None
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, (date, int)):
        return value
    if isinstance(value, time):
        return value.isoformat()
    return value


def sheet_cell(value: object) -> object | None:
    """clean_cell for workbook cells, with the common types tested first.

    Registers run to tens of thousands of rows, so this is called per cell
    and must stay cheap; anything unusual falls back to clean_cell.
    """
    if type(value) is str:
        return value.strip() or None
    if type(value) is float:
        if value != value:  # NaN
            return None
        return int(value) if value.is_integer() else value
    if type(value) is int or type(value) is date:
        return value
    if type(value) is datetime:
        return value.date()
    return clean_cell(value)


def csv_cell(value: object) -> object | None:
    """clean_cell then text_number, for CSV cells (always text)."""
    if type(value) is str:
        text = value.strip()
        if not text:
            return None
        # Only text starting like a number can be one; skip the regex otherwise.
        first = text[0]
        if first == "+" or first == "-" or first.isdigit():
            return text_number(text)
        return text
    value = clean_cell(value)
    return text_number(value) if isinstance(value, str) else value


def text_number(text: str) -> int | float | str:
    """Numeric text as a number, but only when nothing is lost.

    "007" and "1.10" stay text: they are identifiers and revisions whose
    written form matters.
    """
    if not _NUMBER.match(text):
        return text
    number: int | float = float(text) if "." in text else int(text)
    if isinstance(number, float) and number.is_integer():
        return text
    return number if str(number) == text.lstrip("+") else text


def header_text(value: object) -> str:
    cleaned = clean_cell(value)
    if cleaned is None:
        return ""
    if isinstance(cleaned, date):
        return cleaned.isoformat()
    return " ".join(str(cleaned).split())
