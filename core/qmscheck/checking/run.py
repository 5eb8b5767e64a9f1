"""Stage two: rules over collected evidence -> graded findings, as of a given date.

With a result cache (the evidence index), a rule whose inputs are unchanged since the last
scan keeps its findings without being evaluated, and evidence groups that only such rules
read are never decoded: a rescan costs what changed, not what exists.
"""

from __future__ import annotations

import bisect
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

import pluggy

from qmscheck import __version__, vocabulary
from qmscheck.checking.elsewhere import verify_elsewhere
from qmscheck.checking.engine import Probe, evaluate
from qmscheck.checking.facts import to_fact
from qmscheck.checking.grading import grade_failures
from qmscheck.checking.groupwise import GroupwiseRule, GroupwiseRun
from qmscheck.checking.manual import bundled_manual_checks, manual_checks_for
from qmscheck.checking.merge import merge_findings
from qmscheck.checking.packs import LoadedPacks, LoadedRule, chosen, pack_infos, same_requirements, standard_infos
from qmscheck.checking.parameters import unstated, with_stated_period
from qmscheck.checking.passed import EvidenceSeenBy, passed_rules, rules_not_run
from qmscheck.checking.primitives.base import CheckContext, CheckPrimitive, Groupwise, positions_of
from qmscheck.checking.rule_model import CoversCheck
from qmscheck.checking.scope import applicability, declared_exclusions, excludable_of, scope_documents
from qmscheck.checking.stated_periods import with_stated_periods
from qmscheck.checking.templates import note_unfilled_templates, unfilled_templates, without_form_copies
from qmscheck.checking.understanding import request_unestablished_absences, understanding_of
from qmscheck.model.collection import Collection
from qmscheck.model.evidence import EvidenceItem, Organisation
from qmscheck.model.evidence_types import pack_labels
from qmscheck.model.groups import items_of
from qmscheck.model.report import (
    Finding,
    NotApplicable,
    Report,
    finding_sort_key,
    rule_block_key,
    summarise,
)
from qmscheck.storage.results import ResultCache, StoredFindings, report_key, rule_digest, type_digests
from qmscheck.storage.stored_summaries import summary_digest
from qmscheck.support.code_fingerprint import code_fingerprint
from qmscheck.support.executors import Executor
from qmscheck.support.gcpause import collector_paused
from qmscheck.support.registry import Registry
from qmscheck.support.tuning import Tuning


@dataclass
class CheckOptions:
    as_of: date
    stage: int = 2
    edition: str = "2015"
    generated_at: str | None = None
    #: The SQLite file holding each rule's last findings (the evidence index); None: nothing is reused.
    results: Path | None = None
    #: Evaluate every rule again, trusting nothing stored, and store the results anew (--full).
    full: bool = False
    #: Rules to run and to leave out, by id, id prefix, clause ("8.4", "iso13485:7.4") or tag (--select, --ignore).
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    #: Processes that summarise evidence groups, when there are many (qmscheck.checking.summarising).
    jobs: int = 1
    #: Where they are summarised when not in this machine's processes: a Dask cluster.
    executor: Executor | None = None
    #: How the work is divided (batch sizes, when to start workers); never what is found.
    tuning: Tuning = field(default_factory=Tuning)
    #: Filled in by run_check: rules reused and evaluated, evidence groups read (decoded) and summarised
    #: (for --verbose and tests).
    stats: Counter[str] = field(default_factory=Counter)


class CheckPlugins(Protocol):
    """What checking needs of the loaded plugins (:class:`qmscheck.plugins.manager.Plugins` is one):
    the check primitives by kind, and the plugin objects, whose code a stored verdict depends on."""

    checks: Registry[CheckPrimitive]
    manager: pluggy.PluginManager


def select_rules(packs: LoadedPacks, options: CheckOptions) -> list[LoadedRule]:
    return [
        loaded
        for loaded in packs.rules
        if options.stage in loaded.rule.stages
        and loaded.applies_to(options.edition)
        and loaded.rule.status != "deprecated"
        and chosen(loaded, options.select, options.ignore)
    ]


def _settings(plugins: CheckPlugins, organisation: Organisation, options: CheckOptions) -> str:
    """Everything scan-wide a rule's findings depend on besides the evidence and the rule: the code
    of qmscheck and the plugins (the check primitives, grading, merging) and the scan's settings."""
    return json.dumps(
        {
            "code": code_fingerprint(plugins.manager.get_plugins()),
            # The packs' topics decide what a mentions rule finds, their labels how an item is named.
            "words": vocabulary.extra_digest(),
            "labels": dict(pack_labels()),
            "organisation": organisation.model_dump(mode="json"),
            "as_of": options.as_of.isoformat(),
            "stage": options.stage,
            "edition": options.edition,
            "select": options.select,
            "ignore": options.ignore,
        },
        sort_keys=True,
    )


