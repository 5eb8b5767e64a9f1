"""Which fact keys compiled probe expressions can read, and facts reduced to those keys.

A rule of the engine judges one fact by the values of the keys its expression names and
by nothing else (there are no joins: every rule has one condition on one fact). Facts
that agree on those values therefore get the same verdict, and one of them can stand for
all. Anything this module does not recognise makes :func:`read_keys` answer ``None``, and
the caller asserts whole facts: a missed key would silently merge facts the engine tells
apart.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from qmscheck.checking.facts import FACT_MARK, TYPE_KEY

Json = dict[str, Any]

ID_KEY = "id"
_LOGICAL = frozenset({"$and", "$or"})
_EXISTENCE = frozenset({"$ex", "$nex"})
_COMPARISONS = frozenset({"$eq", "$neq", "$lt", "$lte", "$gt", "$gte", "$mt", "$imt"})
_ARITHMETIC = frozenset({"$add", "$sub", "$mul", "$div"})
_LITERALS = (str, int, float, bool, type(None))


class _Unknown(Exception):
    """A construct outside the grammar below: the safe answer is to keep every key."""


def _key(name: object) -> list[str]:
    if not isinstance(name, str) or not name or name.startswith("$"):
        raise _Unknown(name)
    # Measured: the engine matches "a.b" both as that key and as b inside an object under a.
    parts = name.split(".")
    return [name, *(".".join(parts[:end]) for end in range(1, len(parts)))]


def _operand(value: Any, keys: set[str]) -> None:
    """Literals read nothing; ``$m`` reads a field of the same fact, arithmetic reads its sides."""
    if isinstance(value, _LITERALS):
        return
    if not isinstance(value, dict) or len(value) != 1:
        raise _Unknown(value)
    ((op, argument),) = value.items()
    if op == "$m":
        keys.update(_key(argument))
    elif op in _ARITHMETIC and isinstance(argument, dict) and set(argument) == {"$l", "$r"}:
        _operand(argument["$l"], keys)
        _operand(argument["$r"], keys)
    else:
        # Other references ($s state, another fact's alias) read something outside this fact.
        raise _Unknown(value)


def _tests(argument: Any, keys: set[str]) -> None:
    if not isinstance(argument, dict) or not argument:
        raise _Unknown(argument)
    for name, operand in argument.items():
        keys.update(_key(name))
        _operand(operand, keys)


def _expression(expression: Any, keys: set[str]) -> None:
    if not isinstance(expression, dict) or not expression:
        raise _Unknown(expression)
    for op, argument in expression.items():
        if op in _LOGICAL:
            if not isinstance(argument, list) or not argument:
                raise _Unknown(argument)
            for part in argument:
                _expression(part, keys)
        elif op in _EXISTENCE or op in _COMPARISONS:
            _tests(argument, keys)
        else:
            # A plain key is an equality test; any other $-operator ($iall, $iany, $s...) is unknown.
            _tests({op: argument}, keys)


def read_keys(expressions: Iterable[Json]) -> tuple[str, ...] | None:
    """The fact keys the engine can read to judge these expressions, or ``None`` when unsure.

    The type and the fact mark are always read (the type guard and the catch-all rule).
    """
    keys = {TYPE_KEY, FACT_MARK}
    try:
        for expression in expressions:
            _expression(expression, keys)
    except _Unknown:
        return None
    # Reduced facts get fresh ids, which a condition on the id would notice.
    return None if ID_KEY in keys else tuple(sorted(keys))


def type_verdict(expression: Any, evidence_type: str) -> bool | None:
    """Whether ``expression`` holds for every fact of ``evidence_type`` (True) or for none (False),
    when it tests nothing but the type; ``None`` when it reads anything else.

    Most selections name only types ("every training record"); answering those here spares the
    engine a match, and a round trip to its C core, per fact.
    """
    if not isinstance(expression, dict) or len(expression) != 1:
        return None
    ((op, argument),) = expression.items()
    if op == TYPE_KEY:
        return argument == evidence_type if isinstance(argument, str) else None
    if op not in _LOGICAL or not isinstance(argument, list) or not argument:
        return None
    verdicts = [type_verdict(part, evidence_type) for part in argument]
    if None in verdicts:
        return None
    return any(verdicts) if op == "$or" else all(verdicts)


def reads_key(expression: Any, name: str) -> bool:
    """Whether ``name`` is a key anywhere in ``expression``, tested or referenced with ``$m``."""
    if isinstance(expression, list):
        return any(reads_key(part, name) for part in expression)
    if not isinstance(expression, dict):
        return False
    for key, value in expression.items():
        if key == name or key.startswith(f"{name}.") or (key == "$m" and value == name):
            return True
        if reads_key(value, name):
            return True
    return False


@dataclass(frozen=True)
class Distinct:
    """One fact per distinct projection, without an id: the engine adapter gives each its own."""

    facts: list[Json]
    owners: list[list[int]]  # the positions of the input facts each one stands for


# Equal values of these types have one JSON text (str, int and None never equal each other).
_PLAIN = frozenset({str, int, type(None)})
# bool equals int (True == 1): equal values of equal types still have one JSON text.
_TYPED = _PLAIN | {bool}
# float equals int and 0.0 == -0.0, so floats are told apart by repr.
_SCALARS = _TYPED | {float}


def _projection_key(fact: Json, keys: frozenset[str]) -> Hashable:
    """Equal for two facts only when the engine would be given the same JSON text.

    Cheaper than building that text for every fact: only distinct projections are serialised.
    """
    kinds = set(map(type, fact.values()))
    present = tuple(filter(keys.__contains__, fact))
    values = tuple(map(fact.__getitem__, present))
    # The leading tag keeps the three shapes of key from ever equalling each other.
    if kinds <= _PLAIN:
        return 0, present, values
    if kinds <= _TYPED:
        return 1, present, values, tuple(map(type, values))
    if kinds <= _SCALARS:
        return 2, present, tuple(map(repr, values))
    # Fail on a value JSON cannot carry even where no probe reads it, as whole facts did.
    json.dumps(fact)
    return json.dumps(dict(zip(present, values, strict=True)))


def distinct(facts: Sequence[Json], keys: Iterable[str]) -> Distinct:
    """Project each fact onto ``keys`` and keep one fact per distinct projection."""
    wanted = frozenset(keys)
    index: dict[Hashable, int] = {}
    reduced: list[Json] = []
    owners: list[list[int]] = []
    for position, fact in enumerate(facts):
        key = _projection_key(fact, wanted)
        number = index.get(key)
        if number is None:
            number = index[key] = len(reduced)
            # In the fact's own key order, as the key has it: equal keys, identical JSON text.
            reduced.append({name: value for name, value in fact.items() if name in wanted})
            owners.append([])
        owners[number].append(position)
    return Distinct(reduced, owners)
