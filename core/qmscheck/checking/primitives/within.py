"""``within``: each item reaches its end date within the organisation's own deadline of its start
date (a complaint closed within the closure time the organisation set itself).

ISO 9001 sets no such deadline, so the period is always the rule's organisation parameter; while the
organisation states none, the rule has nothing to judge and finds nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from qmscheck.checking.engine import Probe
from qmscheck.checking.phrases import field_words, stated_parameter
from qmscheck.checking.primitives.base import CheckContext, Groupwise, selection_probe
from qmscheck.checking.rule_model import Rule, WithinCheck
from qmscheck.model.periods import Period
from qmscheck.model.verdicts import FailingValue, Failure, GroupSummary


def _day(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _days(count: int) -> str:
    return f"{count} day{'s' if count != 1 else ''}"


class Within(Groupwise):
    kind = "within"
    description = "Each selected item reaches its end date within the organisation's own deadline of its start date."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        rule = ctx.rule
        check = rule.check
        assert isinstance(check, WithinCheck) and rule.parameter is not None
        stated = ctx.organisation.parameters.stated(rule.parameter)
        against = stated_parameter(ctx.organisation, rule.parameter)
        if stated is None or against is None:
            return GroupSummary(failures=[])
        period = Period.parse(stated)
        start_words = field_words(check.start)
        failures = []
        for item in ctx.selected:
            start = _day(item.field(check.start))
            if start is None:
                continue  # nothing to count from: a rule on the missing date says so
            deadline = period.add_to(start)
            ended = next(((name, day) for name in check.ends if (day := _day(item.field(name))) is not None), None)
            end = ended[1] if ended is not None else None
            end_words = field_words(ended[0]) if ended is not None else " or ".join(map(field_words, check.ends))
            if end is not None and end <= deadline:
                continue
            if end is None and ctx.as_of <= deadline:
                continue
            late = (end or ctx.as_of) - deadline
            reached = f"{end_words} {end.isoformat()}" if end is not None else f"no {end_words} by {ctx.as_of}"
            detail = (
                f"{start_words} {start.isoformat()}, {reached}: due by {deadline.isoformat()}, "
                f"{_days(late.days)} late against the organisation's deadline of {against}"
            )
            values = [FailingValue(check.start, start.isoformat())]
            values.append(
                FailingValue(ended[0], end.isoformat(), late.days)
                if ended and end
                else FailingValue("as_of", ctx.as_of.isoformat(), late.days)
            )
            failures.append(Failure(items=(ctx.cite(item),), detail=detail, values=tuple(values)))
        return GroupSummary(failures=failures)
