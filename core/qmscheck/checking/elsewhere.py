"""Records the organisation keeps outside the scanned sources: to verify on site, never absent.

An organisation may keep its training records in an HR system or its nonconformities in an issue
tracker that no connector reads. Declared in ``qmscheck.toml`` (``[[kept_elsewhere]]``, with where
they are), a finding that such records are missing would be false: the scan never looked there.
So each finding of absence whose rule selects a type kept elsewhere leaves the findings and
becomes a manual check that names the place, what to ask and what to look at. Findings about
records the scan did read (a row that fails) stand: the organisation chose to keep those here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from qmscheck.model.evidence import KeptElsewhere
from qmscheck.model.report import Finding, ManualCheck

__all__ = ["verify_elsewhere"]


def _type_words(evidence_type: str) -> str:
    return evidence_type.replace("_", " ")


def verify_elsewhere(
    findings: list[Finding], kept: Sequence[KeptElsewhere], types_of: Mapping[str, Iterable[str]]
) -> tuple[list[Finding], list[ManualCheck]]:
    """The findings that stand, and a manual check for each absence of records kept elsewhere
    (``types_of``: rule id -> the evidence types its selection reads)."""
    where_of = {entry.type: entry.where for entry in kept}
    if not where_of:
        return findings, []
    standing: list[Finding] = []
    checks: list[ManualCheck] = []
    for finding in findings:
        rules = [finding.rule_id, *finding.also_reported_by]
        elsewhere = sorted({t for rule in rules for t in types_of.get(rule, ()) if t in where_of})
        if finding.absence is None or not elsewhere:
            standing.append(finding)
            continue
        places = "; ".join(f"{_type_words(t)}: {where_of[t]}" for t in elsewhere)
        requirement = finding.statement.split(". ", 1)[0].rstrip(".")
        checks.append(
            ManualCheck(
                clause=finding.clause,
                title=f"{finding.title} (records kept outside the scanned sources)",
                questions=[
                    f"{requirement}. The organisation keeps these records elsewhere ({places}): ask to see them there.",
                ],
                evidence=[f"{_type_words(t)} in {where_of[t]}; not read by this scan" for t in elsewhere],
            )
        )
    return standing, checks
