"""Markdown for a wiki page or a pull-request comment: the verdict, the counts, one table per clause.

Text from evidence is escaped so it stays text: pipes cannot split a table cell, and
``<``, ``*``, ``[`` and friends cannot become HTML, emphasis or links.
"""

from __future__ import annotations

import re
from itertools import groupby

from qmscheck.model.report import Finding, Report, clause_key
from qmscheck.rendering.readiness import CLAUSE_TITLES, grade_counts, sorted_findings, top_clause, verdict

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that change inline rendering.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")

#: Evidence references listed per finding before the rest is summarised, to keep tables readable.
EVIDENCE_SHOWN = 10


def md(text: str) -> str:
    """Escape text for a Markdown table cell or paragraph: one line, no markup."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _evidence_cell(finding: Finding) -> str:
    lines = [
        md(ref.locator) + (f" (sha256 {ref.sha256[:12]})" if ref.sha256 else "")
        for ref in finding.evidence[:EVIDENCE_SHOWN]
    ]
    if len(finding.evidence) > EVIDENCE_SHOWN:
        lines.append(f"and {len(finding.evidence) - EVIDENCE_SHOWN} more")
    if finding.absence:
        lines.append(f"not found: {md(finding.absence)}")
    return "<br>".join(lines) or "-"


def _clause_table(findings: list[Finding]) -> list[str]:
    lines = ["| Grade | Clause | Rule | Finding | Evidence |", "|---|---|---|---|---|"]
    for finding in findings:
        lines.append(
            f"| {finding.grade.label} | {md(finding.clause)} | {md(finding.rule_id)} | "
            f"**{md(finding.title)}**<br>{md(finding.statement)}<br>*Fix:* {md(finding.fix)} | "
            f"{_evidence_cell(finding)} |"
        )
    return lines


class MarkdownRenderer:
    name = "markdown"
    extension = "md"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        this_stage = verdict(report, report.stage)
        counts = grade_counts(findings)
        lines = [
            f"# qmscheck report: {md(report.organisation.name)}",
            "",
            f"**Stage {report.stage}: {this_stage.headline}**",
            "",
            f"As of {report.as_of.isoformat()}, ISO 9001:{md(report.edition)}, "
            f"{report.evidence_count} evidence items, {report.rules_evaluated} rules, "
            f"qmscheck {md(report.tool_version)}.",
            "",
            "| " + " | ".join(grade.label for grade in counts) + " |",
            "|" + "---:|" * len(counts),
            "| " + " | ".join(str(count) for count in counts.values()) + " |",
        ]
        for clause, group in groupby(findings, key=lambda f: top_clause(f.clause)):
            title = CLAUSE_TITLES.get(clause)
            lines += ["", f"## Clause {md(clause)}" + (f": {title}" if title else ""), ""]
            lines += _clause_table(list(group))
        if not findings:
            lines += ["", "No findings."]
        if report.not_applicable:
            lines += ["", "## Not applicable", "", "| Clause | Justification | Rules |", "|---|---|---|"]
            for excluded in sorted(report.not_applicable, key=lambda n: clause_key(n.clause)):
                rules = ", ".join(md(rule_id) for rule_id in excluded.rule_ids)
                lines.append(f"| {md(excluded.clause)} | {md(excluded.justification)} | {rules} |")
        if report.warnings:
            lines += ["", f"## Evidence that could not be read ({len(report.warnings)})", ""]
            for warning in sorted(report.warnings, key=lambda w: (w.locator, w.message)):
                lines.append(f"- {md(warning.locator)}: {md(warning.message)}")
        lines += ["", f"Summary: {report.summary.line()}"]
        return "\n".join(lines) + "\n"
