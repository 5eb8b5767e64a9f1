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

from qmscheck.report import Finding

MergeKey = tuple[str, tuple[str, ...]]


def _key(finding: Finding) -> MergeKey | None:
    if not finding.evidence:
        return None
    return finding.clause, tuple(sorted(ref.id for ref in finding.evidence))


def merge_findings(findings: list[Finding]) -> list[Finding]:
    groups: dict[MergeKey, list[Finding]] = defaultdict(list)
    merged: list[Finding] = []
    for finding in findings:
        key = _key(finding)
        if key is None:
            merged.append(finding)
        else:
            groups[key].append(finding)
    for group in groups.values():
        group.sort(key=lambda f: (f.grade.severity, f.rule_id))
        lead, others = group[0], group[1:]
        if others:
            gaps = " ".join(f"Also ({f.rule_id}): {f.title.rstrip('.')}." for f in others)
            # A shallow copy: findings are not changed once made, so the lead's lists can be shared.
            lead = lead.model_copy(update={"also_reported_by": sorted({f.rule_id for f in others}),
                                           "statement": f"{lead.statement} {gaps}"})
        merged.append(lead)
    return merged
