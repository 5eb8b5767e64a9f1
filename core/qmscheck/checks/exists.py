from __future__ import annotations

from datetime import date

from qmscheck.checks.base import CheckContext, Failure, selection_probe
from qmscheck.engine import Probe
from qmscheck.rulemodel import ExistsCheck, Rule


def type_phrase(rule: Rule) -> str:
    return " or ".join(t.replace("_", " ") for t in rule.select.types)


class Exists:
    kind = "exists"
    description = "At least N items of the selected type are present."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        assert isinstance(ctx.rule.check, ExistsCheck)
        found = ctx.selected
        wanted = ctx.rule.check.min
        if len(found) >= wanted:
            return []
        what = type_phrase(ctx.rule)
        absence = f"no {what} was found" if not found else f"only {len(found)} {what} found, {wanted} expected"
        return [Failure(items=tuple(found), detail=absence, absence=absence)]
