"""One gap, one finding: rules that fault the same evidence under the same clause are merged.

Packs overlap by design: an ERP pack judges suppliers that the base pack judges too, and
two base rules may fault the same supplier (never evaluated, not approved). An auditor
writes one nonconformity for it, citing every requirement missed, so the report does
the same: the most severe finding stays, the others' rule ids and gaps are folded in.
Findings about an absence (no evidence cited) are never merged: there is nothing to
show they concern the same thing.
"""

from __future__ import annotations

from collections import defaultdict

from qmscheck.model.report import Finding, finding_sort_key

MergeKey = tuple[str, tuple[str, ...]]


def _key(finding: Finding) -> MergeKey | None:
    evidence = finding.evidence
    if not evidence:
        return None
    if len(evidence) == 1:  # most findings: no generator, no sort
        return finding.clause, (evidence[0].id,)
    return finding.clause, tuple(sorted(ref.id for ref in evidence))


def _lead_order(finding: Finding) -> tuple[int, str]:
    return finding.grade.severity, finding.rule_id


def merge_findings(findings: list[Finding]) -> list[Finding]:
    """The findings in the order given, each merged group standing where its lead stood: findings
    given in report order stay in it (the lead's sort key is its own)."""
    groups: dict[MergeKey, list[Finding]] = defaultdict(list)
    for finding in findings:
        key = _key(finding)
        if key is not None:
            groups[key].append(finding)
    # By id(): findings are not hashable, and each stands once in the list.
    replaced: dict[int, Finding | None] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        group.sort(key=_lead_order)
        if _lead_order(group[0]) == _lead_order(group[1]):
            # The rest of the report's order breaks a tie (one rule failing the same items twice):
            # the lead does not depend on the order given. The others' order shows only their rule.
            group.sort(key=lambda f: (*_lead_order(f), finding_sort_key(f)))
        lead, others = group[0], group[1:]
        gaps = " ".join(f"Also ({f.rule_id}): {f.title.rstrip('.')}." for f in others)
        # A shallow copy: findings are not changed once made, so the lead's lists can be shared.
        replaced[id(lead)] = lead.model_copy(
            update={"also_reported_by": sorted({f.rule_id for f in others}), "statement": f"{lead.statement} {gaps}"}
        )
        replaced.update((id(other), None) for other in others)
    if not replaced:
        return list(findings)
    return [kept for finding in findings if (kept := replaced.get(id(finding), finding)) is not None]
