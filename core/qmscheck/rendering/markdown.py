"""Markdown for a wiki page or a pull-request comment: the verdict, the counts, one table per standard and
top-level clause, then what to verify on site, folded (``<details>``) the rules that passed and those that
did not run, and the rule packs that ran with what each changed of another pack's rules.

Text from evidence is escaped so it stays text: pipes cannot split a table cell, and
``<``, ``*``, ``[`` and friends cannot become HTML, emphasis or links; a leading ``#``, ``-`` or
``1.`` cannot start a heading or a list, a bare URL or e-mail address is shown as code (never a
link), and control characters are neutralised as in every text output (support.safe_text).
"""

from __future__ import annotations

import re
from html import escape

from qmscheck.i18n import N_, Translator
from qmscheck.model.grades import GRADE_LABELS
from qmscheck.model.report import Finding, Report
from qmscheck.rendering.readiness import (
    AUDITOR_NOTE,
    RuleRow,
    Standards,
    cited_order,
    disposition_line,
    edition_name,
    grade_counts,
    not_run_rule_rows,
    passed_rule_rows,
    set_aside_line,
    sorted_findings,
    verdict,
)
from qmscheck.rendering.wording import fix, reason, statement, warning
from qmscheck.support.safe_text import one_line

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that change inline rendering.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&])")
#: What starts a heading, a list or a setext underline at the start of a line (or a list item).
_BLOCK_START = re.compile(r"^(?:#{1,6}(?=\s|$)|[+-](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|=+$|-+$)")
#: What GitHub and GitLab turn into a link without any markup: URLs, www. names, e-mail addresses.
#: Never a backtick or a pipe inside, so that it can be a code span in a table cell.
#: Trailing punctuation is left out, as the autolinkers leave it.
_AUTOLINK = re.compile(
    r"(?i)(?:[a-z][a-z0-9+.-]*:/+|www\.|mailto:|xmpp:)(?:[^\s|`]*[^\s|`.,:;!?'\")\]])?|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)

#: Evidence references listed per finding before the rest is summarised, to keep tables readable.
EVIDENCE_SHOWN = 10


def md(text: str) -> str:
    """Escape text for a Markdown table cell or paragraph: one line, no markup, no links."""
    line = " ".join(one_line(text).split())
    parts: list[str] = []
    done = 0
    for link in _AUTOLINK.finditer(line):
        parts += [_MARKDOWN_SPECIAL.sub(r"\\\1", line[done : link.start()]), f"`{link.group()}`"]
        done = link.end()
    parts.append(_MARKDOWN_SPECIAL.sub(r"\\\1", line[done:]))
    escaped = "".join(parts)
    start = _BLOCK_START.match(escaped)
    if start is None:
        return escaped
    return f"{start.group()}\\{escaped[start.end() :]}" if start.group()[0].isdigit() else f"\\{escaped}"


def _evidence_cell(finding: Finding, tr: Translator) -> str:
    lines = [
        md(ref.locator) + (f" (sha256 {ref.sha256[:12]})" if ref.sha256 else "")
        for ref in finding.evidence[:EVIDENCE_SHOWN]
    ]
    if len(finding.evidence) > EVIDENCE_SHOWN:
        lines.append(tr.gettext("and {count} more").format(count=len(finding.evidence) - EVIDENCE_SHOWN))
    if finding.absence:
        lines.append(tr.gettext("not found: {absence}").format(absence=md(finding.absence)))
    return "<br>".join(lines) or "-"


def _finding_cell(finding: Finding, standards: Standards) -> str:
    tr = standards.tr
    decided = disposition_line(finding, tr)
    decision, advice = tr.gettext("Decision:"), tr.gettext("Fix:")
    cell = f"**{md(standards.title(finding))}**" + (f"<br>*{decision}* {md(decided)}" if decided else "")
    cell += f"<br>{md(statement(finding, tr))}"
    return cell + (f"<br>*{advice}* {md(fix(finding, tr))}" if finding.fix else "")


def _clause_table(findings: list[Finding], standards: Standards) -> list[str]:
    tr = standards.tr
    head = [tr.gettext(word) for word in (N_("Grade"), N_("Clause"), N_("Rule"), N_("Finding"), N_("Evidence"))]
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|---|"]
    for finding in findings:
        lines.append(
            f"| {tr.gettext(finding.grade.label)} | {md(finding.clause)} | {md(finding.rule_id)} | "
            f"{_finding_cell(finding, standards)} | {_evidence_cell(finding, tr)} |"
        )
    return lines


def _stale_decisions(report: Report, tr: Translator) -> list[str]:
    if not report.stale_decisions:
        return []
    lines = [
        "",
        "## " + tr.gettext("Stale decisions ({count})").format(count=len(report.stale_decisions)),
        "",
        tr.gettext("No finding of this scan has these fingerprints: resolved, or their rules did not run."),
        "",
    ]
    return lines + [f"- {md(stale.fingerprint)} ({md(stale.status)})" for stale in report.stale_decisions]


def _manual_checks(standards: Standards) -> list[str]:
    report, tr = standards.report, standards.tr
    if not report.manual_checks:
        return []
    lines = [
        "",
        "## " + tr.gettext("To verify on site ({count})").format(count=len(report.manual_checks)),
        "",
        tr.gettext(
            "No evidence rule checks these requirements: an auditor verifies them by interview and observation. "
            "They are neither passed nor findings."
        ),
    ]
    for check in sorted(report.manual_checks, key=cited_order):
        # Inside an HTML block Markdown escapes are not undone: the summary is escaped as HTML.
        summary = escape(f"{standards.label(check)} {check.title}")
        lines += ["", f"<details><summary>{summary}</summary>", "", tr.gettext("Ask:"), ""]
        lines += [f"- {md(question)}" for question in check.questions]
        lines += ["", tr.gettext("Request:"), ""]
        lines += [f"- {md(evidence)}" for evidence in check.evidence]
        lines += ["", "</details>"]
    return lines


def _folded(heading: str, summary: str, table: list[str]) -> list[str]:
    """A heading and a table folded under a summary: GitHub renders Markdown inside ``<details>``
    when blank lines surround it."""
    return ["", f"## {heading}", "", f"<details><summary>{summary}</summary>", "", *table, "", "</details>"]


def _rule_table(last: str, rows: list[RuleRow], tr: Translator) -> list[str]:
    head = [tr.gettext(word) for word in (N_("Clause"), N_("Rule"), N_("Title"))]
    table = ["| " + " | ".join([*head, tr.gettext(last)]) + " |", "|---|---|---|---|"]
    return table + ["| " + " | ".join(md(cell) for cell in row) + " |" for row in rows]


def _rules_passed(standards: Standards) -> list[str]:
    rows = passed_rule_rows(standards)
    if not rows:
        return []
    tr = standards.tr
    return _folded(
        tr.gettext("Rules that passed ({count})").format(count=len(rows)),
        tr.gettext("Ran and found nothing; the evidence each read"),
        _rule_table(N_("Evidence read"), rows, tr),
    )


def _rules_not_run(standards: Standards) -> list[str]:
    tr = standards.tr
    rows = [(*row[:3], reason(row[3], tr)) for row in not_run_rule_rows(standards)]
    if not rows:
        return []
    return _folded(
        tr.gettext("Rules that did not run ({count})").format(count=len(rows)),
        tr.gettext("Not applicable, or for another audit stage"),
        _rule_table(N_("Why not"), rows, tr),
    )


def _packs(standards: Standards) -> list[str]:
    """The packs that ran, with versions and standards, and each pack's overlays: what it changed of
    another pack's rules, and why."""
    report, tr = standards.report, standards.tr
    if not report.packs:
        return []
    lines = ["", "## " + tr.gettext("Rule packs"), ""]
    for pack in sorted(report.packs, key=lambda pack: pack.name):
        standard = edition_name(standards.info(pack.standard))
        rules = tr.ngettext("{n} rule", "{n} rules", pack.rules)
        lines.append(f"- {md(pack.name)} {md(pack.version)}: {md(standard)}, {rules}")
        lines += [f"  - {md(overlay)}" for overlay in pack.overlays]
    return lines


class MarkdownRenderer:
    name = "markdown"
    extension = "md"

    def render(self, report: Report, *, color: bool = False) -> str:
        findings = sorted_findings(report)
        standards = Standards.of(report)
        tr = standards.tr
        this_stage = verdict(report, report.stage)
        counts = grade_counts(findings)
        facts = tr.gettext(
            "As of {date}, {standards}, {items} evidence items, {rules} rules, qmscheck {version}."
        ).format(
            date=report.as_of.isoformat(),
            standards=md(standards.line()),
            items=report.evidence_count,
            rules=report.rules_evaluated,
            version=md(report.tool_version),
        )
        lines = [
            "# " + tr.gettext("qmscheck report: {organisation}").format(organisation=md(report.organisation.name)),
            "",
            "**"
            + tr.gettext("Stage {stage}: {verdict}").format(stage=report.stage, verdict=this_stage.headline)
            + "**",
            "",
            facts,
            *(["", tr.gettext(AUDITOR_NOTE)] if report.audience == "auditor" else []),
            "",
            "| " + " | ".join(tr.gettext(GRADE_LABELS[grade]) for grade in counts) + " |",
            "|" + "---:|" * len(counts),
            "| " + " | ".join(str(count) for count in counts.values()) + " |",
        ]
        for info, clause, group in standards.group(findings):
            lines += ["", f"## {md(standards.section_title(info, clause))}", ""]
            lines += _clause_table(group, standards)
        if not findings:
            lines += ["", tr.gettext("No findings.")]
        if report.not_applicable:
            head = [tr.gettext(word) for word in (N_("Clause"), N_("Justification"), N_("Rules"))]
            lines += ["", "## " + tr.gettext("Not applicable"), "", "| " + " | ".join(head) + " |", "|---|---|---|"]
            for excluded in sorted(report.not_applicable, key=cited_order):
                rules = ", ".join(md(rule_id) for rule_id in excluded.rule_ids)
                lines.append(f"| {md(standards.label(excluded))} | {md(excluded.justification)} | {rules} |")
        lines += _stale_decisions(report, tr)
        lines += _manual_checks(standards)
        lines += _rules_passed(standards)
        lines += _rules_not_run(standards)
        if report.warnings:
            heading = tr.gettext("Evidence that could not be read ({count})").format(count=len(report.warnings))
            lines += ["", f"## {heading}", ""]
            for entry in sorted(report.warnings, key=lambda w: (w.locator, w.message)):
                lines.append(f"- {md(entry.locator)}: {md(warning(entry.message, tr))}")
        lines += _packs(standards)
        lines += ["", tr.gettext("Summary: ") + report.summary.line(tr)]
        set_aside = set_aside_line(report, tr)
        if set_aside:
            lines += ["", tr.gettext("Not counted: ") + md(set_aside)]
        return "\n".join(lines) + "\n"
