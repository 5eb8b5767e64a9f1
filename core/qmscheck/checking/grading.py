"""From a rule's failures to graded findings, the way a certification body grades: from the
extent of the failure, not from the rule (``docs/grading.md`` states the policy with examples).

- Failures of one requirement in one context (one register, or the set of documents the rule
  reads) are one finding citing every instance, with the count in its statement.
- Good practice is advice: every finding of a good-practice rule takes its grade (observation or OFI).
- A requirement wholly absent (nothing of the kind at all) is a major nonconformity.
- Failing instances that are both several (``min_failures``) and a real share (``min_share``) of
  the population are a breakdown: one major. Fewer are an isolated lapse: a minor.
- Near misses (failing within the warning window) are an observation, one per context.
- A rule departs from this only with an override and a reason (``grade_reason``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence

from qmscheck.checking.manifest import Standard
from qmscheck.checking.packs import RulePack
from qmscheck.checking.phrases import article
from qmscheck.checking.primitives.base import label
from qmscheck.checking.rule_model import Rule
from qmscheck.model.evidence import EvidenceItem, natural_key
from qmscheck.model.grades import Grade
from qmscheck.model.groups import group_sort_key
from qmscheck.model.report import EvidenceRef, Finding, Instance, InstanceValue
from qmscheck.model.verdicts import Cited, Failure

#: How a statement against the organisation's own documented information begins.
OWN_REQUIREMENT = "The organisation's own documented information expects"
#: A statement names this many instances; the evidence list still cites every one.
NAMED_INSTANCES = 10
#: The end of a locator naming a row of a register with no sheets (a CSV file, a markdown table).
_ROW = re.compile(r" row \d+$")


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


def _plural(noun: str, count: int) -> str:
    if count == 1:
        return noun
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun if noun.endswith("s") else noun + "s"


def _population(rule: Rule, count: int) -> str:
    """'14 training records': the items a rule checked, in its evidence types' words."""
    words = " or ".join(_plural(kind.replace("_", " "), count) for kind in rule.select.types)
    return f"{count} {words}"


def _extent(failures: list[Failure], population: int) -> tuple[int, int]:
    """Failing instances and the population they are a share of. An absence (a missing period, an
    uncovered process) is not among the selected items, so it adds to the population."""
    count = len(failures)
    absent = sum(1 for failure in failures if not failure.items)
    return count, max(population + absent, count)


def _statement(
    rule: Rule, standard: Standard, failures: list[Failure], refs: list[EvidenceRef], population: int
) -> str:
    requirement = f"{standard.cite(rule.clause)} expects that {rule.requirement.rstrip('.')}."
    if rule.source == "organisation":
        requirement = f"{OWN_REQUIREMENT} that {rule.requirement.rstrip('.')}."
    if len(failures) == 1 and failures[0].absence:
        return f"{requirement} Not met: {failures[0].absence}."
    if len(failures) == 1:
        seen = ", ".join(f"{ref.label} ({ref.locator})" for ref in refs)
        share = f" 1 of {_population(rule, population)} checked." if population > 1 else ""
        return f"{requirement} Evidence seen: {seen}. Not met: {failures[0].detail}.{share}"
    count, whole = _extent(failures, population)
    # Thousands of instances make a sentence nobody reads; the evidence list carries the rest.
    named, hidden = failures[:NAMED_INSTANCES], failures[NAMED_INSTANCES:]
    details = "; ".join(
        f"{', '.join(_label(item) for item in failure.items) or 'organisation'}: {failure.detail}" for failure in named
    )
    if hidden:
        details += f" … and {len(hidden):,} more instance{'s' if len(hidden) > 1 else ''}"
        if all(failure.items for failure in hidden):
            details += " (every one is cited in the evidence list)"
    if all(not failure.items for failure in failures):  # missing periods, uncovered processes
        return f"{requirement} Not met in {count} of {whole} instances checked: {details}."
    return f"{requirement} Not met by {count} of {_population(rule, whole)}: {details}."


def fingerprint(standard: str, rule_id: str, *context: str) -> str:
    """What stays the same of a finding while its requirement fails in the same place: the
    requirement (standard and rule) and the context (a register file, the documents, a site), never
    the bytes or the list of what it cites, so that fixing one of many lapses or editing a cited
    file leaves its identity, and a scan-to-scan diff can follow it."""
    basis = "\n".join([standard, rule_id, *context])
    return f"{rule_id}-{hashlib.sha256(basis.encode()).hexdigest()[:12]}"


def _finding(
    rule: Rule,
    pack: RulePack,
    grade: Grade,
    failures: list[Failure],
    population: int,
    positions: Mapping[str, int] | None = None,
    context: tuple[str, ...] = (),
) -> Finding:
    refs = _refs(failures, positions)
    # A finding is one of absence when everything it reports was not found (one missing record,
    # or a missing report for each of ten months): what the scan understood decides whether that
    # absence is established (qmscheck.checking.understanding).
    absences = [failure.absence for failure in failures]
    absence = "; ".join(dict.fromkeys(a for a in absences if a)) if all(absences) else None
    failing, whole = _extent(failures, population)
    return Finding(
        id=_finding_id(rule, refs, absence),
        fingerprint=fingerprint(pack.standard.id, rule.id, *context),
        grade=grade,
        clause=rule.clause,
        rule_id=rule.id,
        title=rule.title,
        statement=_statement(rule, pack.standard, failures, refs, population),
        evidence=refs,
        absence=absence,
        why=rule.why.strip(),
        fix=rule.fix.strip(),
        pack=pack.name,
        standard=pack.standard.id,
        stages=sorted(rule.stages),
        population=whole,
        failing=failing,
        instances=[_instance(rule, failure) for failure in failures],
    )