def _evaluate(
    collection: Collection,
    stale: list[LoadedRule],
    probes_of: dict[str, list[Probe]],
    plugins: CheckPlugins,
    organisation: Organisation,
    options: CheckOptions,
    settings: str,
    store: ResultCache,
    digests: dict[str, str],
) -> dict[str, StoredFindings]:
    """Findings of the rules that must be evaluated: groupwise primitives one group at a time,
    any other primitive over every item of the types it reads. A plugin's primitive may implement
    :class:`CheckPrimitive` alone (``probes`` and ``evaluate``): it is then given every item its
    probes select at once, which holds them all in memory and re-evaluates the rule whenever any
    of them changes, but gives the same findings."""
    groupwise: list[GroupwiseRule] = []
    whole: list[LoadedRule] = []
    present = frozenset(t for group in collection.groups for t in group.types)
    idle: dict[str, StoredFindings] = {}
    for loaded in stale:
        primitive = plugins.checks.get(loaded.rule.check.kind)
        check = loaded.rule.check
        if isinstance(check, CoversCheck) and check.key is not None and not present & set(loaded.rule.select.types):
            # Nothing to cover (no master list, no review actions): every group it would read as
            # covering is left unread, which at 100,000 documents is most of the check stage's memory.
            idle[loaded.rule.id] = StoredFindings.of([])
            continue
        if isinstance(primitive, Groupwise):
            digest = summary_digest(settings, _rule_json(loaded))
            groupwise.append(
                GroupwiseRule(loaded, primitive, probes_of[loaded.rule.id], digest, digests[loaded.rule.id])
            )
        else:
            whole.append(loaded)
    # With --full nothing stored is trusted: summaries are worked out again, and stored afresh.
    run = GroupwiseRun(
        groupwise,
        options.as_of,
        organisation,
        store,
        reuse=not options.full,
        jobs=options.jobs,
        tuning=options.tuning,
        executor=options.executor,
    )
    findings = run.findings(collection)
    # Files decoded for checking: to summarise them, and again to show what a failure cites.
    options.stats["groups_read"] += run.groups_read
    options.stats["groups_summarised"] += run.groups_summarised
    options.stats["rules_kept"] += run.kept
    options.stats["rules_refreshed"] += run.refreshed
    whole_findings = _evaluate_whole(collection, whole, probes_of, plugins, organisation, options)
    findings.update((rule_id, StoredFindings.of(found)) for rule_id, found in whole_findings.items())
    findings.update(idle)
    return findings


def _evaluate_whole(
    collection: Collection,
    stale: list[LoadedRule],
    probes_of: dict[str, list[Probe]],
    plugins: CheckPlugins,
    organisation: Organisation,
    options: CheckOptions,
) -> dict[str, list[Finding]]:
    """Rules of primitives that need every item at once, decoding only the groups they read."""
    if not stale:
        return {}
    as_of = options.as_of
    needed = frozenset(t for loaded in stale for probe in probes_of[loaded.rule.id] for t in probe.types)
    groups = [group for group in collection.groups if group.reads(needed)]
    options.stats["groups_read"] += len(groups)
    items = items_of(groups)
    facts = [to_fact(index, item) for index, item in enumerate(items)]
    return _findings(stale, probes_of, plugins, organisation, as_of, items, facts)


def _rule_json(loaded: LoadedRule) -> str:
    return json.dumps([loaded.pack.name, loaded.pack.version, loaded.rule.model_dump(mode="json")], sort_keys=True)


def _findings(
    stale: list[LoadedRule],
    probes_of: dict[str, list[Probe]],
    plugins: CheckPlugins,
    organisation: Organisation,
    as_of: date,
    items: list[EvidenceItem],
    facts: list[dict[str, Any]],
) -> dict[str, list[Finding]]:
    matches = evaluate([probe for loaded in stale for probe in probes_of[loaded.rule.id]], facts)
    positions = positions_of(items)
    findings: dict[str, list[Finding]] = {}
    for loaded in stale:
        rule = loaded.rule
        prefix = f"{rule.id}:"
        context = CheckContext(
            rule=rule,
            as_of=as_of,
            organisation=organisation,
            items=items,
            facts=facts,
            positions=positions,
            matches={key: ids for key, ids in matches.items() if key.startswith(prefix)},
        )
        failures = plugins.checks.get(rule.check.kind).evaluate(context)
        findings[rule.id] = grade_failures(
            rule,
            loaded.pack,
            failures,
            population=len(context.selected),
            positions=positions,
            sites=organisation.sites,
        )
    return findings


#: What a rule that found nothing stores: its findings' content says so without decoding them.
_NOTHING = StoredFindings.of([]).content


