"""Evidence items flattened into engine facts.

durable-rules compares values untyped (``'99' > 365`` is true) and loses facts without a
unique id, so every fact gets a unique ``id`` and every value is stored under a key that
names its type: ``d_`` whole days since 1970 for dates, ``n_`` numbers, ``s_`` case-folded
text, ``b_`` booleans. A condition on dates can only ever see a date. Empty values are
left out, so a missing field is never mistaken for a pass.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qmscheck.evidence import CORE_TEXT_FIELDS, AttributeValue, EvidenceItem
from qmscheck.periods import epoch_days

FACT_MARK = "qf"  # present on every fact and on no engine state object: the catch-all rule keys on it
TYPE_KEY = "t"
KIND_KEY = "k"
PREFIXES = ("d_", "n_", "s_", "b_")


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def typed_entry(name: str, value: AttributeValue) -> tuple[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return f"b_{name}", value
    if isinstance(value, datetime):
        return f"d_{name}", epoch_days(value.date())
    if isinstance(value, date):
        return f"d_{name}", epoch_days(value)
    if isinstance(value, int | float):
        return f"n_{name}", value
    text = fold(str(value))
    return (f"s_{name}", text) if text else None


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_TEXT_KEYS = tuple((name, f"s_{name}") for name in CORE_TEXT_FIELDS)


def to_fact(index: int, item: EvidenceItem) -> dict[str, Any]:
    fact: dict[str, Any] = {"id": f"e{index}", FACT_MARK: 1, TYPE_KEY: item.type, KIND_KEY: item.kind.value}
    # Every item of a scan passes through here: read the model's fields directly, not through item.field().
    values = item.__dict__
    for name, key in _TEXT_KEYS:
        value = values[name]
        if value is not None:
            text = fold(str(value))
            if text:
                fact[key] = text
    for name, day in item.dates.__dict__.items():
        if day is not None:
            fact[f"d_{name}"] = day.toordinal() - _EPOCH_ORDINAL
    for name, value in item.attributes.items():
        entry = typed_entry(name, value)
        if entry is not None:
            fact[entry[0]] = entry[1]
    return fact


def fact_index(fact: dict[str, Any]) -> int:
    return int(str(fact["id"])[1:])
