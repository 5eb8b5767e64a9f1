"""The report a person reads in a terminal: the verdicts and how much evidence was understood
first, then the findings by grade, most severe first, each grade grouped by standard and top-level
clause, then what does not apply, what to verify on site, the warnings, the count of rules that
passed, and the summary as the last line.

Laid out for a given width: every line is wrapped between words (a word longer than a line is
left whole), keeps its indent, and carries no trailing space. Colour only when asked; the rules
that passed are named in the other formats."""

from __future__ import annotations

import io
import re
from typing import Final

from rich.console import Console
from rich.text import Text

from qmscheck.i18n import N_, Translator
from qmscheck.model.grades import GRADE_ORDER, Grade
from qmscheck.model.report import Finding, Report
from qmscheck.rendering.readiness import (
    AUDITOR_NOTE,
    Standards,
    cited_order,
    disposition_line,
    set_aside_line,
    sorted_findings,
    summary_line,
    verdict,
)
from qmscheck.rendering.terminal import PIPED_WIDTH
from qmscheck.rendering.wording import fix, statement
from qmscheck.rendering.wording import warning as warning_words
from qmscheck.support.safe_text import one_line

GRADE_STYLE: Final = {
    Grade.MAJOR: "bold red",
    Grade.MINOR: "red",
    Grade.REQUEST: "magenta",
    Grade.OBSERVATION: "yellow",
    Grade.OFI: "cyan",
}
GRADE_HEADINGS: Final = {
    Grade.MAJOR: N_("Major nonconformities"),
    Grade.MINOR: N_("Minor nonconformities"),
    Grade.REQUEST: N_("Evidence requests"),
    Grade.OBSERVATION: N_("Observations"),
    Grade.OFI: N_("Opportunities for improvement"),
}
VERDICT_STYLE: Final = {
    "not-ready": "bold red",
    "unconfirmed": "bold magenta",
    "conditional": "bold yellow",
    "ready": "bold green",
}
#: Evidence listed under a finding; the rest is counted.
EVIDENCE_SHOWN: Final = 10
#: The labels of the lines at the top ({stage}: 1 and 2), padded to one width so that their values line up.
VERDICT_LABELS: Final = (N_("Stage {stage} audit"), N_("Evidence understood"))
_WORD = re.compile(r"\S+")


def _line_spans(plain: str, first: int, rest: int) -> list[tuple[int, int]]:
    """Where each line of ``plain`` starts and ends when filled word by word: up to ``first``
    characters on the first line, ``rest`` on the others."""
    spans: list[tuple[int, int]] = []
    start = end = -1
    for word in _WORD.finditer(plain):
        if start < 0:
            start, end = word.start(), word.end()
        elif word.end() - start <= (rest if spans else first):
            end = word.end()
        else:
            spans.append((start, end))
            start, end = word.start(), word.end()
    if start >= 0:
        spans.append((start, end))
    return spans


def _part(part: str | tuple[str, str]) -> tuple[str, str]:
    # Evidence text cannot move the cursor, restyle the terminal or break a line (support.safe_text).
    return (one_line(part), "") if isinstance(part, str) else (one_line(part[0]), part[1])


class _Page:
    """Lines of styled text, wrapped to the width."""

    def __init__(self, width: int, color: bool, tr: Translator) -> None:
        self.width = width
        self.tr = tr
        self.buffer = io.StringIO()
        self.console = Console(
            file=self.buffer,
            force_terminal=color,
            no_color=not color,
            color_system="standard" if color else None,
            width=max(width, 1000),
            highlight=False,
            emoji=False,
            markup=False,
            soft_wrap=True,
        )

    def line(self, *parts: str | tuple[str, str], indent: int = 0, hang: int = 0) -> None:
        """One paragraph from (text, style) parts: at ``indent``, its continuation lines ``hang``
        further in."""
        text = Text.assemble(*(_part(part) for part in parts))
        first, rest = max(self.width - indent, 1), max(self.width - indent - hang, 1)
        for number, (start, end) in enumerate(_line_spans(text.plain, first, rest)):
            self.console.print(Text(" " * (indent + (hang if number else 0))) + text[start:end])

    def blank(self) -> None:
        self.console.print()

    def text(self) -> str:
        return self.buffer.getvalue()


def _verdict_lines(page: _Page, report: Report) -> None:
    """Readiness for each stage's audit, and how much of the evidence that judgement rests on."""
    tr = page.tr
    stage_label, understood = (tr.gettext(label) for label in VERDICT_LABELS)
    labels = [stage_label.format(stage=stage) for stage in (1, 2)]
    width = max(map(len, [*labels, understood])) + 2
    for label, card in zip(labels, (verdict(report, stage) for stage in (1, 2)), strict=True):
        page.line((label.ljust(width), "bold"), (card.headline, VERDICT_STYLE[card.status]), hang=width)
        if card.caveat:
            page.line((card.caveat, "dim"), indent=width)
    if report.understanding is not None:
        page.line((understood.ljust(width), "bold"), report.understanding.line(tr), hang=width)


