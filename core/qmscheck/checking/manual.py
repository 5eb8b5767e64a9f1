"""Every ISO 9001 clause accounted for: checked by evidence rules, or put on the auditor's list.

``rules/manual-checks.toml`` lists the clauses of ISO 9001 that qmscheck accounts for and, for
each one that no evidence rule checks, a manual check: the questions an auditor asks on site
and the evidence to request. Reports show manual checks as "to verify on site", apart from the
findings, so they change neither the verdict nor the exit code. :func:`clause_coverage` says,
for the loaded rules, which clauses have evidence rules and which rest on a manual check;
``qmscheck rules`` prints it and the README states its counts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from qmscheck.checking.packs import LoadedRule, rules_root
from qmscheck.checking.rule_model import CLAUSE_PATTERN
from qmscheck.config.tomlfile import json_path, read_toml
from qmscheck.errors import RulePackError
from qmscheck.model.report import ManualCheck, NotApplicable, clause_key

MANUAL_CHECKS_FILE = "manual-checks.toml"

Clause = Annotated[str, Field(pattern=CLAUSE_PATTERN)]


class ManualCheckEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clause: Clause
    title: str
    questions: Annotated[list[str], Field(min_length=1)]
    evidence: Annotated[list[str], Field(min_length=1)]


class ManualChecksFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clauses: dict[Clause, str] = Field(description="Every clause accounted for, with its heading.")
    checks: list[ManualCheckEntry] = Field(default_factory=list)

    @model_validator(mode="after")
    def _listed(self) -> ManualChecksFile:
        for at, check in enumerate(self.checks):
            if check.clause not in self.clauses:
                raise ValueError(f"checks[{at}]: clause {check.clause} is not under [clauses]")
        seen = [check.clause for check in self.checks]
        doubled = sorted({clause for clause in seen if seen.count(clause) > 1}, key=clause_key)
        if doubled:
            raise ValueError(f"more than one manual check for clause {', '.join(doubled)}")
        return self


def load_manual_checks(path: Path) -> ManualChecksFile:
    data = read_toml(path, RulePackError)
    try:
        return ManualChecksFile.model_validate(data)
    except ValidationError as exc:
        problems = [f"{json_path(error['loc'])}: {error['msg']}" for error in exc.errors()]
        raise RulePackError(f"invalid manual checks file {path}:\n  " + "\n  ".join(problems)) from None


@cache
def bundled_manual_checks() -> ManualChecksFile:
    return load_manual_checks(rules_root() / MANUAL_CHECKS_FILE)


def _covers(rule_clause: str, clause: str) -> bool:
    """A rule counts for a listed clause when filed under it, under one of its sub-clauses, or
    under its parent as a whole (the calibration rules of 7.1.5 read 7.1.5.1 and 7.1.5.2 alike)."""
    return rule_clause == clause or rule_clause.startswith(clause + ".") or clause.startswith(rule_clause + ".")


def _under(clause: str, excluded: str) -> bool:
    return clause == excluded or clause.startswith(excluded + ".")


@dataclass(frozen=True)
class ClauseCoverage:
    clause: str
    title: str
    rule_ids: tuple[str, ...]
    manual: bool

    @property
    def status(self) -> Literal["evidence", "manual", "none"]:
        return "evidence" if self.rule_ids else "manual" if self.manual else "none"


def clause_coverage(rules: Iterable[LoadedRule], manual: ManualChecksFile) -> list[ClauseCoverage]:
    """Each listed clause with the rules that count for it (deprecated rules do not) and whether it
    has a manual check; in the file's order."""
    active = sorted(
        ((loaded.rule.clause, loaded.rule.id) for loaded in rules if loaded.rule.status != "deprecated"),
        key=lambda pair: (clause_key(pair[0]), pair[1]),
    )
    with_check = {check.clause for check in manual.checks}
    return [
        ClauseCoverage(
            clause,
            title,
            tuple(rule_id for rule_clause, rule_id in active if _covers(rule_clause, clause)),
            clause in with_check,
        )
        for clause, title in manual.clauses.items()
    ]


def coverage_counts(coverage: list[ClauseCoverage]) -> dict[str, int]:
    """How many listed clauses have evidence rules, rest on a manual check alone, or have neither."""
    counts = {"evidence": 0, "manual": 0, "none": 0}
    for entry in coverage:
        counts[entry.status] += 1
    return counts


def coverage_lines(coverage: list[ClauseCoverage]) -> list[str]:
    """The listing of ``qmscheck rules``: one line per clause, then the counts."""
    lines = []
    for entry in coverage:
        if entry.rule_ids:
            how = "evidence: " + ", ".join(entry.rule_ids) + (" (and a manual check)" if entry.manual else "")
        else:
            how = "manual: to verify on site" if entry.manual else "NOT COVERED"
        lines.append(f"{entry.clause:<9} {entry.title:<55} {how}")
    counts = coverage_counts(coverage)
    summary = (
        f"{len(coverage)} clauses: {counts['evidence']} checked by evidence rules, "
        f"{counts['manual']} by manual checks on site"
    )
    if counts["none"]:
        summary += f", {counts['none']} not covered"
    return [*lines, summary]


def manual_checks_for(manual: ManualChecksFile, not_applicable: Iterable[NotApplicable]) -> list[ManualCheck]:
    """The manual checks a report lists: all but those under a clause declared not applicable."""
    excluded = [entry.clause for entry in not_applicable]
    return [
        ManualCheck(clause=check.clause, title=check.title, questions=check.questions, evidence=check.evidence)
        for check in sorted(manual.checks, key=lambda check: clause_key(check.clause))
        if not any(_under(check.clause, clause) for clause in excluded)
    ]
