"""What a quality manager reads first: is the organisation ready for its Stage 1 or Stage 2 audit?

Shared by the human-facing formats (HTML, Markdown, text, JUnit) so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import EvidenceSeen, Finding, Report, clause_key, finding_sort_key, summarise

Status = Literal["not-ready", "unconfirmed", "conditional", "ready"]

#: ISO 9001 top-level clauses that hold requirements, with the standard's headings.
CLAUSE_TITLES: dict[str, str] = {
    "4": "Context of the organization",
    "5": "Leadership",
    "6": "Planning",
    "7": "Support",
    "8": "Operation",
    "9": "Performance evaluation",
    "10": "Improvement",
}


@dataclass(frozen=True)
class Verdict:
    stage: int
    status: Status
    headline: str
    #: Set when the scan ran the other stage's rule set, so this verdict only sees the rules both share.
    caveat: str | None = None


def top_clause(clause: str) -> str:
    return clause.split(".")[0]


def sorted_findings(report: Report) -> list[Finding]:
    """A saved report may come from anywhere: never trust its order."""
    return sorted(report.findings, key=finding_sort_key)


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


def evidence_line(seen: EvidenceSeen) -> str:
    """What a passed rule read, on one line: 'calibration_record: 1 file, 41 items (fs:Cal.xlsx)'.
    A rule that found none of its evidence passed with nothing to check, and says so."""
    types = ", ".join(seen.types)
    if not seen.types:
        return "reads no evidence"
    if not seen.files:
        return f"{types}: none found, nothing to check"
    sample = ", ".join(seen.sample) + (", ..." if seen.files > len(seen.sample) else "")
    return f"{types}: {plural(seen.files, 'file')}, {plural(seen.items, 'item')} ({sample})"


def verdict(report: Report, stage: int) -> Verdict:
    """Majors block certification; minors need an accepted action plan; the rest is advice.

    Evidence requests are absences the scan could not establish: they never make an organisation
    "not ready", and while any is open the scan cannot call it ready either."""
    counts = summarise([f for f in report.findings if stage in f.stages])
    caveat = None
    if stage != report.stage:
        caveat = f"This scan ran the stage {report.stage} rules; only the rules both stages share are counted."
    requests = f"{plural(counts.request, 'evidence request')} to answer"
    if report.understanding is not None and report.understanding.recognised == 0:
        headline = f"Not established: no quality-system evidence recognised ({report.understanding.line()})"
        return Verdict(stage, "unconfirmed", headline, caveat)
    if counts.major:
        headline = f"Not ready: {plural(counts.major, 'major nonconformity', 'major nonconformities')}"
        if counts.minor:
            headline += f" and {plural(counts.minor, 'minor')}"
        if counts.request:
            headline += f"; {requests}"
        return Verdict(stage, "not-ready", headline, caveat)
    if counts.request:
        headline = f"Not established: {requests}"
        if counts.minor:
            headline += f", and {plural(counts.minor, 'minor')} to close"
        return Verdict(stage, "unconfirmed", headline, caveat)
    if counts.minor:
        return Verdict(stage, "conditional", f"Ready with {plural(counts.minor, 'minor')} to close", caveat)
    advice = counts.observation + counts.ofi
    headline = "Ready: no nonconformities" + (f", {plural(advice, 'point')} to consider" if advice else "")
    return Verdict(stage, "ready", headline, caveat)


def grade_counts(findings: list[Finding]) -> dict[Grade, int]:
    summary = summarise(findings)
    return {grade: getattr(summary, grade.value) for grade in GRADE_ORDER}


#: A rule listed by the reports that name the rules without findings: clause, id, title, and
#: what it read (a passed rule) or why it did not run.
RuleRow = tuple[str, str, str, str]


def passed_rule_rows(report: Report) -> list[RuleRow]:
    """The rules that ran and found nothing, in clause order, with the evidence each read."""
    return sorted(
        ((rule.clause, rule.rule_id, rule.title, evidence_line(rule.evidence)) for rule in report.rules_passed),
        key=lambda row: (clause_key(row[0]), row[1]),
    )


def not_run_rule_rows(report: Report) -> list[RuleRow]:
    """The rules that did not run, in clause order, with why not."""
    return sorted(
        ((rule.clause, rule.rule_id, rule.title, rule.reason) for rule in report.rules_not_run),
        key=lambda row: (clause_key(row[0]), row[1]),
    )
