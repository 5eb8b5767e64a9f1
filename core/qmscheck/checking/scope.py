"""Scope exclusions: which requirements the organisation declared not applicable, and whether it may.

ISO 9001 lets an organisation declare a requirement not applicable only when it does not
affect its ability to provide conforming products and services, and it must say why. In
practice certification bodies accept only a few clause 8 requirements: design and
development (8.3), identification and traceability where no customer or law asks for
it (8.5.2), property of customers or providers when none is held (8.5.3) and
post-delivery activities when there are none (8.5.5). Planning, requirements,
purchasing, production, release and nonconforming outputs always bear on conformity.
A justified, allowed exclusion turns the rules under it into "not applicable"; any
other exclusion is itself a finding and the rules still run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qmscheck.checking.packs import LoadedRule
from qmscheck.model.evidence import Exclusion, Organisation
from qmscheck.model.grades import Grade
from qmscheck.model.report import Finding, NotApplicable

EXCLUDABLE_CLAUSES = ("8.3", "8.5.2", "8.5.3", "8.5.5")
MIN_JUSTIFICATION = 20


@dataclass
class Applicability:
    not_applicable: list[NotApplicable] = field(default_factory=list)
    not_applicable_ids: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


def _under(clause: str, excluded: str) -> bool:
    return clause == excluded or clause.startswith(excluded + ".")


def _excludable(clause: str) -> bool:
    return any(_under(clause, allowed) for allowed in EXCLUDABLE_CLAUSES)


def _invalid(exclusion: Exclusion) -> str | None:
    if not _excludable(exclusion.clause):
        allowed = ", ".join(EXCLUDABLE_CLAUSES)
        return (
            f"clause {exclusion.clause} cannot be declared not applicable: it bears on product and service "
            f"conformity (only {allowed} can be, when they do not apply)"
        )
    if len(exclusion.justification.strip()) < MIN_JUSTIFICATION:
        return f"the exclusion of clause {exclusion.clause} has no adequate justification"
    return None


def _finding(exclusion: Exclusion, problem: str) -> Finding:
    return Finding(
        id=f"SCOPE-{exclusion.clause}",
        grade=Grade.MINOR if _excludable(exclusion.clause) else Grade.MAJOR,
        clause="4.3",
        rule_id="SCOPE001",
        title="Exclusions from the QMS scope are allowed and justified",
        statement=(
            "ISO 9001 4.3 expects that a requirement is declared not applicable only when it cannot affect "
            f"product or service conformity, with a justification. Not met: {problem}."
        ),
        absence=None,
        why="An unjustified or disallowed exclusion lets a requirement that matters go unchecked; "
        "certification bodies will not accept it in the certificate scope.",
        fix="Remove the exclusion, or limit it to a clause 8 requirement and state in the scope "
        "document why it cannot affect conformity.",
        pack="qmscheck",
        stages=[1, 2],
    )


def applicability(organisation: Organisation, rules: list[LoadedRule]) -> Applicability:
    result = Applicability()
    for exclusion in sorted(organisation.exclusions, key=lambda e: e.clause):
        problem = _invalid(exclusion)
        if problem:
            result.findings.append(_finding(exclusion, problem))
            continue
        ids = sorted(loaded.rule.id for loaded in rules if _under(loaded.rule.clause, exclusion.clause))
        result.not_applicable.append(
            NotApplicable(clause=exclusion.clause, justification=exclusion.justification, rule_ids=ids)
        )
        result.not_applicable_ids.update(ids)
    return result