def _unestablished(
    rule: Rule, pack: RulePack, failure: Failure, population: int, positions: Mapping[str, int] | None
) -> Finding:
    """A requirement a register could not be judged on: what it needs is in no column understood.
    Were it truly not recorded in any row, that would be a breakdown, so the request says major."""
    register, site = _context(failure)
    finding = _finding(
        rule, pack, Grade.REQUEST, [failure], population, positions, ("request", register, site or "", failure.detail)
    )
    would_be = rule.advice or Grade.MAJOR
    where = ", ".join(_ROW.sub("", ref.locator) for ref in finding.evidence)
    statement = (
        f"{finding.statement.split(' Evidence seen: ', 1)[0]} Not established in the register of {where}: "
        f"{failure.detail}. Show the auditor where this is recorded, or name the column in a [[classify]] entry of "
        f"qmscheck.toml. If it is not recorded at all, this is {article(would_be.label.lower())}."
    )
    return finding.model_copy(update={"statement": statement, "id": f"{finding.id}-request"})


def _instance(rule: Rule, failure: Failure) -> Instance:
    return Instance(
        rule_id=rule.id,
        evidence=[item.id for item in failure.items],
        detail=failure.detail,
        values=[InstanceValue(field=v.field, value=v.value, days_past=v.days_past) for v in failure.values],
    )


def _site(failure: Failure) -> str | None:
    return failure.items[0].site if failure.items else None


def _context(failure: Failure) -> tuple[str, str | None]:
    """Where a failure is, as an auditor writes one nonconformity per place: the register file of a
    row, or, for whole documents and absences, the rule's population as a whole (''); and the site
    the evidence names, when it names one."""
    if not failure.items:
        return "", None
    locator = failure.items[0].locator
    register, sheet, _ = locator.partition(" [")
    if sheet:
        return register, _site(failure)
    match = _ROW.search(locator)
    return (locator[: match.start()] if match else ""), _site(failure)


def _at_site(finding: Finding, site: str | None, everywhere: Sequence[str]) -> Finding:
    """The finding as one site's: its statement names the site; a requirement failing at every site
    of the organisation is a breakdown of the system, graded major whatever the share at each."""
    if site is None:
        return finding
    statement = finding.statement.replace(" Not met", f" At site {site}: not met", 1)
    update: dict[str, object] = {"statement": statement}
    if everywhere and finding.grade is Grade.MINOR:
        update["grade"] = Grade.MAJOR
        update["statement"] = (
            f"{statement} It fails at every site ({', '.join(everywhere)}): a breakdown of the system, not a "
            "local lapse."
        )
    return finding.model_copy(update=update)


def grade(rule: Rule, failures: list[Failure], population: int) -> Grade:
    """The grade of one requirement's failures in one context (see the module docstring)."""
    if rule.advice is not None:
        return rule.advice
    if population == 0 and all(failure.absence for failure in failures):
        return rule.absent_grade or Grade.MAJOR  # nothing of the kind at all: wholly absent
    count, whole = _extent(failures, population)
    thresholds = rule.thresholds
    if count >= thresholds.min_failures and count / whole >= thresholds.min_share:
        return Grade.MAJOR
    return rule.grade


def grade_failures(
    rule: Rule,
    pack: RulePack,
    failures: list[Failure],
    population: int,
    positions: Mapping[str, int] | None = None,
    sites: Sequence[str] = (),
) -> list[Finding]:
    """Findings of one rule, citing evidence in collection order (``positions``: item id -> index, as
    in ``CheckContext``), else in ``natural_key`` order of item ids. Failures of evidence that names
    a site are one finding per site; with ``sites`` (the organisation's, two or more), a requirement
    failing at every one of them is major at each.

    The collection orders files by the natural order of their paths, then a workbook's sheets and
    rows as they stand in it: what an auditor opening the files sees, and far cheaper than a
    natural key per cited item."""
    near_grade = rule.advice or Grade.OBSERVATION
    # Near misses are one observation per context too: "2 of 41 instruments fall due within 30 days".
    near: dict[tuple[str, str | None], list[Failure]] = {}
    for failure in failures:
        if failure.near_miss:
            near.setdefault(_context(failure), []).append(failure)
    findings = [
        _at_site(
            _finding(rule, pack, near_grade, found, population, positions, ("near", register, site or "")), site, []
        )
        for (register, site), found in near.items()
    ]
    findings += [
        _unestablished(rule, pack, failure, population, positions) for failure in failures if failure.unestablished
    ]
    contexts: dict[tuple[str, str | None], list[Failure]] = {}
    for failure in failures:
        if not failure.near_miss and not failure.unestablished:
            contexts.setdefault(_context(failure), []).append(failure)
    failing_sites = {site for _, site in contexts if site is not None}
    everywhere = sorted(sites) if len(set(sites)) > 1 and rule.advice is None and set(sites) <= failing_sites else []
    for (register, site), found in contexts.items():
        finding = _finding(
            rule, pack, grade(rule, found, population), found, population, positions, ("", register, site or "")
        )
        findings.append(_at_site(finding, site, everywhere))
    return findings
