from __future__ import annotations

from datetime import date

from qmscheck.checks.base import CheckContext, Failure, label, selection_probe
from qmscheck.checks.exists import type_phrase
from qmscheck.engine import Probe
from qmscheck.evidence import EvidenceItem
from qmscheck.facts import fold
from qmscheck.rulemodel import MentionsCheck, Rule


def missing_topics(check: MentionsCheck, item: EvidenceItem) -> list[str]:
    text = fold(item.text or "")
    return [topic.name for topic in check.topics if not any(fold(phrase) in text for phrase in topic.any)]


class Mentions:
    kind = "mentions"
    description = "A document addresses every required topic (any of the phrases listed for each topic)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return [selection_probe(rule, as_of)]

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        check = ctx.rule.check
        assert isinstance(check, MentionsCheck)
        items = ctx.selected
        if not items:
            # Presence is another rule's job; there is nothing to read here.
            return []
        if check.target == "newest":

            def newest_key(item: EvidenceItem) -> tuple[int, str]:
                day = ctx.fact_of(item).get(f"d_{check.newest_by}")
                return (day if isinstance(day, int) else -1, item.id)

            items = [max(items, key=newest_key)]
        failures = []
        for item in items:
            missing = missing_topics(check, item)
            if missing:
                detail = f"{type_phrase(ctx.rule)} {label(item)} does not address: {', '.join(missing)}"
                failures.append(Failure(items=(item,), detail=detail))
        return failures
