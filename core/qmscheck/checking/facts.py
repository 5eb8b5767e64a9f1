"""Evidence items flattened into engine facts.

Each fact has a unique ``id``, ``e<index>`` for the item's position, by which the engine
adapter reports its matches. durable-rules compares values untyped (``'99' > 365`` is true),
so every value is stored under a key that names its type: ``d_`` whole days since 1970 for
dates, ``n_`` numbers, ``s_`` case-folded text, ``b_`` booleans. A condition on dates can only
ever see a date. Empty values are left out, so a missing field is never mistaken for a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, overload

from qmscheck.model.evidence import CORE_TEXT_FIELDS, DATE_FIELDS, AttributeValue, EvidenceItem
from qmscheck.model.periods import epoch_days

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


@dataclass(frozen=True)
class FactKeys:
    """The keys of its facts that a set of probes can read (``projection.read_keys``), laid out
    for building facts with those keys only."""

    keys: frozenset[str]
    text: tuple[tuple[str, str], ...]
    dates: tuple[tuple[str, str], ...]
    attributes: frozenset[str]

    @classmethod
    def of(cls, keys: Iterable[str]) -> FactKeys:
        wanted = frozenset(keys)
        return cls(
            wanted,
            tuple((name, key) for name, key in _TEXT_KEYS if key in wanted),
            tuple((name, f"d_{name}") for name in DATE_FIELDS if f"d_{name}" in wanted),
            frozenset(key[2:] for key in wanted if key[:2] in PREFIXES),
        )


def read_fact(index: int, item: EvidenceItem, reads: FactKeys) -> dict[str, Any]:
    """The item's fact with only the keys in ``reads`` (and the id, mark, type and kind): the
    engine's verdict on it is the same as on the whole fact, which probes reading no other key
    cannot tell apart. Most of an item's fields are read by no probe; folding their text was
    the larger part of building facts."""
    fact: dict[str, Any] = {"id": f"e{index}", FACT_MARK: 1, TYPE_KEY: item.type, KIND_KEY: item.kind.value}
    values = item.__dict__
    for name, key in reads.text:
        value = values[name]
        if value is not None:
            text = fold(str(value))
            if text:
                fact[key] = text
    days = item.dates.__dict__
    for name, key in reads.dates:
        day = days[name]
        if day is not None:
            fact[key] = day.toordinal() - _EPOCH_ORDINAL
    if reads.attributes:
        for name, value in item.attributes.items():
            if name in reads.attributes:
                entry = typed_entry(name, value)
                if entry is not None and entry[0] in reads.keys:
                    fact[entry[0]] = entry[1]
    return fact


class WholeFacts(Sequence[dict[str, Any]]):
    """The whole facts of ``items``, each built when first asked for: a primitive explaining a
    failure reads the fact of a few items (``CheckContext.fact_of``), not of every one."""

    def __init__(self, items: Sequence[EvidenceItem]) -> None:
        self._items = items
        self._built: dict[int, dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | Sequence[dict[str, Any]]:
        if isinstance(index, slice):
            return [self[position] for position in range(*index.indices(len(self)))]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        fact = self._built.get(position)
        if fact is None:
            fact = self._built[position] = to_fact(position, self._items[position])
        return fact
