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
from qmscheck.model.verdicts import FailingValue, Failure, GroupSummary
from qmscheck.vocabulary import builtin


def _soon(rule: Rule, as_of: date) -> date | None:
    return Period.parse(rule.warning_window).add_to(as_of) if rule.warning_window else None


def _leaves(condition: Condition) -> list[Condition]:
    return [leaf for group in (condition.any or condition.all or []) for leaf in _leaves(group)] or [condition]


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def values_seen(condition: Condition, item: EvidenceItem, as_of: date) -> list[FailingValue]:
    """The values an unmet condition read: a due date and how many days it is past its bound."""
    seen: dict[str, FailingValue] = {}
    # A bound says how far past it a value is: read those leaves first ('due' absent or on or after ...).
    for leaf in sorted(_leaves(condition), key=lambda leaf: leaf.on_or_after is None):
        name = leaf.field
        value = item.field(name) if name else None
        if name is None or name in seen or value in (None, ""):
            continue
        day = _as_date(value)
        days_past = None
        bound = leaf.on_or_after
        if day is not None and bound is not None and Anchor.parse(bound).field is None:
            limit = Anchor.parse(bound).resolve(as_of)
            if day < limit:
                days_past = (limit - day).days
        seen[name] = FailingValue(name, day.isoformat() if day else f"{value}", days_past)
    return list(seen.values())


def values_text(values: list[FailingValue]) -> str:
    """'due date 2026-01-15, 75 days past' for the statement."""
    return "; ".join(
        f"{field_words(v.field)} {v.value}" + (f", {v.days_past} days past" if v.days_past else "") for v in values
    )


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
) -> tuple[str, tuple[FailingValue, ...]]:
    """What the item lacks, in words, and the values it was judged on."""
    parts = []
    values: list[FailingValue] = []
    for index, (test, phrase, condition) in enumerate(zip(tests, phrases, require, strict=True)):
        if index not in unkept and not test(fact):
            seen = values_seen(condition, item, as_of)
            values += seen
            parts.append(f"{phrase} ({values_text(seen)})" if seen else phrase)
    return "; ".join(parts), tuple(values)


#: A register row's locator ends so ('Log.xlsx [NC] row 6', 'nc.csv row 4'); documents' do not.
_ROW = " row "


def _reads(condition: Condition) -> set[str]:
    return {leaf.field for leaf in _leaves(condition) if leaf.field}


def _not_understood(require: list[Condition], items: list[EvidenceItem]) -> tuple[set[int], list[str]]:
    """The conditions no row of this register can meet because every field they read is missing from
    every row, while the register has columns qmscheck did not understand (one of which may hold it),
    and those columns. A register whose every column was understood keeps its failures: it truly
    records nothing of the kind."""
    rows = [item for item in items if _ROW in item.locator]
    if not rows:
        return set(), []
    known = builtin().field_labels
    unknown = sorted({name for item in rows for name in item.attributes if name not in known})
    if not unknown:
        return set(), []
    missing = {
        index
        for index, condition in enumerate(require)
        if not condition.if_kept
        and (reads := _reads(condition))
        and all(item.field(name) in (None, "") for item in rows for name in reads)
    }
    return missing, unknown


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
        unsure, unknown = _not_understood(require, ctx.selected)
        # Only a condition that fails for want of its field ("not expired" passes on a row with no status).
        unsure = {index for index in unsure if any(not tests[index](ctx.fact_of(item)) for item in failing)}
        if unsure:
            unkept |= unsure
            needs = "; ".join(phrases[index] for index in sorted(unsure))
            columns = ", ".join(f"'{name.replace('_', ' ')}'" for name in unknown)
            detail = f"no column of this register was understood to record {needs} (columns not understood: {columns})"
            failures.append(Failure(items=(ctx.cite(ctx.selected[0]),), detail=detail, unestablished=True))
        for item in failing:
            unmet, values = _unmet(tests, phrases, require, item, ctx.fact_of(item), ctx.as_of, unkept)
            if unmet:
                failures.append(Failure(items=(ctx.cite(item),), detail="lacks " + unmet, values=values))
        if soon is not None:
            tests = [predicate(c, soon) for c in require]
            for item in ctx.matched("violates_soon"):
                if item.id in failing_ids:
                    continue
                unmet, values = _unmet(tests, phrases, require, item, ctx.fact_of(item), ctx.as_of, unkept)
                if not unmet:
                    continue
                detail = f"will lack {unmet} by {soon.isoformat()}"
                failures.append(Failure(items=(ctx.cite(item),), detail=detail, near_miss=True, values=values))
        return GroupSummary(failures=failures)
