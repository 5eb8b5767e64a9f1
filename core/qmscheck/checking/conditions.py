"""Rule conditions compiled to durable-rules expressions, plus a plain-Python evaluator of the same meaning.

The Python evaluator is the oracle the engine is tested against, and explains to a
finding which condition an item failed. Semantics, shared by both:
- a condition on a missing field is false (``present = false`` is the exception);
- a negated condition is therefore true when the field is missing;
- text compares case-insensitively with spaces collapsed; dates compare as days.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from qmscheck.checking.facts import KIND_KEY, PREFIXES, TYPE_KEY, fold
from qmscheck.checking.phrases import require_phrase
from qmscheck.checking.rule_model import Condition, Selector
from qmscheck.model.periods import Anchor, epoch_days

Json = dict[str, Any]


@dataclass(frozen=True)
class Compiled:
    """A condition in engine form: ``positive`` holds when it is met, ``negative`` when it is not."""

    positive: Json
    negative: Json


def _and(parts: Sequence[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def _or(parts: Sequence[Json]) -> Json:
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def _date_operand(anchor: Anchor, as_of: date) -> Any:
    if anchor.field is None:
        return epoch_days(anchor.resolve(as_of))
    ref: Json = {"$m": f"d_{anchor.field}"}
    return {"$add": {"$l": ref, "$r": anchor.offset_days}} if anchor.offset_days else ref


def _typed_key(condition: Condition, value: Any) -> tuple[str, Any]:
    name = condition.field
    if isinstance(value, bool):
        return f"b_{name}", value
    if isinstance(value, int | float):
        return f"n_{name}", value
    return f"s_{name}", fold(str(value))


def compile_condition(condition: Condition, as_of: date) -> Compiled:
    if condition.any is not None:
        parts = [compile_condition(c, as_of) for c in condition.any]
        return Compiled(_or([p.positive for p in parts]), _and([p.negative for p in parts]))
    if condition.all is not None:
        parts = [compile_condition(c, as_of) for c in condition.all]
        return Compiled(_and([p.positive for p in parts]), _or([p.negative for p in parts]))
    name = condition.field
    op = condition.operator
    if op == "present":
        exists = _or([{"$ex": {f"{prefix}{name}": 1}} for prefix in PREFIXES])
        missing = _and([{"$nex": {f"{prefix}{name}": 1}} for prefix in PREFIXES])
        return Compiled(exists, missing) if condition.present else Compiled(missing, exists)
    if op in ("equals", "one_of", "not_one_of"):
        values = [condition.equals] if op == "equals" else list(condition.one_of or condition.not_one_of or [])
        keyed = [_typed_key(condition, value) for value in values]
        matches = _or([{key: value} for key, value in keyed])
        differs = _or(
            [{"$nex": {key: 1}} for key in sorted({key for key, _ in keyed})]
            + [_and([{"$neq": {key: value}} for key, value in keyed])]
        )
        return Compiled(differs, matches) if op == "not_one_of" else Compiled(matches, differs)
    if op in ("at_least", "at_most"):
        key, bound = f"n_{name}", condition.at_least if op == "at_least" else condition.at_most
        good, bad = ("$gte", "$lt") if op == "at_least" else ("$lte", "$gt")
        return Compiled(
            {good: {key: bound}},
            _or([{"$nex": {key: 1}}, {bad: {key: bound}}]),
        )
    anchor = Anchor.parse(condition.on_or_after or condition.on_or_before or "")
    key, operand = f"d_{name}", _date_operand(anchor, as_of)
    good, bad = ("$gte", "$lt") if op == "on_or_after" else ("$lte", "$gt")
    guards_pos = [{"$ex": {key: 1}}]
    guards_neg = [{"$nex": {key: 1}}]
    if anchor.field is not None:
        guards_pos.append({"$ex": {f"d_{anchor.field}": 1}})
        guards_neg.append({"$nex": {f"d_{anchor.field}": 1}})
    return Compiled(
        _and([*guards_pos, {good: {key: operand}}]),
        _or([*guards_neg, {bad: {key: operand}}]),
    )


def compile_selector(selector: Selector, as_of: date) -> Json:
    parts: list[Json] = [_or([{TYPE_KEY: t} for t in selector.types])]
    if selector.kind:
        parts.append({KIND_KEY: selector.kind})
    parts += [compile_condition(c, as_of).positive for c in selector.where]
    return _and(parts)


def compile_all(conditions: Sequence[Condition], as_of: date) -> Compiled:
    parts = [compile_condition(c, as_of) for c in conditions]
    return Compiled(_and([p.positive for p in parts]), _or([p.negative for p in parts]))


# --- the plain-Python twin ------------------------------------------------------------


Predicate = Callable[[Json], bool]


def predicate(condition: Condition, as_of: date) -> Predicate:
    """``holds`` for one condition and date, with everything that does not depend on the fact
    worked out once: a check that explains thousands of failing items calls it per item."""
    if condition.any is not None:
        alternatives = [predicate(c, as_of) for c in condition.any]
        return lambda fact: any(test(fact) for test in alternatives)
    if condition.all is not None:
        requirements = [predicate(c, as_of) for c in condition.all]
        return lambda fact: all(test(fact) for test in requirements)
    name = condition.field or ""
    op = condition.operator
    if op == "present":
        keys = [f"{prefix}{name}" for prefix in PREFIXES]
        wanted = bool(condition.present)
        return lambda fact: any(key in fact for key in keys) == wanted
    if op in ("equals", "one_of", "not_one_of"):
        values = [condition.equals] if op == "equals" else list(condition.one_of or condition.not_one_of or [])
        keyed = [_typed_key(condition, v) for v in values]
        negated = op == "not_one_of"
        if len(keyed) == 1:
            ((key, value),) = keyed
            return lambda fact: (fact.get(key) == value) != negated
        if len({key for key, _ in keyed}) == 1:
            # Only lists of text get here (one_of, not_one_of): membership is the same test as comparing each.
            key, texts = keyed[0][0], [value for _, value in keyed]
            return lambda fact: (fact.get(key) in texts) != negated
        return lambda fact: any(fact.get(key) == value for key, value in keyed) != negated
    if op in ("at_least", "at_most"):
        number_key = f"n_{name}"
        if op == "at_least":
            least = condition.at_least
            return lambda fact: (number := fact.get(number_key)) is not None and bool(number >= least)
        most = condition.at_most
        return lambda fact: (number := fact.get(number_key)) is not None and bool(number <= most)
    anchor = Anchor.parse(condition.on_or_after or condition.on_or_before or "")
    day_key, after = f"d_{name}", op == "on_or_after"
    if anchor.field is None:
        fixed = epoch_days(anchor.resolve(as_of))

        def bound_of(fact: Json) -> int | None:
            return fixed
    else:
        base_key, offset = f"d_{anchor.field}", anchor.offset_days

        def bound_of(fact: Json) -> int | None:
            base = fact.get(base_key)
            return None if base is None else int(base) + offset

    def on_date(fact: Json) -> bool:
        day, bound = fact.get(day_key), bound_of(fact)
        if day is None or bound is None:
            return False
        return bool(day >= bound) if after else bool(day <= bound)

    return on_date


def holds(condition: Condition, fact: Json, as_of: date) -> bool:
    """Evaluate a condition on a fact in plain Python, with exactly the engine's semantics."""
    return predicate(condition, as_of)(fact)


def describe(condition: Condition, as_of: date) -> str:
    """How an unmet condition reads in a finding: its label, or the condition in words with real dates."""
    if condition.label:
        return condition.label
    return require_phrase(condition, as_of=as_of)
