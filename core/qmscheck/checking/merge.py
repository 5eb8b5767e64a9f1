"""One gap, one finding: rules that fault the same evidence under the same clause are merged.

Packs overlap by design: an ERP pack judges suppliers that the base pack judges too, and
two base rules may fault the same suppliers (never evaluated, not approved). An auditor
writes one nonconformity for it, citing every requirement missed, so the report does
the same:

- findings of different rules under one clause citing the same evidence are one finding;
- a finding whose evidence is all cited by another finding of the clause folds into it (one rule
  faults rows 4 and 9 of a register, a sister rule row 4 alone);
- findings of absence under one clause that say the same thing is missing are one finding.

A requirement stated in two clauses joins them: rules that share a ``requirement_group`` (8.7 and
10.2.1 a both ask that a nonconformity is corrected) merge as if under one clause. Clauses are of a
standard: 8.2.3 of ISO 9001 and 8.2.3 of ISO 13485 are different requirements, and join only where
a pack's crosswalk says a clause of one states the same requirement as a clause of the other
(``same_as``: ``"iso13485:7.4.1"`` -> ``"iso9001:8.4.1"``).

The merged finding keeps the widest evidence and the most severe grade; the others' rule ids go
to ``also_reported_by``, and their titles and what each found not met to the statement, so that no
fact of a merged finding is lost.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from qmscheck.checking.grading import OWN_REQUIREMENT
from qmscheck.model.grades import Grade
from qmscheck.model.report import Finding, finding_sort_key


def _not_met(finding: Finding, host: Finding) -> str:
    """What the finding's statement says was not met ('Not met: ...' or 'Not met by 3 of 14 ...'),
    unless it is the absence the host already states."""
    if finding.absence and finding.absence == host.absence:
        return ""
    requirement, marker, rest = finding.statement.partition(" Not met")
    # Against the organisation's own procedure, the merged finding keeps what the procedure says.
    own = requirement.split(" Evidence seen: ", 1)[0].rstrip(".")
    said = f" ({own})" if own.startswith(OWN_REQUIREMENT) else ""
    return f"{said} - not met{rest.rstrip('.')}" if marker else said


def _lead_order(finding: Finding) -> tuple[int, str]:
    return finding.grade.severity, finding.rule_id


def _evidence(finding: Finding) -> frozenset[str]:
    return frozenset(ref.id for ref in finding.evidence)


def _clause(finding: Finding, same_as: Mapping[str, str]) -> str:
    qualified = f"{finding.standard}:{finding.clause}"
    return same_as.get(qualified, qualified)


def _groups(findings: list[Finding], group_of: Mapping[str, str], same_as: Mapping[str, str]) -> list[list[Finding]]:
    """Findings that report one gap: per clause (or requirement group), each finding joins the widest
    finding whose evidence holds all of its own (equal sets included); absences join by what is absent."""
    by_clause: dict[str, list[Finding]] = defaultdict(list)
    # A group holds its rules' clauses too: another pack's rule of one of them is judged with the group.
    clause_group: dict[str, str] = {}
    for finding in findings:
        if finding.rule_id in group_of:
            clause_group.setdefault(_clause(finding, same_as), group_of[finding.rule_id])
    for finding in findings:
        # A request claims nothing: it is asked on its own, and is never the host of a nonconformity.
        if finding.grade is not Grade.REQUEST:
            clause = _clause(finding, same_as)
            key = group_of.get(finding.rule_id) or clause_group.get(clause, clause)
            by_clause[key].append(finding)
    named = set(group_of.values())
    groups: list[list[Finding]] = []
    for key, clause_findings in by_clause.items():
        if len(clause_findings) < 2:
            continue
        absent: dict[str, list[Finding]] = defaultdict(list)
        cited = []
        for finding in clause_findings:
            if finding.evidence:
                cited.append(finding)
            elif finding.absence:
                absent[finding.absence].append(finding)
        # Widest first: a finding joins the first (widest) finding holding its evidence.
        cited.sort(key=lambda f: (-len(f.evidence), *_lead_order(f), finding_sort_key(f)))
        hosts: list[tuple[frozenset[str], list[Finding]]] = []
        for finding in cited:
            mine = _evidence(finding)
            host = next((group for ids, group in hosts if mine <= ids), None)
            if host is None:
                hosts.append((mine, [finding]))
            else:
                host.append(finding)
        if key in named and absent:
            # Rules declared one requirement: what one finds missing is part of the gap another cites
            # (no audit report, and every planned audit postponed, is one nonconformity).
            missing = [finding for found in absent.values() for finding in found]
            if hosts:
                hosts[0][1].extend(missing)
            elif len(missing) > 1:
                groups.append(missing)
        else:
            groups += [group for group in absent.values() if len(group) > 1]
        groups += [group for _, group in hosts if len(group) > 1]
    return groups


def merge_findings(
    findings: list[Finding], group_of: Mapping[str, str] | None = None, same_as: Mapping[str, str] | None = None
) -> list[Finding]:
    """The findings in the order given, each merged group standing where its host stood (the finding
    citing the most evidence; the most severe when they cite the same): findings given in report
    order stay in it. ``group_of`` maps a rule id to its requirement group, where it has one."""
    replaced: dict[int, Finding | None] = {}  # by id(): findings are not hashable, and each stands once
    for group in _groups(findings, group_of or {}, same_as or {}):
        host = group[0] if group[0].evidence else min(group, key=lambda f: (*_lead_order(f), finding_sort_key(f)))
        if group[0].evidence:
            widest = [f for f in group if len(f.evidence) == len(host.evidence)]
            host = min(widest, key=lambda f: (*_lead_order(f), finding_sort_key(f)))
        others = [f for f in group if f is not host]
        others.sort(key=lambda f: (*_lead_order(f), finding_sort_key(f)))
        # An absence folded into a cited gap does not raise its grade: whether the absence is established
        # is judged later (checking.understanding), and the gap's own extent grades it.
        graded = [f for f in group if f.evidence] or group
        grade = min((f.grade for f in graded), key=lambda g: g.severity)
        gaps = " ".join(f"Also ({f.rule_id}): {f.title.rstrip('.')}{_not_met(f, host)}." for f in others)
        # A shallow copy: findings are not changed once made, so the host's lists can be shared.
        replaced[id(host)] = host.model_copy(
            update={
                "grade": grade,
                "also_reported_by": sorted({f.rule_id for f in others} - {host.rule_id}),
                "statement": f"{host.statement} {gaps}",
                "instances": [*host.instances, *(instance for f in others for instance in f.instances)],
            }
        )
        replaced.update((id(other), None) for other in others)
    if not replaced:
        return list(findings)
    return [kept for finding in findings if (kept := replaced.get(id(finding), finding)) is not None]
