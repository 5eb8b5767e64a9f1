"""``differs``: per item, one field's value must not appear in other fields (an auditor is not the auditee)."""

from __future__ import annotations

from datetime import date

from qmscheck.checking.engine import Probe
from qmscheck.checking.facts import fold
from qmscheck.checking.primitives.base import CheckContext, Groupwise, selection_probe
from qmscheck.checking.rule_model import DiffersCheck, Rule
from qmscheck.model.verdicts import Failure, GroupSummary


class Differs(Groupwise):
    kind = "differs"
    description = (
        "In every selected item, the value of one field does not appear in the listed other fields "
        "(items where either is empty are not judged)."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        check = ctx.rule.check
        assert isinstance(check, DiffersCheck)
        failures = []
        for item in ctx.selected:
            value = item.field(check.field)
            mine = fold(str(value)) if value not in (None, "") else ""
            if not mine:
                continue
            for other in check.others:
                theirs = item.field(other)
                text = fold(str(theirs)) if theirs not in (None, "") else ""
                if text and (mine in text or text in mine):
                    detail = f"{check.field.replace('_', ' ')} '{value}' is also named as {other.replace('_', ' ')}"
                    failures.append(Failure(items=(ctx.cite(item),), detail=detail))
                    break
        return GroupSummary(failures=failures)
