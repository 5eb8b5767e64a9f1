from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.rule_model import ExistsCheck, Rule
from qmscheck.model.verdicts import Failure, GroupSummary


def type_phrase(rule: Rule) -> str:
    return " or ".join(t.replace("_", " ") for t in rule.select.types)


class Exists(Groupwise):
    kind = "exists"
    description = "At least N items of the selected type are present."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        assert isinstance(ctx.rule.check, ExistsCheck)
        # A failure cites what was found, and it only fails with fewer than ``min`` in all: a group holding
        # ``min`` alone settles it, and a summary that only counts is stored and held almost for free.
        found = ctx.selected
        if len(found) >= ctx.rule.check.min:
            return GroupSummary()
        return GroupSummary(places=[ctx.place(item) for item in found])

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        assert isinstance(ctx.rule.check, ExistsCheck)
        count = sum(summary.population for summary in summaries)
        wanted = ctx.rule.check.min
        if count >= wanted:
            return []
        found = tuple(ctx.cited(place) for summary in summaries for place in summary.places)
        what = type_phrase(ctx.rule)
        absence = f"no {what} was found" if not found else f"only {count} {what} found, {wanted} expected"
        return [Failure(items=found, detail=absence, absence=absence)]
