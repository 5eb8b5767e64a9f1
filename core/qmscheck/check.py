"""Stage two: rules over collected evidence -> graded findings, as of a given date."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from qmscheck import __version__
from qmscheck.checks.base import CheckContext, positions_of
from qmscheck.collect import Collection
from qmscheck.engine import Probe, evaluate
from qmscheck.evidence import Organisation
from qmscheck.facts import to_fact
from qmscheck.grading import grade_failures
from qmscheck.merge import merge_findings
from qmscheck.plugins import Plugins
from qmscheck.report import (
    Finding,
    NotApplicable,
    PackInfo,
    Report,
    finding_sort_key,
    summarise,
)
from qmscheck.rulepack import LoadedPacks, LoadedRule
from qmscheck.scope import applicability


@dataclass(frozen=True)
class CheckOptions:
    as_of: date
    stage: int = 2
    edition: str = "2015"
    generated_at: str | None = None


def select_rules(packs: LoadedPacks, options: CheckOptions) -> list[LoadedRule]:
    return [
        loaded
        for loaded in packs.rules
        if options.stage in loaded.rule.stages
        and options.edition in loaded.rule.editions
        and loaded.rule.status != "deprecated"
    ]


def run_check(
    collection: Collection, packs: LoadedPacks, plugins: Plugins, organisation: Organisation, options: CheckOptions
) -> Report:
    rules = select_rules(packs, options)
    scope = applicability(organisation, rules)
    active = [loaded for loaded in rules if loaded.rule.id not in scope.not_applicable_ids]
    facts = [to_fact(index, item) for index, item in enumerate(collection.items)]
    probes: list[Probe] = []
    for loaded in active:
        probes += plugins.checks.get(loaded.rule.check.kind).probes(loaded.rule, options.as_of)
    matches = evaluate(probes, facts)
    findings: list[Finding] = list(scope.findings)
    positions = positions_of(collection.items)
    for loaded in active:
        rule = loaded.rule
        prefix = f"{rule.id}:"
        context = CheckContext(
            rule=rule,
            as_of=options.as_of,
            organisation=organisation,
            items=collection.items,
            facts=facts,
            positions=positions,
            matches={key: ids for key, ids in matches.items() if key.startswith(prefix)},
        )
        failures = plugins.checks.get(rule.check.kind).evaluate(context)
        findings += grade_failures(rule, loaded.pack.name, failures, population=len(context.selected))
    findings = merge_findings(findings)
    findings.sort(key=finding_sort_key)
    rule_counts: dict[str, int] = defaultdict(int)
    for loaded in rules:
        rule_counts[loaded.pack.name] += 1
    return Report(
        tool_version=__version__,
        organisation=organisation,
        as_of=options.as_of,
        stage=2 if options.stage == 2 else 1,
        edition=options.edition,
        generated_at=options.generated_at,
        sources=collection.sources,
        evidence_count=len(collection.items),
        packs=[PackInfo(name=p.name, version=p.version, rules=rule_counts[p.name]) for p in packs.packs],
        rules_evaluated=len(active),
        findings=findings,
        not_applicable=scope.not_applicable,
        warnings=collection.warnings,
        summary=summarise(findings),
    )


__all__ = ["CheckOptions", "NotApplicable", "run_check"]
