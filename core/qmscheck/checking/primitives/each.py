from __future__ import annotations

from datetime import date, datetime
from typing import Any

from qmscheck.checking.conditions import describe, predicate
from qmscheck.checking.engine import Probe
from qmscheck.checking.phrases import field_words
from qmscheck.checking.primitives.base import CheckContext, Groupwise, selection_probe, violation_probe
from qmscheck.checking.rule_model import Condition, EachCheck, Rule
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.periods import Anchor, Period
from qmscheck.model.verdicts import Failure, GroupSummary


def _soon(rule: Rule, as_of: date) -> date | None:
    return Period.parse(rule.warning_window).add_to(as_of) if rule.warning_window else None


def _leaves(condition: Condition) -> list[Condition]:
    return [leaf for group in (condition.any or condition.all or []) for leaf in _leaves(group)] or [condition]


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def values_seen(condition: Condition, item: EvidenceItem, as_of: date) -> str:
    """The values an unmet condition read, for the statement: 'due date 2026-01-15, 75 days past'."""
    seen: dict[str, str] = {}
    # A bound says how far past it a value is: read those leaves first ('due' absent or on or after ...).
    for leaf in sorted(_leaves(condition), key=lambda leaf: leaf.on_or_after is None):
        name = leaf.field
        value = item.field(name) if name else None
        if name is None or name in seen or value in (None, ""):
            continue
        day = _as_date(value)
        text = f"{field_words(name)} {day.isoformat() if day else value}"
        bound = leaf.on_or_after
        if day is not None and bound is not None and Anchor.parse(bound).field is None:
            limit = Anchor.parse(bound).resolve(as_of)
            if day < limit:
                text += f", {(limit - day).days} days past"
        seen[name] = text
    return "; ".join(seen.values())


def _unkept(require: list[Condition], items: list[EvidenceItem]) -> set[int]:
    """The positions of ``if_kept`` conditions whose field no item of the group has: a register
    without the column is not faulted for it."""
    return {
        index
        for index, condition in enumerate(require)
        if condition.if_kept and condition.field and all(item.field(condition.field) in (None, "") for item in items)
    }


def _unmet(
    tests: list[Any],
    phrases: list[str],
    require: list[Condition],
    item: EvidenceItem,
    fact: Any,
    as_of: date,
    unkept: set[int],
) -> str:
    parts = []
    for index, (test, phrase, condition) in enumerate(zip(tests, phrases, require, strict=True)):
        if index not in unkept and not test(fact):
            seen = values_seen(condition, item, as_of)
            parts.append(f"{phrase} ({seen})" if seen else phrase)
    return "; ".join(parts)


class Each(Groupwise):
    kind = "each"
    description = "Every selected item meets all the required conditions."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        assert isinstance(rule.check, EachCheck)
        probes = [selection_probe(rule, as_of), violation_probe(rule, as_of, rule.check.require, "violates")]
        soon = _soon(rule, as_of)
        if soon is not None:
            # Judged as if the scan ran at the end of the warning window: what fails then is a near miss now.
            probes.append(violation_probe(rule, soon, rule.check.require, "violates_soon"))
        return probes

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        assert isinstance(ctx.rule.check, EachCheck)
        require = ctx.rule.check.require
        failing = ctx.matched("violates")
        soon = _soon(ctx.rule, ctx.as_of)
        if not failing and (soon is None or not ctx.matched("violates_soon")):
            return GroupSummary(failures=[])  # most files: nothing to explain
        # Phrases and predicates depend on the condition and date only: work them out once, not per failing item.
        # A near miss reads with the scan date's words, judged at the end of the warning window.
        phrases = [describe(c, ctx.as_of) for c in require]
        failures: list[Failure] = []
        failing_ids = {item.id for item in failing}
        tests = [predicate(c, ctx.as_of) for c in require]
        unkept = _unkept(require, ctx.selected)
        for item in failing:
            unmet = _unmet(tests, phrases, require, item, ctx.fact_of(item), ctx.as_of, unkept)
            if unmet:
                failures.append(Failure(items=(ctx.cite(item),), detail="lacks " + unmet))
        if soon is not None:
            tests = [predicate(c, soon) for c in require]
            for item in ctx.matched("violates_soon"):
                if item.id in failing_ids:
                    continue
                unmet = _unmet(tests, phrases, require, item, ctx.fact_of(item), ctx.as_of, unkept)
                if not unmet:
                    continue
                detail = f"will lack {unmet} by {soon.isoformat()}"
                failures.append(Failure(items=(ctx.cite(item),), detail=detail, near_miss=True))
        return GroupSummary(failures=failures)
