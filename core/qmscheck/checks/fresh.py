from __future__ import annotations

from datetime import date

from qmscheck.checks.base import CheckContext, Failure, probe_key, selection_probe
from qmscheck.checks.exists import type_phrase
from qmscheck.conditions import compile_condition, compile_selector
from qmscheck.engine import Probe
from qmscheck.periods import Period
from qmscheck.rulemodel import Condition, FreshCheck, Rule


def _recent_probe(rule: Rule, as_of: date, name: str) -> Probe:
    assert isinstance(rule.check, FreshCheck)
    recent = Condition(field=rule.check.field, on_or_after=f"as_of-{rule.check.within}")
    expression = {"$and": [compile_selector(rule.select, as_of), compile_condition(recent, as_of).positive]}
    return Probe(probe_key(rule, name), rule.select.types, expression)


class Fresh:
    kind = "fresh"
    description = "The newest selected item is younger than a period (e.g. a management review within 12 months)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        probes = [selection_probe(rule, as_of), _recent_probe(rule, as_of, "recent")]
        if rule.warning_window:
            soon = Period.parse(rule.warning_window).add_to(as_of)
            probes.append(_recent_probe(rule, soon, "recent_soon"))
        return probes

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, FreshCheck)
        within = Period.parse(check.within)
        dated = [(ctx.fact_of(item).get(f"d_{check.field}"), item) for item in ctx.selected]
        dated = [(day, item) for day, item in dated if day is not None]
        what = type_phrase(ctx.rule)
        if not ctx.matched("recent"):
            if not dated:
                absence = f"no {what} with a {check.field.replace('_', ' ')} date was found"
                return [Failure(items=tuple(ctx.selected), detail=absence, absence=absence)]
            newest = max(dated, key=lambda pair: (pair[0], pair[1].id))[1]
            return [Failure(items=(newest,), detail=f"the newest {what} is older than {within.human()}")]
        if ctx.rule.warning_window and not ctx.matched("recent_soon"):
            newest = max(dated, key=lambda pair: (pair[0], pair[1].id))[1]
            window = Period.parse(ctx.rule.warning_window).human()
            detail = f"the newest {what} will be older than {within.human()} within {window}"
            return [Failure(items=(newest,), detail=detail, near_miss=True)]
        return []
