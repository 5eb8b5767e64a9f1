from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qmscheck.checking.conditions import compile_all, compile_selector
from qmscheck.checking.engine import Probe
from qmscheck.checking.facts import fold
from qmscheck.checking.phrases import require_phrase
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, selection_probe
from qmscheck.checking.rule_model import CoversCheck, Rule
from qmscheck.model.verdicts import Cited, Failure, GroupSummary


def _key(value: object) -> str | None:
    if value is None or value == "":
        return None
    return fold(str(value))


class Covers(Groupwise):
    kind = "covers"
    description = (
        "Every key of the selected items (or of the organisation's processes or sites) "
        "is matched by an item of another type that meets the required conditions."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        check = rule.check
        assert isinstance(check, CoversCheck)
        by = selection_probe(rule, as_of, check.by, name="by")
        if check.require:
            expression = {"$and": [compile_selector(check.by, as_of), compile_all(check.require, as_of).positive]}
            by = Probe(by.key, by.types, expression)
        return [selection_probe(rule, as_of), by]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        """The keys the group's ``by`` items cover, and each selected item with its key."""
        check = ctx.rule.check
        assert isinstance(check, CoversCheck)
        keys = (_key(item.field(check.match)) for item in ctx.matched("by"))
        covered = sorted({key for key in keys if key is not None})
        data: dict[str, object] = {"covered": covered}
        places = []
        if check.keys_from is not None and check.require and set(check.by.types) <= set(ctx.rule.select.types):
            # The processes (or sites) the selected items name, met or not: a process planned in the
            # programme but never audited is a lapse to cite, not an absence.
            listed = []
            for item in ctx.selected:
                value = item.field(check.match)
                key = _key(value)
                if key is not None:
                    listed.append([key, f"{value}"])
                    places.append(ctx.place(item))
            if listed:
                data["listed"] = listed
        elif check.key is not None:
            keyed = []
            for item in ctx.selected:
                value = item.field(check.key)
                keyed.append([_key(value), f"{value}"])
                places.append(ctx.place(item))
            if keyed:
                data["keyed"] = keyed
        if not places:  # the common case for a file of the "by" type: it only covers
            return GroupSummary(data=data)
        return GroupSummary(data=data, places=places)

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, CoversCheck)
        # The join runs on a set, outside the engine, where it is linear instead of quadratic.
        parts = [summary for summary in summaries if summary.data]
        covered = {key for part in parts for key in part.data["covered"]}
        by_what = " or ".join(t.replace("_", " ") for t in check.by.types)
        failures: list[Failure] = []
        if check.keys_from is not None:
            source = check.keys_from.split(".")[1]
            singular = {"processes": "process", "sites": "site"}[source]
            listed: dict[str, list[Cited]] = {}
            shown: dict[str, str] = {}
            for part in parts:
                for (key, value), place in zip(part.data.get("listed", ()), part.places, strict=True):
                    listed.setdefault(key, []).append(ctx.cited(place))
                    shown.setdefault(key, value)
            needs = "; ".join(require_phrase(condition, as_of=ctx.as_of) for condition in check.require)
            # Without a configured list, the processes the evidence itself names (the programme's).
            names = set(getattr(ctx.organisation, source)) or set(shown.values())
            for key in sorted(names, key=str.casefold):
                found = _key(key)
                if found in covered:
                    continue
                if found in listed:
                    detail = f"the {singular} '{key}' is listed, but no {by_what} of it has {needs}"
                    failures.append(Failure(items=tuple(listed[found]), detail=detail))
                    continue
                absence = f"no {by_what} covers the {singular} '{key}'"
                failures.append(Failure(items=(), detail=absence, absence=absence))
            return failures
        assert check.key is not None
        for part in parts:
            for (key, shown), place in zip(part.data.get("keyed", ()), part.places, strict=True):
                if key not in covered:
                    named = check.key.replace("_", " ")
                    # An item without the key cannot be matched at all: say so, not "matching 'None'".
                    detail = f"has no {named}" if key is None else f"no {by_what} matching {named} '{shown}'"
                    failures.append(Failure(items=(ctx.cited(place),), detail=detail))
        return failures
