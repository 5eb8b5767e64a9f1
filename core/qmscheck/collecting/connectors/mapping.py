"""Turning extracted field values into the evidence model's core fields, dates and attributes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, AttributeValue, Dates

_RESERVED = frozenset({"id", "kind", "type"})
_DATE_FIELDS = frozenset(DATE_FIELDS)
_CORE_TEXT_FIELDS = frozenset(CORE_TEXT_FIELDS)
#: Value types kept as they are: a register row's cells are almost always one of these.
_PLAIN = frozenset({str, int, float, bool, date})


def _attribute_value(value: Any) -> AttributeValue:
    if isinstance(value, datetime):
        return value.date()
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return str(value)


def split_fields(values: dict[str, Any]) -> tuple[dict[str, Any], Dates, dict[str, AttributeValue]]:
    """Core text fields, dates and free attributes from canonical-name -> value pairs."""
    core, dates, attributes = split_plain(values)
    return core, Dates(**dates), attributes


def split_plain(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, date], dict[str, AttributeValue]]:
    """As :func:`split_fields`, with the dates as a plain dict (for building JSON without pydantic)."""
    core: dict[str, Any] = {}
    dates: dict[str, date] = {}
    attributes: dict[str, AttributeValue] = {}
    # Called once per register row: a type lookup, not a chain of isinstance calls, per cell.
    for name, raw in values.items():
        value = raw if type(raw) in _PLAIN else _attribute_value(raw)
        if value is None or value == "":
            continue
        if name in _DATE_FIELDS:
            if isinstance(value, date):
                dates[name] = value
            else:
                # Kept so the auditor can see what was written; the date itself counts as missing.
                attributes[f"{name}_text"] = str(value)
        elif name in _CORE_TEXT_FIELDS:
            core[name] = str(value).strip()
        elif name in _RESERVED:
            attributes[f"{name}_value"] = value
        else:
            attributes[name] = value
    return core, dates, attributes
