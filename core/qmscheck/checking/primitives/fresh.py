from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qmscheck.checking.conditions import compile_condition, compile_selector
from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, probe_key, selection_probe
from qmscheck.checking.primitives.exists import type_phrase
from qmscheck.checking.rule_model import Condition, FreshCheck, Rule
from qmscheck.model.periods import Period
from qmscheck.model.verdicts import Failure, GroupSummary


def _recent_probe(rule: Rule, as_of: date, name: str) -> Probe:
    assert isinstance(rule.check, FreshCheck)
    recent = Condition(field=rule.check.field, on_or_after=f"as_of-{rule.check.within}")
    expression = {"$and": [compile_selector(rule.select, as_of), compile_condition(recent, as_of).positive]}
    return Probe(probe_key(rule, name), rule.select.types, expression)


class Fresh(Groupwise):
    kind = "fresh"
    description = "The newest selected item is younger than a period (e.g. a management review within 12 months)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        probes = [selection_probe(rule, as_of), _recent_probe(rule, as_of, "recent")]
        if rule.warning_window:
            soon = Period.parse(rule.warning_window).add_to(as_of)
            probes.append(_recent_probe(rule, soon, "recent_soon"))
        return probes

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """The group's newest dated item (or, with none dated, every selected item: a finding of
        absence cites them), and whether any is recent enough now and at the end of the window."""
        check = ctx.rule.check
        assert isinstance(check, FreshCheck)
        dated = [(ctx.fact_of(item).get(f"d_{check.field}"), item) for item in ctx.selected]
        dated = [(day, item) for day, item in dated if day is not None]
        recent = bool(ctx.matched("recent"))
        recent_soon = bool(ctx.rule.warning_window and ctx.matched("recent_soon"))
        if not dated:
            return GroupSummary(
                data={"recent": recent, "recent_soon": recent_soon}, places=[ctx.place(item) for item in ctx.selected]
            )
        day, newest = max(dated, key=lambda pair: (pair[0], pair[1].id))
        return GroupSummary(
            data={"recent": recent, "recent_soon": recent_soon, "newest": [day, newest.id]}, places=[ctx.place(newest)]
        )

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, FreshCheck)
        within = Period.parse(check.within)
        parts = [summary for summary in summaries if summary.data]
        dated = [part for part in parts if "newest" in part.data]
        # [day, id]: lists compare like the tuples they were.
        newest = ctx.cited(max(dated, key=lambda part: part.data["newest"]).places[0]) if dated else None
        what = type_phrase(ctx.rule)
        if not any(part.data["recent"] for part in parts):
            if newest is None:
                absence = f"no {what} with a {check.field.replace('_', ' ')} date was found"
                undated = tuple(ctx.cited(place) for part in parts for place in part.places)
                return [Failure(items=undated, detail=absence, absence=absence)]
            return [Failure(items=(newest,), detail=f"the newest {what} is older than {within.human()}")]
        if ctx.rule.warning_window and not any(part.data["recent_soon"] for part in parts):
            assert newest is not None  # a recent item is a dated one
            window = Period.parse(ctx.rule.warning_window).human()
            detail = f"the newest {what} will be older than {within.human()} within {window}"
            return [Failure(items=(newest,), detail=detail, near_miss=True)]
        return []
