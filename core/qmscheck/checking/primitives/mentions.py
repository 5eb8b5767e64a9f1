from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from qmscheck.checking.engine import Probe
from qmscheck.checking.primitives.base import CheckContext, Groupwise, RuleContext, label, selection_probe
from qmscheck.checking.primitives.exists import type_phrase
from qmscheck.checking.rule_model import MentionsCheck, Rule
from qmscheck.checking.topics import active_topics, topics_in
from qmscheck.model.evidence import EvidenceItem
from qmscheck.model.verdicts import Failure, GroupSummary


def missing_topics(check: MentionsCheck, item: EvidenceItem) -> list[str]:
    """The topics of the check the item's text does not address, in English words."""
    found = topics_in(item.text or "")
    return [active_topics().name(topic) for topic in check.topics if topic not in found]


def _detail(ctx: RuleContext, name: str, missing: list[str]) -> str:
    return f"{type_phrase(ctx.rule)} {name} does not address: {', '.join(missing)}"


class Mentions(Groupwise):
    kind = "mentions"
    description = (
        "A document addresses every required topic (the vocabulary's words for it, in any supported language)."
    )

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def summarise(self, ctx: CheckContext) -> GroupSummary:
        check = ctx.rule.check
        assert isinstance(check, MentionsCheck)
        items = ctx.selected
        if not items:
            # Presence is another rule's job; there is nothing to read here.
            return GroupSummary()
        if check.target == "newest":

            def newest_key(item: EvidenceItem) -> tuple[int, str]:
                day = ctx.fact_of(item).get(f"d_{check.newest_by}")
                return (day if isinstance(day, int) else -1, item.id)

            # Only the newest of all groups is judged: each group offers its own, with what it lacks.
            newest = max(items, key=newest_key)
            return GroupSummary(data=[*newest_key(newest), missing_topics(check, newest)], places=[ctx.place(newest)])
        failures = []
        for item in items:
            missing = missing_topics(check, item)
            if missing:
                failures.append(Failure(items=(ctx.cite(item),), detail=_detail(ctx, label(item), missing)))
        return GroupSummary(failures=failures)

    def combine(self, ctx: RuleContext, summaries: Sequence[GroupSummary]) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, MentionsCheck)
        if check.target != "newest":
            return super().combine(ctx, summaries)
        offers = [summary for summary in summaries if summary.data]
        if not offers:
            return []
        newest = max(offers, key=lambda offer: offer.data[:2])
        missing, (place,) = newest.data[2], newest.places
        if not missing:
            return []
        cited = ctx.cited(place)
        return [Failure(items=(cited,), detail=_detail(ctx, cited.label, missing))]
