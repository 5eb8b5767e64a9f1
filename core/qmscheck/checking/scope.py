"""Scope exclusions: which requirements the organisation declared not applicable, and whether it may.

ISO 9001 lets an organisation declare a requirement not applicable only when it does not
affect its ability to provide conforming products and services, and it must say why. In
practice certification bodies accept only a few clause 8 requirements: design and
development, identification and traceability where no customer or law asks for it, property
of customers or providers when none is held, and post-delivery activities when there are none.
A justified, allowed exclusion turns the rules under it into "not applicable"; any other
exclusion is itself a finding and the rules still run.

What may be excluded, how long a justification must be, and every word of the finding come
from rule SCOPE001 of the base pack (``rules/iso9001/4.3.toml``), so ``qmscheck rules explain
SCOPE001`` shows what this module applies. The exclusions are judged here, once per scan and
before any rule runs, because they decide which rules run; the rule's own check, the built-in
kind ``exclusions`` (:class:`Exclusions`), therefore finds nothing when the rules run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache

from qmscheck.checking.engine import Probe
from qmscheck.checking.packs import LoadedRule, RulePack, load_packs, rules_root
from qmscheck.checking.primitives.base import CheckContext
from qmscheck.checking.rule_model import SCOPE_RULE_ID, ExclusionsCheck, Rule
from qmscheck.model.evidence import Exclusion, Organisation
from qmscheck.model.report import Finding, NotApplicable
from qmscheck.model.verdicts import Failure

BASE_PACK = "iso9001"


@dataclass
class Applicability:
    not_applicable: list[NotApplicable] = field(default_factory=list)
    not_applicable_ids: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)


@cache
def scope_rule() -> LoadedRule:
    """SCOPE001 as the bundled base pack declares it: the scope step applies it whatever packs run."""
    rules = load_packs([RulePack(name=BASE_PACK, version="bundled", path=rules_root() / BASE_PACK)]).rules
    return next(loaded for loaded in rules if loaded.rule.id == SCOPE_RULE_ID)


def _params(rule: Rule) -> ExclusionsCheck:
    assert isinstance(rule.check, ExclusionsCheck)
    return rule.check


def _under(clause: str, excluded: str) -> bool:
    return clause == excluded or clause.startswith(excluded + ".")


def _excludable(params: ExclusionsCheck, clause: str) -> bool:
    return any(_under(clause, allowed) for allowed in params.excludable)


def _invalid(params: ExclusionsCheck, exclusion: Exclusion) -> str | None:
    if not _excludable(params, exclusion.clause):
        allowed = ", ".join(params.excludable)
        return (
            f"clause {exclusion.clause} cannot be declared not applicable: it bears on product and service "
            f"conformity (only {allowed} can be, when they do not apply)"
        )
    if len(exclusion.justification.strip()) < params.min_justification:
        return f"the exclusion of clause {exclusion.clause} has no adequate justification"
    return None


def _finding(loaded: LoadedRule, exclusion: Exclusion, problem: str) -> Finding:
    rule = loaded.rule
    params = _params(rule)
    return Finding(
        id=f"SCOPE-{exclusion.clause}",
        grade=rule.grade if _excludable(params, exclusion.clause) else params.disallowed_grade,
        clause=rule.clause,
        rule_id=rule.id,
        title=rule.title,
        statement=f"ISO 9001 {rule.clause} expects that {rule.requirement.rstrip('.')}. Not met: {problem}.",
        absence=None,
        why=" ".join(rule.why.split()),
        fix=" ".join(rule.fix.split()),
        pack=loaded.pack.name,
        stages=sorted(rule.stages),
    )


def applicability(organisation: Organisation, rules: list[LoadedRule]) -> Applicability:
    result = Applicability()
    scope = scope_rule()
    params = _params(scope.rule)
    for exclusion in sorted(organisation.exclusions, key=lambda e: e.clause):
        problem = _invalid(params, exclusion)
        if problem:
            result.findings.append(_finding(scope, exclusion, problem))
            continue
        ids = sorted(loaded.rule.id for loaded in rules if _under(loaded.rule.clause, exclusion.clause))
        result.not_applicable.append(
            NotApplicable(clause=exclusion.clause, justification=exclusion.justification, rule_ids=ids)
        )
        result.not_applicable_ids.update(ids)
    return result


class Exclusions:
    """The check of kind ``exclusions``: SCOPE001's, judged by :func:`applicability` before the rules
    run (see the module docstring), so it reads no evidence and finds nothing itself."""

    kind = "exclusions"
    description = "The organisation's declared exclusions are allowed and justified (judged by the scope step)."

    def probes(self, rule: Rule, as_of: date) -> list[Probe]:
        return []

    def evaluate(self, ctx: CheckContext) -> list[Failure]:
        return []
