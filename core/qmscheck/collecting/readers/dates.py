"""Date parsing for the formats people actually type into QMS documents."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta

from qmscheck.vocabulary import builtin, normalise

# Excel's day 0; using 1899-12-30 absorbs Excel's fictitious 1900-02-29.
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # roughly 1954 .. 2119
_MAX_DATE_CHARS = 60
_DIGIT = re.compile(r"\d")

_TIME = r"(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2}|[AaPp][Mm])?)?"
_ISO = re.compile(rf"^(\d{{4}})[-/.](\d{{1,2}})[-/.](\d{{1,2}}){_TIME}$")
_NUMERIC = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}|\d{{2}}){_TIME}$")
# "15 March 2026", "15. März 2026", "1er janvier 2026", "15 de enero de 2026", "1º de janeiro de 2026".
_DAY_MONTH_YEAR = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th|er|º|ª|°|\.)?(?:\s+(?:de|di|del|of)\b)?[\s./-]*([^\W\d_]+)\.?"
    r"(?:\s+(?:de|del|di)\b)?[\s./,-]*(\d{4}|\d{2})$",
    re.IGNORECASE,
)
_MONTH_DAY_YEAR = re.compile(r"^([^\W\d_]+)\.?[\s-]+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")

#: Month names and abbreviations in every supported language (the vocabulary files' [months]).
_MONTHS: dict[str, int] = builtin().months


def _month_number(token: str) -> int | None:
    return _MONTHS.get(normalise(token))


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        # Two-digit years in QMS records are this century unless clearly not.
        year += 2000 if year < 70 else 1900
    return year


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def day_month_parts(text: str) -> tuple[int, int] | None:
    """The first two numbers of a 'dd/mm/yyyy'-style string, else None."""
    match = _NUMERIC.match(text.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(3))


def is_ambiguous(text: str) -> bool:
    """True when 'a/b/yyyy' reads as a valid but different date either way round.

    Dotted dates are not ambiguous: 'dd.mm.yyyy' is the German/French
    convention and nobody writes month-first with dots.
    """
    match = _NUMERIC.match(text.strip())
    if match is None or match.group(2) == ".":
        return False
    first, second = int(match.group(1)), int(match.group(3))
    return first <= 12 and second <= 12 and first != second


def _parse_numeric(match: re.Match[str], dayfirst: bool) -> date | None:
    first, second, year = int(match.group(1)), int(match.group(3)), _year(match.group(4))
    if first > 12:
        return _make(year, second, first)
    if second > 12:
        return _make(year, first, second)
    return _make(year, second, first) if dayfirst else _make(year, first, second)


def _parse_text(text: str, dayfirst: bool) -> date | None:
    if match := _ISO.match(text):
        return _make(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    if match := _NUMERIC.match(text):
        return _parse_numeric(match, dayfirst)
    if match := _DAY_MONTH_YEAR.match(text):
        month = _month_number(match.group(2))
        if month is not None:
            return _make(_year(match.group(3)), month, int(match.group(1)))
    if match := _MONTH_DAY_YEAR.match(text):
        month = _month_number(match.group(1))
        if month is not None:
            return _make(int(match.group(3)), month, int(match.group(2)))
    return None


def _plain_iso(text: str) -> bool:
    """'yyyy-mm-dd' in ASCII digits (\\d would also take other scripts' digits)."""
    return (
        len(text) == 10
        and text[4] == "-"
        and text[7] == "-"
        and text.isascii()
        and text[:4].isdigit()
        and text[5:7].isdigit()
        and text[8:].isdigit()
    )


def _from_serial(value: float) -> date | None:
    if math.isnan(value) or not _SERIAL_MIN <= value <= _SERIAL_MAX:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(value))


def parse_date(value: object, *, dayfirst: bool = True) -> date | None:
    """Interpret a cell or label value as a calendar date, or return None."""
    if isinstance(value, str):
        # Every supported form has digits and is short; registers are full of
        # free text, so this cheap test keeps column profiling fast.
        if len(value) > _MAX_DATE_CHARS or not _DIGIT.search(value):
            return None
        if _plain_iso(value):
            # What _ISO would match, without the regex: most CSV dates look so.
            return _make(int(value[:4]), int(value[5:7]), int(value[8:]))
        return _parse_text(" ".join(value.split()), dayfirst)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_serial(float(value))
    return None
