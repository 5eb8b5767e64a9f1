"""Gap analysis: findings regrouped the way quality managers plan the work, not by clause number.

Every finding lands in exactly one *topic* group. The topics are named by ISO 9001's rule ids
and clauses, so only a finding of ISO 9001 is placed by them: by its rule id prefix (the
longest matching prefix wins, so ``NCR003`` can differ from ``NCR``), else by its clause
(the longest matching clause prefix wins). Rule packs from other plugins that cite ISO 9001 fall
back to the clause table, so they are grouped too. A finding of another standard (its 7.4 need
not be ISO 9001's 7.4), or one no topic matches, is under "Other findings". A finding whose
evidence is missing altogether (``absence``) is *also* listed under "Missing documents", unless
the absence is not established (an evidence request): that evidence may well exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from qmscheck.model.grades import Grade
from qmscheck.model.report import BASE_STANDARD, Finding


@dataclass(frozen=True)
class GapGroup:
    key: str
    title: str
    rule_prefixes: tuple[str, ...] = ()
    clause_prefixes: tuple[str, ...] = ()


MISSING_DOCUMENTS = GapGroup("missing-documents", "Missing documents")
OTHER = GapGroup("other", "Other findings")

#: The topic groups, in the order a quality manager works through them.
TOPIC_GROUPS: tuple[GapGroup, ...] = (
    GapGroup(
        "weak-records", "Weak records", rule_prefixes=("DOC", "CAL", "KNW"), clause_prefixes=("7.1.5", "7.1.6", "7.5")
    ),
    GapGroup(
        "unclear-responsibilities",
        "Unclear responsibilities",
        rule_prefixes=("POL", "OBJ002"),
        clause_prefixes=("5", "7.4"),
    ),
    GapGroup(
        "uncontrolled-processes",
        "Uncontrolled processes",
        rule_prefixes=("CTX", "SCP", "SCOPE", "OBJ", "CUS", "NCR003"),
        clause_prefixes=("4", "6", "7.1", "8", "9.1"),
    ),
    GapGroup("training-gaps", "Training gaps", rule_prefixes=("CMP",), clause_prefixes=("7.2", "7.3")),
    GapGroup("supplier-control-gaps", "Supplier control gaps", rule_prefixes=("SUP",), clause_prefixes=("8.4",)),
    GapGroup(
        "internal-audit-evidence", "Missing internal audit evidence", rule_prefixes=("AUD",), clause_prefixes=("9.2",)
    ),
    GapGroup(
        "management-review-evidence",
        "Missing management review evidence",
        rule_prefixes=("MRV",),
        clause_prefixes=("9.3",),
    ),
    GapGroup("corrective-action", "Corrective-action weaknesses", rule_prefixes=("NCR",), clause_prefixes=("10",)),
)

ALL_GROUPS: tuple[GapGroup, ...] = (MISSING_DOCUMENTS, *TOPIC_GROUPS, OTHER)


def _clause_matches(clause: str, prefix: str) -> bool:
    return clause == prefix or clause.startswith(prefix + ".")


def _rule_matches(rule_id: str, prefix: str) -> bool:
    """A rule id, or the whole letter prefix of one: 'CMP' is CMP001's, not CMPL001's (another pack's)."""
    return rule_id == prefix or (rule_id.startswith(prefix) and rule_id[len(prefix) : len(prefix) + 1].isdigit())


def topic_group(finding: Finding) -> GapGroup:
    if finding.standard != BASE_STANDARD:
        return OTHER
    by_rule = [(len(p), g) for g in TOPIC_GROUPS for p in g.rule_prefixes if _rule_matches(finding.rule_id, p)]
    if by_rule:
        return max(by_rule, key=lambda pair: pair[0])[1]
    by_clause = [(len(p), g) for g in TOPIC_GROUPS for p in g.clause_prefixes if _clause_matches(finding.clause, p)]
    if by_clause:
        return max(by_clause, key=lambda pair: pair[0])[1]
    return OTHER


def groups_of(finding: Finding) -> list[GapGroup]:
    topic = topic_group(finding)
    return [MISSING_DOCUMENTS, topic] if finding.absence and finding.grade is not Grade.REQUEST else [topic]


def gap_analysis(findings: list[Finding]) -> list[tuple[GapGroup, list[Finding]]]:
    """Every group in :data:`ALL_GROUPS` order (empty ones too: "no finding" is news), findings kept in order."""
    members: dict[str, list[Finding]] = {group.key: [] for group in ALL_GROUPS}
    for finding in findings:
        for group in groups_of(finding):
            members[group.key].append(finding)
    return [(group, members[group.key]) for group in ALL_GROUPS]
