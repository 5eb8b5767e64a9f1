"""From a rule's failures to graded findings, the way a certification body grades.

- an isolated failure takes the rule's grade;
- missing evidence altogether takes ``absent_grade`` (or the rule's grade);
- when failures add up to the rule's ``systemic`` threshold, they become one major
  nonconformity citing every failing item (its statement names only the first few);
- a near miss (would fail within the warning window) is an observation.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from qmscheck.checking.primitives.base import label
from qmscheck.checking.rule_model import Rule
from qmscheck.model.evidence import EvidenceItem, natural_key
from qmscheck.model.grades import Grade
from qmscheck.model.groups import group_sort_key
from qmscheck.model.report import EvidenceRef, Finding
from qmscheck.model.verdicts import Cited, Failure

#: A systemic statement names this many instances; the evidence list still cites every one.
NAMED_INSTANCES = 10


def _label(cited: EvidenceItem | Cited) -> str:
    return cited.label if isinstance(cited, Cited) else label(cited)


def _refs(failures: list[Failure], positions: Mapping[str, int] | None) -> list[EvidenceRef]:
    seen: dict[str, EvidenceRef] = {}
    places: dict[str, tuple[str, int]] = {}
    for failure in failures:
        for item in failure.items:
            if item.id not in seen:
                # Not model_construct: its Python loop is slower than pydantic-core validating four strings.
                seen[item.id] = EvidenceRef(id=item.id, locator=item.locator, sha256=item.sha256, label=_label(item))
                if isinstance(item, Cited):
                    places[item.id] = (item.group, item.position)
    refs = list(seen.values())
    if len(refs) < 2:
        return refs
    if len(places) == len(seen):
        # The collection orders its groups by their keys (group_sort_key), and keeps each group's items as
        # they stand: one sort key per group, not per item, orders what a finding cites.
        group_keys = {group: group_sort_key(group) for group, _ in places.values()}
        return sorted(refs, key=lambda ref: (group_keys[places[ref.id][0]], places[ref.id][1]))
    if positions is not None and all(ref_id in positions for ref_id in seen):
        # The collection is in natural_key order, so its positions sort the same way for the price
        # of a dict lookup, and timsort is linear on failures that arrive in evidence order.
        return sorted(refs, key=lambda ref: positions[ref.id])
    return sorted(refs, key=lambda ref: natural_key(ref.id))


def _finding_id(rule: Rule, refs: list[EvidenceRef], absence: str | None) -> str:
    basis = "\n".join([rule.id, absence or "", *(ref.id for ref in refs)])
    return f"{rule.id}-{hashlib.sha256(basis.encode()).hexdigest()[:10]}"


def _statement(rule: Rule, failures: list[Failure], refs: list[EvidenceRef]) -> str:
    requirement = f"ISO 9001 {rule.clause} expects that {rule.requirement.rstrip('.')}."
    if len(failures) == 1 and failures[0].absence:
        return f"{requirement} Not met: {failures[0].absence}."
    if len(failures) == 1:
        seen = ", ".join(f"{ref.label} ({ref.locator})" for ref in refs)
        return f"{requirement} Evidence seen: {seen}. Not met: {failures[0].detail}."
    # Thousands of instances make a sentence nobody reads; the evidence list carries the rest.
    named, hidden = failures[:NAMED_INSTANCES], failures[NAMED_INSTANCES:]
    details = "; ".join(
        f"{', '.join(_label(item) for item in failure.items) or 'organisation'}: {failure.detail}" for failure in named
    )
    if hidden:
        details += f" … and {len(hidden):,} more instance{'s' if len(hidden) > 1 else ''}"
        if all(failure.items for failure in hidden):
            details += " (every one is cited in the evidence list)"
    return f"{requirement} {len(failures)} instances show a systemic breakdown: {details}."


def _finding(
    rule: Rule, pack: str, grade: Grade, failures: list[Failure], positions: Mapping[str, int] | None = None
) -> Finding:
    refs = _refs(failures, positions)
    # A finding is one of absence when everything it reports was not found (one missing record,
    # or a missing report for each of ten months): what the scan understood decides whether that
    # absence is established (qmscheck.checking.understanding).
    absences = [failure.absence for failure in failures]
    absence = "; ".join(dict.fromkeys(a for a in absences if a)) if all(absences) else None
    return Finding(
        id=_finding_id(rule, refs, absence),
        grade=grade,
        clause=rule.clause,
        rule_id=rule.id,
        title=rule.title,
        statement=_statement(rule, failures, refs),
        evidence=refs,
        absence=absence,
        why=rule.why.strip(),
        fix=rule.fix.strip(),
        pack=pack,
        stages=sorted(rule.stages),
    )


def grade_failures(
    rule: Rule, pack: str, failures: list[Failure], population: int, positions: Mapping[str, int] | None = None
) -> list[Finding]:
    """Findings of one rule, citing evidence in collection order (``positions``: item id -> index, as
    in ``CheckContext``), else in ``natural_key`` order of item ids.

    The collection orders files by the natural order of their paths, then a workbook's sheets and
    rows as they stand in it: what an auditor opening the files sees, and far cheaper than a
    natural key per cited item."""
    hard = [failure for failure in failures if not failure.near_miss]
    near = [failure for failure in failures if failure.near_miss]
    findings = [_finding(rule, pack, Grade.OBSERVATION, [failure], positions) for failure in near]
    systemic = rule.systemic
    if (
        systemic is not None
        and len(hard) >= systemic.min_failures
        and len(hard) / max(population, len(hard), 1) >= systemic.min_share
    ):
        return [*findings, _finding(rule, pack, Grade.MAJOR, hard, positions)]
    for failure in hard:
        grade = rule.absent_grade if failure.absence and rule.absent_grade else rule.grade
        findings.append(_finding(rule, pack, grade, [failure], positions))
    return findings
