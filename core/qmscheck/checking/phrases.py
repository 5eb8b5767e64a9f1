"""Conditions and fields in words: for ``rules explain``, the rule docs and findings alike.

Without a scan date the words stay general ('a due date on or after the scan date'); a
finding passes the scan's date so they become concrete ('... on or after 2026-03-31').
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qmscheck.checking.rule_model import PARAMETER_ANCHOR, Condition
from qmscheck.model.evidence import DATE_FIELDS, Organisation
from qmscheck.model.periods import Anchor, Period

SCAN_DATE = "the scan date"


def field_words(name: str) -> str:
    words = name.replace("_", " ")
    return f"{words} date" if name in DATE_FIELDS or name.startswith("last_") else words


def article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def anchor_phrase(text: str, as_of: date | None = None) -> str:
    """'the scan date', '12 months before the scan date' - or the actual date when ``as_of`` is given."""
    if text == PARAMETER_ANCHOR:  # a rule's own words, before the organisation's period is put in
        return f"the organisation's own interval before {SCAN_DATE}"
    anchor = Anchor.parse(text)
    if as_of is not None and anchor.field is None:
        return anchor.resolve(as_of).isoformat()
    base = SCAN_DATE if anchor.field is None else f"its {field_words(anchor.field)}"
    if anchor.period is None:
        return base
    return f"{anchor.period.human()} {'after' if anchor.sign > 0 else 'before'} {base}"


def _values(values: Sequence[str]) -> str:
    return ", ".join(values)


def _group(parts: list[str], word: str, nested: bool) -> str:
    if len(parts) == 1:
        return parts[0]
    text = ", ".join(parts[:-1]) + f" {word} " + parts[-1]
    if word == "or":
        text = "either " + text
    return f"({text})" if nested else text


def where_phrase(condition: Condition, nested: bool = False) -> str:
    """A condition on the selected items: reads after 'whose' ('status is not one of ...')."""
    if condition.any is not None:
        return _group([where_phrase(c, True) for c in condition.any], "or", nested)
    if condition.all is not None:
        return _group([where_phrase(c, True) for c in condition.all], "and", nested)
    name = field_words(condition.field or "")
    op = condition.operator
    if op == "present":
        return f"{name} is {'filled in' if condition.present else 'empty'}"
    if op == "equals":
        return f"{name} is '{condition.equals}'"
    if op == "one_of":
        return f"{name} is one of {_values(condition.one_of or [])}"
    if op == "not_one_of":
        return f"{name} is not one of {_values(condition.not_one_of or [])}"
    if op == "at_least":
        return f"{name} is at least {condition.at_least:g}"
    if op == "at_most":
        return f"{name} is at most {condition.at_most:g}"
    word = "on or after" if op == "on_or_after" else "on or before"
    return f"{name} is {word} {anchor_phrase(condition.on_or_after or condition.on_or_before or '')}"


def require_phrase(condition: Condition, nested: bool = False, as_of: date | None = None) -> str:
    """A requirement on an item: reads after 'must have' ('a due date on or after the scan date')."""
    if condition.any is not None:
        return _group([require_phrase(c, True, as_of) for c in condition.any], "or", nested)
    if condition.all is not None:
        return _group([require_phrase(c, True, as_of) for c in condition.all], "and", nested)
    name = field_words(condition.field or "")
    op = condition.operator
    if op == "present":
        return article(name) if condition.present else f"no {name}"
    if op == "equals":
        return f"{article(name)} of '{condition.equals}'"
    if op == "one_of":
        return f"{article(name)} that is one of {_values(condition.one_of or [])}"
    if op == "not_one_of":
        return f"{article(name)} that is not one of {_values(condition.not_one_of or [])}"
    if op == "at_least":
        return f"{article(name)} of at least {condition.at_least:g}"
    if op == "at_most":
        return f"{article(name)} of at most {condition.at_most:g}"
    word = "on or after" if op == "on_or_after" else "on or before"
    return f"{article(name)} {word} {anchor_phrase(condition.on_or_after or condition.on_or_before or '', as_of)}"


def stated_parameter(organisation: Organisation, name: str) -> str | None:
    """How a finding cites the organisation's own frequency or deadline: 'every 1 month (its own
    kpi_report_frequency = P1M, qmscheck.toml [parameters])'; None when the organisation set none."""
    value = organisation.parameters.stated(name)
    if value is None:
        return None
    return f"{Period.parse(value).human()} (its own {name} = {value}, {organisation.parameters.source_of(name)})"