def _finding(page: _Page, finding: Finding, standards: Standards) -> None:
    tr = page.tr
    # A title too long for its line continues under its first word.
    head = len(finding.clause) + len(finding.rule_id) + 2
    title = standards.title(finding)
    page.line((finding.clause, "bold"), " ", (finding.rule_id, "dim"), " ", title, indent=4, hang=head)
    decided = disposition_line(finding, tr)
    if decided:
        page.line((tr.gettext("Decision: "), "bold"), decided, indent=6)
    page.line(statement(finding, tr), indent=6)
    for ref in finding.evidence[:EVIDENCE_SHOWN]:
        digest = f" sha256:{ref.sha256[:12]}" if ref.sha256 else ""
        page.line(f"- {ref.locator}", (digest, "dim"), indent=6, hang=2)
    if len(finding.evidence) > EVIDENCE_SHOWN:
        more = tr.gettext("- ... and {count} more").format(count=len(finding.evidence) - EVIDENCE_SHOWN)
        page.line(more, indent=6)
    advice = fix(finding, tr)
    if advice:
        page.line((tr.gettext("Fix: "), "dim"), advice, indent=6)


def _findings(page: _Page, report: Report, standards: Standards) -> None:
    findings = sorted_findings(report)
    for grade in GRADE_ORDER:
        graded = [finding for finding in findings if finding.grade is grade]
        if not graded:
            continue
        set_aside = sum(1 for finding in graded if not finding.counted)
        count = (
            page.tr.gettext("{count}, {set_aside} set aside by decisions").format(
                count=len(graded), set_aside=set_aside
            )
            if set_aside
            else str(len(graded))
        )
        page.blank()
        page.line((f"{page.tr.gettext(GRADE_HEADINGS[grade])} ({count})", f"{GRADE_STYLE[grade]} bold"))
        for info, clause, group in standards.group(graded):
            page.blank()
            page.line((standards.section_title(info, clause), "bold"), indent=2)
            for finding in group:
                _finding(page, finding, standards)


class TextRenderer:
    name = "text"
    extension = "txt"

    def render(self, report: Report, *, color: bool = False, width: int = PIPED_WIDTH) -> str:
        standards = Standards.of(report)
        tr = standards.tr
        page = _Page(width, color, tr)
        page.line((f"qmscheck {report.tool_version}", "bold"), f" - {report.organisation.name}")
        _verdict_lines(page, report)
        facts = tr.gettext("as of {date} - stage {stage} view - {standards} - {items} evidence items - {rules} rules")
        page.line(
            facts.format(
                date=report.as_of.isoformat(),
                stage=report.stage,
                standards=standards.line(),
                items=report.evidence_count,
                rules=report.rules_evaluated,
            ),
            hang=2,
        )
        if report.audience == "auditor":
            page.line(tr.gettext(AUDITOR_NOTE))
        _findings(page, report, standards)
        if not report.findings:
            page.blank()
            page.line(tr.gettext("No findings."))
        if report.stale_decisions:
            page.blank()
            page.line(
                (tr.gettext("Stale decisions ({count})").format(count=len(report.stale_decisions)), "bold"),
                tr.gettext(" - no finding of this scan has the fingerprint: resolved, or its rule did not run"),
                hang=2,
            )
            for stale in report.stale_decisions:
                page.line(f"{stale.fingerprint} ({stale.status})", indent=2, hang=2)
        if report.not_applicable:
            page.blank()
            page.line((tr.gettext("Not applicable"), "bold"))
            for excluded in sorted(report.not_applicable, key=cited_order):
                # English says "rules" whatever the count: the report reads as it always has.
                rules = tr.npgettext("not applicable", "{n} rules", "{n} rules", len(excluded.rule_ids))
                page.line(f"{standards.label(excluded)}: {excluded.justification} ({rules})", indent=2, hang=2)
        if report.manual_checks:
            page.blank()
            page.line(
                (tr.gettext("To verify on site ({count})").format(count=len(report.manual_checks)), "bold"),
                tr.gettext(" - no evidence rule checks these"),
                hang=2,
            )
            for check in sorted(report.manual_checks, key=cited_order):
                page.line(f"{standards.label(check)} {check.title}", indent=2, hang=2)
        if report.warnings:
            page.blank()
            page.line(
                (tr.gettext("Warnings ({count})").format(count=len(report.warnings)), "bold yellow"),
                tr.gettext(" - evidence that could not be read"),
                hang=2,
            )
            for warning in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message)):
                page.line(f"{warning.locator}: {warning_words(warning.message, tr)}", indent=2, hang=2)
        page.blank()
        if report.rules_passed or report.rules_not_run:
            page.line(
                (tr.gettext("Rules: "), "bold"),
                tr.gettext(
                    "{passed} passed, {not_run} not run (named in the json, html, markdown and junit reports)"
                ).format(passed=len(report.rules_passed), not_run=len(report.rules_not_run)),
                hang=2,
            )
        set_aside = set_aside_line(report, tr)
        if set_aside:
            page.line((tr.gettext("Not counted: "), "bold"), set_aside, hang=2)
        page.line((tr.gettext("Summary: "), "bold"), summary_line(report, tr), hang=2)
        return page.text()