def _report_findings(
    settings: str,
    by_rule: list[tuple[str, StoredFindings]],
    cache: ResultCache,
    full: bool,
    group_of: dict[str, str],
    same_as: dict[str, str],
) -> list[Finding]:
    """Every rule's findings, merged and sorted; as the last scan made them when every rule's are
    what they were (a rescan that changed a few files' bodies changes no finding) and so is the code
    that merges them (in ``settings``)."""
    # How rules are grouped into requirements changes the merge, not any rule's own findings.
    key = report_key(json.dumps([settings, group_of, same_as], sort_keys=True), by_rule)
    found = None if full else cache.report_findings(key)
    if found is None:
        given = [finding for _, stored in by_rule for finding in stored.findings]
        unchanged = {id(finding) for finding in given}
        merged = merge_findings(given, group_of, same_as)
        # Each rule's findings are stored in report order: only the rules' blocks are placed. A merged
        # finding is a new one, and may sort elsewhere (it takes the most severe grade of those merged):
        # it is placed by its own key.
        found = [finding for finding in merged if id(finding) in unchanged]
        found.sort(key=rule_block_key)
        for finding in merged:
            if id(finding) not in unchanged:
                bisect.insort(found, finding, key=finding_sort_key)
        cache.put_report_findings(key, found)
    return found


def run_check(
    collection: Collection, packs: LoadedPacks, plugins: CheckPlugins, organisation: Organisation, options: CheckOptions
) -> Report:
    # The collected evidence, the stored findings and summaries live through the stage, and it makes
    # millions of objects more, none in reference cycles (qmscheck.support.gcpause).
    with collector_paused():
        return _run_check(collection, packs, plugins, organisation, options)


def _run_check(
    collection: Collection, packs: LoadedPacks, plugins: CheckPlugins, organisation: Organisation, options: CheckOptions
) -> Report:
    rules = select_rules(packs, options)
    # What the scan understood counts every file read; the rules judge no blank copy of a form.
    understanding = understanding_of(collection)
    collection = without_form_copies(collection)
    organisation = with_stated_periods(organisation, collection)
    scope = applicability(
        organisation,
        rules,
        declared_exclusions(scope_documents(collection), {p.standard.name: p.standard.id for p in packs.packs}),
        excludable_of(packs.packs),
        packs.crosswalks,
    )
    # A rule judged against the organisation's own period runs with it, and only when it is stated.
    active = [
        replace(loaded, rule=with_stated_period(loaded.rule, organisation))
        for loaded in rules
        if loaded.rule.id not in scope.not_applicable_ids and unstated(loaded.rule, organisation) is None
    ]
    probes_of = {
        loaded.rule.id: plugins.checks.get(loaded.rule.check.kind).probes(loaded.rule, options.as_of)
        for loaded in active
    }
    settings = _settings(plugins, organisation, options)
    by_type = type_digests(collection.groups)
    digests = {
        loaded.rule.id: rule_digest(
            settings,
            _rule_json(loaded),
            (t for probe in probes_of[loaded.rule.id] for t in probe.types),
            by_type,
        )
        for loaded in active
    }
    cache = ResultCache(options.results)
    try:
        reused = {} if options.full else cache.get(digests)
        stale = [loaded for loaded in active if loaded.rule.id not in reused]
        evaluated = _evaluate(collection, stale, probes_of, plugins, organisation, options, settings, cache, digests)
        options.stats.update(rules_reused=len(reused), rules_evaluated=len(stale))
        cache.put((rule_id, digests[rule_id], found) for rule_id, found in evaluated.items())
        by_rule = [
            ("", StoredFindings.of(scope.findings)),
            *((loaded.rule.id, reused.get(loaded.rule.id) or evaluated[loaded.rule.id]) for loaded in active),
        ]
        group_of = {loaded.rule.id: group for loaded in active if (group := loaded.rule.requirement_group)}
        findings = _report_findings(settings, by_rule, cache, options.full, group_of, same_requirements(packs))
    finally:
        cache.close()
    types_of = {rule_id: sorted({t for probe in probes for t in probe.types}) for rule_id, probes in probes_of.items()}
    findings, verify_on_site = verify_elsewhere(findings, organisation.kept_elsewhere, types_of)
    asked = frozenset(loaded.rule.id for loaded in active if loaded.rule.when_absent == "request")
    findings = request_unestablished_absences(findings, understanding, asked)
    findings = note_unfilled_templates(
        findings, {loaded.rule.id: loaded.rule.select.types for loaded in active}, unfilled_templates(collection)
    )
    passed = passed_rules(
        ((loaded, stored.content == _NOTHING) for loaded, (_, stored) in zip(active, by_rule[1:], strict=True)),
        findings,
        types_of,
        EvidenceSeenBy(collection.groups),
    )
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
        evidence_count=collection.evidence_count,
        packs=pack_infos(packs, rule_counts),
        standards=standard_infos(packs, options.edition),
        rules_evaluated=len(active),
        findings=findings,
        not_applicable=scope.not_applicable,
        rules_passed=passed,
        rules_not_run=rules_not_run([*packs.rules, *packs.skipped], options, scope.not_applicable, organisation),
        manual_checks=[*manual_checks_for(bundled_manual_checks(), scope.not_applicable), *verify_on_site],
        warnings=[*collection.warnings, *(w for w in cache.warnings if w not in collection.warnings)],
        understanding=understanding,
        summary=summarise(findings),
    )


__all__ = ["CheckOptions", "NotApplicable", "run_check"]
