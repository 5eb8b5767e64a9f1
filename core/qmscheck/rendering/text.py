"""Findings grouped by standard and top-level clause, what to verify on site, the count of rules that
passed, and a one-line summary. Colour only on a terminal. The rules that passed are named in the other
formats."""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape

from qmscheck.model.grades import Grade
from qmscheck.model.report import Report
from qmscheck.rendering.readiness import (
    AUDITOR_NOTE,
    Standards,
    cited_order,
    disposition_line,
    set_aside_line,
    sorted_findings,
)

GRADE_STYLE = {
    Grade.MAJOR: "bold red",
    Grade.MINOR: "red",
    Grade.REQUEST: "magenta",
    Grade.OBSERVATION: "yellow",
    Grade.OFI: "cyan",
}


class TextRenderer:
    name = "text"
    extension = "txt"

    def render(self, report: Report, *, color: bool = False) -> str:
        buffer = io.StringIO()
        console = Console(
            file=buffer,
            force_terminal=color,
            no_color=not color,
            width=100,
            highlight=False,
            emoji=False,
            soft_wrap=False,
        )
        org = report.organisation
        standards = Standards.of(report)
        console.print(f"[bold]qmscheck {escape(report.tool_version)}[/] - {escape(org.name)}")
        console.print(
            f"as of {report.as_of.isoformat()} - stage {report.stage} view - {escape(standards.line())} - "
            f"{report.evidence_count} evidence items - {report.rules_evaluated} rules"
        )
        if report.audience == "auditor":
            console.print(AUDITOR_NOTE)
        for info, clause, group in standards.group(sorted_findings(report)):
            console.print()
            console.print(f"[bold underline]{escape(standards.section_title(info, clause))}[/]")
            for finding in group:
                style = GRADE_STYLE[finding.grade]
                console.print(
                    f"  [{style}]{finding.grade.label.upper()}[/] {finding.clause} "
                    f"[dim]{finding.rule_id}[/] {escape(finding.title)}"
                )
                decided = disposition_line(finding)
                if decided:
                    console.print(f"    [bold]Decision:[/] {escape(decided)}", overflow="fold")
                console.print(f"    {escape(finding.statement)}", overflow="fold")
                for ref in finding.evidence[:10]:
                    digest = f" sha256:{ref.sha256[:12]}" if ref.sha256 else ""
                    console.print(f"    - {escape(ref.locator)}{digest}", overflow="fold")
                if len(finding.evidence) > 10:
                    console.print(f"    - ... and {len(finding.evidence) - 10} more")
                if finding.fix:
                    console.print(f"    [dim]Fix:[/] {escape(finding.fix)}", overflow="fold")
        if report.stale_decisions:
            console.print()
            console.print(
                f"[bold]Stale decisions ({len(report.stale_decisions)})[/] - no finding of this scan has the "
                "fingerprint: resolved, or its rule did not run"
            )
            for stale in report.stale_decisions:
                console.print(f"  {escape(stale.fingerprint)} ({stale.status})", overflow="fold")
        if report.not_applicable:
            console.print()
            console.print("[bold]Not applicable[/]")
            for excluded in sorted(report.not_applicable, key=cited_order):
                console.print(
                    f"  {escape(standards.label(excluded))}: {escape(excluded.justification)} "
                    f"({len(excluded.rule_ids)} rules)"
                )
        if report.manual_checks:
            console.print()
            console.print(f"[bold]To verify on site ({len(report.manual_checks)})[/] - no evidence rule checks these")
            for check in sorted(report.manual_checks, key=cited_order):
                console.print(f"  {escape(standards.label(check))} {escape(check.title)}", overflow="fold")
        if report.warnings:
            console.print()
            console.print(f"[bold yellow]Warnings ({len(report.warnings)})[/] - evidence that could not be read")
            for warning in sorted(report.warnings, key=lambda w: (w.locator, w.connector, w.message)):
                console.print(f"  {escape(warning.locator)}: {escape(warning.message)}", overflow="fold")
        console.print()
        if report.rules_passed or report.rules_not_run:
            console.print(
                f"[bold]Rules:[/] {len(report.rules_passed)} passed, {len(report.rules_not_run)} not run "
                "(named in the json, html, markdown and junit reports)"
            )
        if report.understanding is not None:
            console.print(f"[bold]Understood:[/] {escape(report.understanding.line())}", overflow="fold")
        console.print(
            f"[bold]Summary:[/] {report.summary.line()}"
            f"{f', {len(report.warnings)} warnings' if report.warnings else ''}"
        )
        set_aside = set_aside_line(report)
        if set_aside:
            console.print(f"[bold]Not counted:[/] {escape(set_aside)}", overflow="fold")
        return buffer.getvalue()
