"""What a report says of the rules that found nothing: those that ran and passed, with the evidence
they read, and those that did not run, with the reason.

A passed rule's evidence is worked out from the collection each scan, never from stored
findings: the evidence types its probes select, the files holding them, their items and the
first few files. A rescan that reuses every stored finding therefore reports exactly what a full
scan does; and files are counted as files, so how a large register was divided into parts (each
a group of its own) changes nothing. Everything comes from each group's metadata, so nothing is
decoded: that is why ``items`` counts every item of the files read, not only those of the
rule's types (telling them apart in a workbook of several registers would mean decoding it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from qmscheck.checking.packs import LoadedRule, chosen
from qmscheck.checking.parameters import unstated
from qmscheck.model.evidence import Organisation
from qmscheck.model.groups import PART_MARK, EvidenceGroup, group_order
from qmscheck.model.report import (
    SAMPLE_FILES,
    EvidenceSeen,
    Finding,
    NotApplicable,
    PassedRule,
    RuleNotRun,
    clause_key,
)


class EvidenceSeenBy:
    """The evidence a rule of given types reads, from one scan's groups (kept in evidence order)."""

    def __init__(self, groups: Sequence[EvidenceGroup]) -> None:
        # Each group's rank in evidence order, worked out once: a rule's files are then sorted as numbers.
        self._groups = sorted(groups, key=group_order)
        self._by_type: dict[str, list[int]] = {}
        for rank, group in enumerate(self._groups):
            for evidence_type in group.types:
                self._by_type.setdefault(evidence_type, []).append(rank)

    def of(self, types: Iterable[str]) -> EvidenceSeen:
        wanted = frozenset(types)
        ranks = sorted({rank for t in wanted for rank in self._by_type.get(t, ())})
        files: list[str] = []
        for rank in ranks:
            file_key = self._groups[rank].key.partition(PART_MARK)[0]
            if not files or files[-1] != file_key:
                files.append(file_key)
        return EvidenceSeen(
            types=sorted(wanted),
            files=len(files),
            items=sum(self._groups[rank].count for rank in ranks),
            sample=files[:SAMPLE_FILES],
        )


def passed_rules(
    ran: Iterable[tuple[LoadedRule, bool]],
    findings: Iterable[Finding],
    types_of: dict[str, list[str]],
    seen: EvidenceSeenBy,
) -> list[PassedRule]:
    """``ran``: each rule that ran, and whether it found nothing itself. A rule whose judgement the
    scan reports as findings of its own (the scope rule) has not passed."""
    reported = {finding.rule_id for finding in findings}
    passed = [
        PassedRule(
            rule_id=loaded.rule.id,
            standard=loaded.standard.id,
            clause=loaded.rule.clause,
            title=loaded.rule.title,
            pack=loaded.pack.name,
            evidence=seen.of(types_of[loaded.rule.id]),
        )
        for loaded, clean in ran
        if clean and loaded.rule.id not in reported
    ]
    return sorted(passed, key=lambda rule: (clause_key(rule.clause), rule.rule_id))


def _reason(loaded: LoadedRule, options: RuleChoice, excluded: dict[str, NotApplicable]) -> str | None:
    rule = loaded.rule
    stage, edition = options.stage, options.edition
    skipped = next((overlay for overlay in loaded.overlays if overlay.change == "skipped"), None)
    if skipped is not None:
        return f"skipped by pack {skipped.pack}: {' '.join(skipped.reason.split())}"
    if rule.status == "deprecated":
        return "deprecated"
    if not chosen(loaded, options.select, options.ignore):
        return "not selected for this scan (--select, --ignore)"
    if not loaded.applies_to(edition):
        return f"not in {loaded.standard.name}:{loaded.edition(edition)}"
    if stage not in rule.stages:
        return "stage " + " and ".join(str(s) for s in rule.stages) + " only"
    if rule.id in excluded:
        return f"not applicable: clause {excluded[rule.id].clause} declared not applicable"
    return None


class RuleChoice(Protocol):
    """What of the scan's options decides whether a rule runs."""

    stage: int
    edition: str
    select: tuple[str, ...]
    ignore: tuple[str, ...]


def rules_not_run(
    rules: Iterable[LoadedRule],
    options: RuleChoice,
    not_applicable: Iterable[NotApplicable],
    organisation: Organisation,
) -> list[RuleNotRun]:
    excluded = {rule_id: entry for entry in not_applicable for rule_id in entry.rule_ids}
    not_run = []
    for loaded in rules:
        reason = _reason(loaded, options, excluded) or unstated(loaded.rule, organisation)
        if reason is not None:
            rule = loaded.rule
            not_run.append(
                RuleNotRun(
                    rule_id=rule.id,
                    standard=loaded.standard.id,
                    clause=rule.clause,
                    title=rule.title,
                    pack=loaded.pack.name,
                    reason=reason,
                )
            )
    return sorted(not_run, key=lambda rule: (clause_key(rule.clause), rule.rule_id))
