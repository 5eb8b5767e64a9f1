from __future__ import annotations

from datetime import date

from qmscheck.checking.conditions import describe, predicate
from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, selection_probe, violation_probe
from qmscheck.checking.rule_model import EachCheck, Rule
from qmscheck.model.periods import Period
from qmscheck.model.verdicts import Failure, GroupSummary


def _soon(rule: Rule, as_of: date) -> date | None:
    return Period.parse(rule.warning_window).add_to(as_of) if rule.warning_window else None


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
        for item in failing:
            fact = ctx.fact_of(item)
            unmet = [phrase for test, phrase in zip(tests, phrases, strict=True) if not test(fact)]
            failures.append(Failure(items=(ctx.cite(item),), detail="lacks " + "; ".join(unmet)))
        if soon is not None:
            tests = [predicate(c, soon) for c in require]
            for item in ctx.matched("violates_soon"):
                if item.id in failing_ids:
                    continue
                fact = ctx.fact_of(item)
                unmet = [phrase for test, phrase in zip(tests, phrases, strict=True) if not test(fact)]
                detail = f"will lack {'; '.join(unmet)} by {soon.isoformat()}"
                failures.append(Failure(items=(ctx.cite(item),), detail=detail, near_miss=True))
        return GroupSummary(failures=failures)
