"""``periodic``: a record must exist for every elapsed period (a monthly KPI report, a weekly inspection)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from qmscheck.checking.engine import Probe
from qmscheck.checking.phrases import stated_parameter
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.primitives.exists import type_phrase
from qmscheck.checking.rule_model import PeriodicCheck, Rule, check_period
from qmscheck.model.periods import Anchor, Period
from qmscheck.model.verdicts import Failure, GroupSummary


def _month_start(day: date, shift: int) -> date:
    index = day.year * 12 + day.month - 1 + shift
    return date(index // 12, index % 12 + 1, 1)


def _label(start: date, end: date, period: Period) -> str:
    """How a period reads: 2025-11, 2025-Q4, 2025, 2025-W47, or 'from ... to ...'."""
    months = period.years * 12 + period.months
    if months == 1:
        return start.strftime("%Y-%m")
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if months == 12 and start.month == 1:
        return str(start.year)
    if period.days == 7 and start.weekday() == 0:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{start.isoformat()} to {(end - timedelta(days=1)).isoformat()}"


def windows(period: Period, since: date, as_of: date, grace: Period | None = None) -> list[tuple[date, date, str]]:
    """The periods to check: [start, end) windows starting on or after ``since`` that have fully elapsed.

    Month-based periods follow the calendar (months, quarters and half-years from January);
    periods of whole weeks start on Mondays (ISO weeks); other day counts start at ``since``.
    A period counts as elapsed when its end plus the grace period is on or before ``as_of``.
    """
    months = period.years * 12 + period.months
    result: list[tuple[date, date, str]] = []
    if months:
        start = _month_start(since, 0)
        if 12 % months == 0:
            start = _month_start(start, -((start.month - 1) % months))
        while start < since:
            start = _month_start(start, months)

        def step(day: date) -> date:
            return _month_start(day, months)

    else:
        start = since + timedelta(days=(-since.weekday()) % 7) if period.days % 7 == 0 else since

        def step(day: date) -> date:
            return day + timedelta(days=period.days)

    while True:
        end = step(start)
        due = grace.add_to(end) if grace else end
        if due > as_of:
            break
        result.append((start, end, _label(start, end, period)))
        start = end
    return result


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


class Periodic(Groupwise):
    kind = "periodic"
    description = "A record exists for every elapsed period (e.g. one KPI report a month); each gap is reported."
    # Each gap is an absence; with no record in any period the requirement is wholly absent (graded so).

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """The distinct days the group's selected items are dated (at most one per day of the year)."""
        check = ctx.rule.check
        assert isinstance(check, PeriodicCheck)
        days = {day for day in (_as_date(item.field(check.field)) for item in ctx.selected) if day is not None}
        return GroupSummary(data=sorted(day.toordinal() for day in days))

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, PeriodicCheck)
        rule = ctx.rule
        stated = check.period or (ctx.organisation.parameters.stated(rule.parameter) if rule.parameter else None)
        if stated is None:
            return []  # the organisation set no frequency: there is nothing to be late against
        period = check_period(stated)
        against = stated_parameter(ctx.organisation, rule.parameter) if rule.parameter and not check.period else None
        since = Anchor.parse(check.since).resolve(ctx.as_of)
        grace = Period.parse(check.grace) if check.grace else None
        dated = sorted({date.fromordinal(day) for summary in summaries for day in summary.data or ()})
        what = type_phrase(ctx.rule)
        # Every gap is its own absence; grading weighs them against the periods that have a record.
        failures = []
        for start, end, name in windows(period, since, ctx.as_of, grace):
            if not any(start <= day < end for day in dated):
                last = (end - timedelta(days=1)).isoformat()
                field = check.field.replace("_", " ")
                article = "an" if field[:1] in "aeiou" else "a"
                absence = f"no {what} with {article} {field} date in {name} ({start.isoformat()} to {last})"
                if against:
                    absence += f", one being due every {against}"
                failures.append(Failure(items=(), detail=absence, absence=absence))
        return failures
